package dev.mlbridge.example;

import dev.mlbridge.client.InvokeOptions;
import dev.mlbridge.client.MlbridgeClient;
import dev.mlbridge.client.errors.InvalidArgumentsException;
import dev.mlbridge.client.errors.UnknownPipelineException;
import dev.mlbridge.client.jobs.Job;
import dev.mlbridge.client.jobs.SubmitOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Calls the pipelines of examples/pipelines.py from Java, as examples/demo.ts does from
 * TypeScript: a runner must serve them on the same request topic (run.sh starts one).
 */
public final class Demo {
    private Demo() {}

    public static void main(String[] args) throws Exception {
        Properties props = new Properties();
        props.setProperty("bootstrap.servers", env("KAFKA_BROKERS", "127.0.0.1:9092"));
        props.setProperty("mlbridge.request.topic", env("MLBRIDGE_REQUEST_TOPIC", "ml.pipeline.input"));
        props.setProperty("mlbridge.client.id", "java-example");

        try (MlbridgeClient client = MlbridgeClient.connect(props)) {
            long t = System.nanoTime();
            Map<?, ?> model = (Map<?, ?>) client.invoke("train_model", Map.of("dataset", "cpu-metrics", "epochs", 60)).get();
            List<?> loss = (List<?>) model.get("loss");
            System.out.printf("train_model -> weights %s, loss %.1f -> %.2f over %d epochs (%.1f ms)%n",
                    model.get("weights"), loss.get(0), loss.get(loss.size() - 1), loss.size(), ms(t));

            t = System.nanoTime();
            Object predictions = client.invoke("predict", Map.of("weights", model.get("weights"), "rates", List.of(10, 50, 90))).get();
            System.out.printf("predict -> %s (%.1f ms)%n", predictions, ms(t));

            t = System.nanoTime();
            Object scores = client.invoke("zscore", Map.of("values", List.of(1, 2, 3, 4, 100)),
                    InvokeOptions.builder().timeout(Duration.ofSeconds(5)).idempotencyKey("zscore-demo-1").build()).get();
            System.out.printf("zscore -> %s (%.1f ms)%n", scores, ms(t));

            // Many calls in flight at once: each future completes with its own answer.
            t = System.nanoTime();
            List<CompletableFuture<Object>> calls = new ArrayList<>();
            for (int rate = 0; rate < 100; rate++) {
                calls.add(client.invoke("predict", Map.of("weights", model.get("weights"), "rates", List.of(rate))));
            }
            CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).get();
            System.out.printf("100 concurrent predict calls -> last %s (%.1f ms)%n", calls.get(99).get(), ms(t));

            // A job: submitted once, its progress followed here, its result awaited (any client could
            // reattach with client.job(id) and cancel it with client.cancel(id)).
            t = System.nanoTime();
            Job job = client.submit("fit_epochs", Map.of("epochs", 5), SubmitOptions.builder()
                    .onProgress(p -> System.out.printf("  job progress %.0f/%.0f: %s%n", p.current(), p.total(), p.message()))
                    .build());
            Object fitted = job.result().get();
            System.out.printf("job %s (%s) -> %s, %s (%.1f ms)%n", job.id(), job.pipeline(), fitted, job.status().state(), ms(t));

            try {
                client.invoke("__import__('os').system('id')", Map.of()).get();
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownPipelineException unknown)) {
                    throw e;
                }
                System.out.printf("typed error: %s for request %s: %s%n", unknown.getClass().getSimpleName(), unknown.requestId(), unknown.getMessage());
            }
            try {
                client.invoke("train_model", Map.of("dataset", "cpu-metrics", "epochs", "five")).get();
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof InvalidArgumentsException invalid)) {
                    throw e;
                }
                System.out.printf("typed error: %s (%s): %s%n", invalid.getClass().getSimpleName(), invalid.code(), invalid.getMessage());
            }
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    private static double ms(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1e6;
    }
}
