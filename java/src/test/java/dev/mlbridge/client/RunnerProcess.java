package dev.mlbridge.client;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A real Python runner (the repository's .venv), started as test/helpers/harness.ts starts one:
 * its own request topic, group and catalogue topic; ready once its JSON-lines log on stderr says
 * {@code runner.assigned}.
 */
final class RunnerProcess implements AutoCloseable {
    private final Process process;
    private final Deque<String> tail = new ArrayDeque<>();
    private final CompletableFuture<Void> assigned = new CompletableFuture<>();

    private RunnerProcess(Process process) {
        this.process = process;
        Thread reader = new Thread(this::readLog, "runner-log");
        reader.setDaemon(true);
        reader.start();
    }

    static Path python() {
        return Vectors.repo().resolve(".venv/bin/python");
    }

    static boolean available() {
        return Files.isExecutable(python());
    }

    static RunnerProcess start(String brokers, String requestTopic, Path... pipelines) throws Exception {
        return start(brokers, requestTopic, List.of(), Map.of(), pipelines);
    }

    /** With extra runner arguments ({@code --cancel-grace 1}) and environment ({@code MLBRIDGE_BLOB_STORE}). */
    static RunnerProcess start(String brokers, String requestTopic, List<String> extraArgs, Map<String, String> env, Path... pipelines) throws Exception {
        Path repo = Vectors.repo();
        List<String> command = new ArrayList<>(List.of(python().toString(), "-m", "mlbridge_runner"));
        for (Path file : pipelines) {
            command.addAll(List.of("--pipelines", file.toString()));
        }
        command.addAll(List.of(
                "--brokers", brokers,
                "--request-topic", requestTopic,
                "--group", requestTopic + ".runners",
                "--catalog-topic", requestTopic + ".catalog",
                "--partitions", "4",
                "--concurrency", "8",
                "--log-level", "info"));
        command.addAll(extraArgs);
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(env);
        builder.environment().put("PYTHONPATH", repo.resolve("python-runner").toString());
        builder.environment().put("PYTHONUNBUFFERED", "1");
        builder.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        RunnerProcess runner = new RunnerProcess(builder.start());
        try {
            runner.assigned.get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            runner.close();
            throw new IllegalStateException("The runner was not assigned partitions within 60 s:\n" + runner.tail(), e);
        }
        return runner;
    }

    private void readLog() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                synchronized (tail) {
                    tail.addLast(line);
                    if (tail.size() > 20) {
                        tail.removeFirst();
                    }
                }
                if (line.contains("\"runner.assigned\"")) {
                    assigned.complete(null);
                }
            }
        } catch (IOException e) {
            // the process went away
        }
        assigned.completeExceptionally(new IllegalStateException("the runner exited"));
    }

    String tail() {
        synchronized (tail) {
            return String.join("\n", tail);
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }
}
