package dev.mlbridge.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.mlbridge.client.codec.JobRecord;
import dev.mlbridge.client.errors.JobCancelledException;
import dev.mlbridge.client.errors.JobNotFoundException;
import dev.mlbridge.client.errors.PipelineException;
import dev.mlbridge.client.jobs.Job;
import dev.mlbridge.client.jobs.JobFilter;
import dev.mlbridge.client.jobs.JobProgressEvent;
import dev.mlbridge.client.jobs.JobStatus;
import dev.mlbridge.client.jobs.SubmitOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Jobs and call cancellation (docs/jobs.md) from Java, against a real runner serving
 * test/fixtures/job_pipelines.py on the real broker: the counterpart of test/integration/jobs.test.ts.
 */
class JobsTest {
    static String requestTopic;
    static RunnerProcess runner;
    static MlbridgeClient client;
    static Path markers;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(RunnerProcess.available(), "no .venv/bin/python: run `npm run python:setup` first");
        requestTopic = "test.java.jobs." + UUID.randomUUID().toString().substring(0, 10);
        markers = Files.createTempDirectory("mlbridge-java-jobs");
        client = MlbridgeClient.connect(options().build());
        runner = RunnerProcess.start(ClientTest.BROKERS, requestTopic, List.of("--cancel-grace", "1", "--job-concurrency", "2"), Map.of(),
                Vectors.repo().resolve("test/fixtures/job_pipelines.py"), Vectors.repo().resolve("test/fixtures/typed_pipelines.py"));
    }

    static ClientOptions.Builder options() {
        return ClientOptions.builder().brokers(ClientTest.BROKERS).requestTopic(requestTopic).requestPartitions(4).catalogTopic(requestTopic + ".catalog");
    }

    @AfterAll
    static void stop() throws Exception {
        if (client != null) {
            client.close();
        }
        if (runner != null) {
            runner.close();
        }
    }

    static void waitFor(BooleanSupplier condition, long ms) throws InterruptedException {
        long deadline = System.currentTimeMillis() + ms;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("condition not met within " + ms + " ms");
            }
            Thread.sleep(50);
        }
    }

    static List<String> lines(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file) : List.of();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aJobReportsEachProgressOnceInOrderAndResolvesWithItsResult() throws Exception {
        List<JobProgressEvent> events = Collections.synchronizedList(new ArrayList<>());
        Job job = client.submit("train_steps", Map.of("steps", 5, "step_seconds", 0.15),
                SubmitOptions.builder().onProgress(events::add).build());
        Object result = job.result().get(60, TimeUnit.SECONDS);
        assertEquals(Map.of("steps", 5L, "attempt", 1L, "resumed_from", 0L), result);
        JobStatus status = job.status();
        assertEquals(JobRecord.State.SUCCEEDED, status.state());
        assertEquals(1, status.attempt());
        assertEquals(3, status.maxAttempts());
        assertEquals(client.clientId(), status.submittedBy());
        assertTrue(status.hasCheckpoint());
        // The runner writes at most one report per 100 ms: some may be folded into the next.
        waitFor(() -> !events.isEmpty() && events.get(events.size() - 1).current() == 5.0, 5000);
        assertTrue(events.size() >= 2, "events " + events);
        for (int i = 1; i < events.size(); i++) {
            assertTrue(events.get(i).seq() > events.get(i - 1).seq(), "out of order: " + events);
        }
        JobProgressEvent last = events.get(events.size() - 1);
        assertEquals(5.0, last.total());
        assertEquals("step 5/5", last.message());
        assertEquals(job.id(), last.jobId());
        assertEquals(last, status.progress());
    }

    @Test
    void anotherClientReattachesListsAndNeverRunsAJobTwice() throws Exception {
        String id = "java-job-" + UUID.randomUUID();
        Path marker = markers.resolve(id);
        Job job = client.submit("train_steps", Map.of("steps", 2, "marker", marker.toString()), SubmitOptions.builder().jobId(id).build());
        assertEquals(id, job.id());
        try (MlbridgeClient other = MlbridgeClient.connect(options().build())) {
            Job again = other.job(id);
            assertEquals("train_steps", again.pipeline());
            assertEquals(2L, ((Map<?, ?>) again.result().get(60, TimeUnit.SECONDS)).get("steps"));
            // The same id submitted again: a handle on the finished job, nothing run.
            Job resubmitted = other.submit("train_steps", Map.of("steps", 2, "marker", marker.toString()), SubmitOptions.builder().jobId(id).build());
            assertEquals(JobRecord.State.SUCCEEDED, resubmitted.status().state());
            List<JobStatus> listed = other.jobs(JobFilter.pipeline("train_steps").withStates(JobRecord.State.SUCCEEDED));
            assertTrue(listed.stream().anyMatch(s -> s.id().equals(id)), "listed " + listed);
            assertTrue(other.jobs(JobFilter.pipeline("nope")).isEmpty());
        }
        assertEquals(2, lines(marker).size(), "steps run: " + lines(marker));
        assertInstanceOf(JobNotFoundException.class, assertThrows(JobNotFoundException.class, () -> client.job("no-such-" + id)));
    }

    @Test
    void cancellingARunningJobStopsItsPipeline() throws Exception {
        Path marker = markers.resolve("cancel-" + UUID.randomUUID());
        Job job = client.submit("train_steps", Map.of("steps", 400, "step_seconds", 0.05, "marker", marker.toString()));
        waitFor(() -> lines(marker).size() >= 2, 30_000);
        JobStatus asked = job.cancel();
        assertTrue(asked.state() == JobRecord.State.CANCEL_REQUESTED || asked.state() == JobRecord.State.CANCELLED, asked.toString());
        JobCancelledException e = assertInstanceOf(JobCancelledException.class, ClientTest.failure(job.result()));
        assertEquals(job.id(), e.requestId());
        assertEquals("CANCELLED", e.code());
        assertEquals(JobRecord.State.CANCELLED, job.status().state());
        int count = lines(marker).size();
        Thread.sleep(400);
        assertEquals(count, lines(marker).size(), "the job kept working");
        assertTrue(count < 400);
    }

    @Test
    void aQueuedJobCancelledNeverStartsAndItsArgumentsReadBack() throws Exception {
        Path marker = markers.resolve("queued-" + UUID.randomUUID());
        // Two long jobs fill the runner's two job slots; the third waits, QUEUED.
        Job first = client.submit("train_steps", Map.of("steps", 400, "step_seconds", 0.05));
        Job second = client.submit("train_steps", Map.of("steps", 400, "step_seconds", 0.05));
        waitFor(() -> first.status().state() == JobRecord.State.RUNNING && second.status().state() == JobRecord.State.RUNNING, 30_000);
        Job queued = client.submit("train_steps", Map.of("steps", 3, "marker", marker.toString()));
        assertEquals(JobRecord.State.QUEUED, queued.status().state());
        assertEquals(Map.of("steps", 3L, "marker", marker.toString()), queued.args());
        JobStatus cancelled = client.cancel(queued.id());
        assertEquals(JobRecord.State.CANCELLED, cancelled.state());
        JobCancelledException e = assertInstanceOf(JobCancelledException.class, ClientTest.failure(queued.result()));
        assertEquals("cancelled while queued", e.reason());
        first.cancel();
        second.cancel();
        assertInstanceOf(JobCancelledException.class, ClientTest.failure(first.result()));
        assertInstanceOf(JobCancelledException.class, ClientTest.failure(second.result()));
        // The runner reached the cancelled job once a slot freed: it never ran a step.
        Thread.sleep(1000);
        assertEquals(List.of(), lines(marker));
        assertEquals(JobRecord.State.CANCELLED, client.job(queued.id()).status().state());
    }

    @Test
    void aTypedPipelineSubmittedAsAJobTakesAndGivesItsOwnSchema() throws Exception {
        waitFor(() -> client.describe("typed_train").isPresent() && client.describe("train_steps").isPresent(), 30_000);
        assertEquals("JOB", client.describe("train_steps").orElseThrow().lane());
        Job job = client.submit("typed_train", Map.of("dataset", "cpu", "config", Map.of("epochs", 3, "optimizer", "SGD", "layers", List.of(4)), "mode", "full"));
        Map<?, ?> result = (Map<?, ?>) job.result().get(60, TimeUnit.SECONDS);
        assertEquals("cpu-sgd-3", result.get("model_id"));
        assertEquals(java.time.Instant.parse("2024-01-02T03:04:05.678Z"), result.get("trained_at"));
        assertEquals(List.of(1.0, 0.5, 0.333333), result.get("history"));
        // The arguments as written: the schema's defaults filled in.
        Map<?, ?> args = (Map<?, ?>) job.args();
        assertEquals(Map.of("epochs", 3L, "learning_rate", 0.01, "optimizer", "SGD", "layers", List.of(4L)), args.get("config"));
        assertEquals("full", args.get("mode"));
        assertTrue(args.containsKey("tags") && args.get("tags") == null, "args " + args);
    }

    @Test
    void aFailedJobRaisesThePipelinesTypedErrorWithTheJobId() {
        Job job = client.submit("failing_job", Map.of("message", "bad data"));
        PipelineException e = assertInstanceOf(PipelineException.class, ClientTest.failure(job.result()));
        assertEquals("bad data", e.getMessage());
        assertEquals("ValueError", e.remoteType());
        assertEquals(job.id(), e.requestId());
        assertEquals(JobRecord.State.FAILED, job.status().state());
    }

    @Test
    void cancellingAnInvokesFutureStopsTheRunnersWork() throws Exception {
        Path marker = markers.resolve("call-" + UUID.randomUUID());
        CompletableFuture<Object> call = client.invoke("slow_call", Map.of("seconds", 30.0, "marker", marker.toString()));
        waitFor(() -> lines(marker).size() >= 2, 30_000);
        assertTrue(call.cancel(true));
        waitFor(() -> {
            List<String> seen = lines(marker);
            return seen.get(seen.size() - 1).equals("cancelled");
        }, 5000);
        int count = lines(marker).size();
        Thread.sleep(400);
        assertEquals(count, lines(marker).size());
        assertEquals(0, client.pendingCount());
    }
}
