package dev.mlbridge.bench;

import dev.mlbridge.client.ClientOptions;
import dev.mlbridge.client.InvokeOptions;
import dev.mlbridge.client.MlbridgeClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One round of the Java client rung, measured as bench/run.ts measures the TypeScript client's
 * `mlbridge` rung: `echo` with a 100-byte payload (mlbridge's no-op), closed-loop latency at
 * concurrency 1, then closed-loop throughput at each concurrency. Prints one JSON line.
 *
 * <p>Args: brokers requestTopic latCalls warmup seconds conc[,conc…]
 */
public final class JavaBench {
    private JavaBench() {}

    public static void main(String[] args) throws Exception {
        String brokers = args[0];
        String requestTopic = args[1];
        int latCalls = Integer.parseInt(args[2]);
        int warmup = Integer.parseInt(args[3]);
        double seconds = Double.parseDouble(args[4]);
        int[] concs = Arrays.stream(args[5].split(",")).mapToInt(Integer::parseInt).toArray();
        byte[] payload = new byte[100];
        new Random(1).nextBytes(payload);
        Map<String, Object> call = Map.of("payload", payload);
        InvokeOptions options = InvokeOptions.builder().timeout(Duration.ofSeconds(60)).build();

        try (MlbridgeClient client = MlbridgeClient.connect(ClientOptions.builder().brokers(brokers).requestTopic(requestTopic).build())) {
            for (int i = 0; i < warmup; i++) {
                client.invoke("echo", call, options).get();
            }
            long[] nanos = new long[latCalls];
            for (int i = 0; i < latCalls; i++) {
                long t = System.nanoTime();
                client.invoke("echo", call, options).get();
                nanos[i] = System.nanoTime() - t;
            }
            Arrays.sort(nanos);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("lat.p50", nanos[(int) (latCalls * 0.50)] / 1e6);
            out.put("lat.p99", nanos[Math.min(latCalls - 1, (int) (latCalls * 0.99))] / 1e6);
            for (int conc : concs) {
                closedLoop(client, call, options, conc, Math.min(0.3, seconds * 0.2));
                out.put("thr.c" + conc, closedLoop(client, call, options, conc, seconds));
            }
            StringBuilder json = new StringBuilder("{");
            out.forEach((k, v) -> json.append(json.length() > 1 ? "," : "").append('"').append(k).append("\":").append(v));
            System.out.println(json.append('}'));
        }
    }

    /** {@code conc} chains of calls back to back for {@code seconds}; calls per second. */
    private static double closedLoop(MlbridgeClient client, Map<String, Object> call, InvokeOptions options, int conc, double seconds)
            throws Exception {
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        AtomicLong done = new AtomicLong();
        List<CompletableFuture<Void>> chains = new ArrayList<>();
        for (int i = 0; i < conc; i++) {
            CompletableFuture<Void> chain = new CompletableFuture<>();
            next(client, call, options, end, done, chain);
            chains.add(chain);
        }
        CompletableFuture.allOf(chains.toArray(CompletableFuture[]::new)).get();
        return done.get() / ((System.nanoTime() - start) / 1e9);
    }

    private static void next(MlbridgeClient client, Map<String, Object> call, InvokeOptions options, long end, AtomicLong done,
            CompletableFuture<Void> chain) {
        client.invoke("echo", call, options).whenComplete((result, error) -> {
            if (error != null) {
                chain.completeExceptionally(error);
            } else if (done.incrementAndGet() > 0 && System.nanoTime() < end) {
                next(client, call, options, end, done, chain);
            } else {
                chain.complete(null);
            }
        });
    }
}
