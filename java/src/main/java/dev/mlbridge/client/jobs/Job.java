package dev.mlbridge.client.jobs;

import dev.mlbridge.client.codec.JobRecord;
import dev.mlbridge.client.errors.ClientClosedException;
import dev.mlbridge.client.errors.InvocationTimeoutException;
import dev.mlbridge.client.errors.JobNotFoundException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A handle on one job, the same whether this process submitted it or reattached with
 * {@code client.job(id)}: everything it says comes from the job state topic.
 */
public final class Job {
    private final String id;
    private final String pipeline;
    private final JobStore store;
    private final Function<JobRecord, Object> readResult;
    private final Function<JobRecord, Object> readArgs;
    private final Function<String, JobStatus> cancel;

    Job(String id, String pipeline, JobStore store, Function<JobRecord, Object> readResult, Function<JobRecord, Object> readArgs,
            Function<String, JobStatus> cancel) {
        this.id = id;
        this.pipeline = pipeline;
        this.store = store;
        this.readResult = readResult;
        this.readArgs = readArgs;
        this.cancel = cancel;
    }

    public String id() {
        return id;
    }

    public String pipeline() {
        return pipeline;
    }

    /** The job's current state as this client has read it. @throws JobNotFoundException */
    public JobStatus status() {
        JobRecord record = store.find(id);
        if (record == null) {
            throw new JobNotFoundException(id);
        }
        return JobStatus.of(record);
    }

    /**
     * The arguments the job was submitted with, decoded as its result would be (typed pipelines:
     * schema defaults filled in). @throws JobNotFoundException
     */
    public Object args() {
        JobRecord record = store.find(id);
        if (record == null) {
            throw new JobNotFoundException(id);
        }
        return readArgs.apply(record);
    }

    /**
     * Completes with the result once the job SUCCEEDED; exceptionally with JobCancelledException,
     * JobAttemptsExhaustedException or the pipeline's typed error (PipelineException, …: requestId =
     * the job id), JobNotFoundException when the job left the topic, ClientClosedException on close.
     * Cancelling the future stops waiting; the job goes on.
     */
    public CompletableFuture<Object> result() {
        CompletableFuture<Object> future = new CompletableFuture<>();
        Runnable unwatch = store.watch(id, event -> {
            switch (event.kind()) {
                case RECORD -> settle(event.record(), future);
                case REMOVED -> future.completeExceptionally(new JobNotFoundException(id));
                case CLOSED -> future.completeExceptionally(new ClientClosedException(id));
            }
        });
        future.whenComplete((r, e) -> unwatch.run());
        JobRecord current = store.get(id);
        if (current == null) {
            future.completeExceptionally(new JobNotFoundException(id));
        } else {
            settle(current, future);
        }
        return future;
    }

    /** As {@link #result()}, failing with InvocationTimeoutException after {@code timeout} (the job goes on). */
    public CompletableFuture<Object> result(Duration timeout) {
        return result().orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).exceptionallyCompose(e ->
                CompletableFuture.failedFuture(e instanceof java.util.concurrent.TimeoutException
                        ? new InvocationTimeoutException(id, pipeline, timeout) : e));
    }

    private void settle(JobRecord record, CompletableFuture<Object> future) {
        if (!record.state().terminal() || future.isDone()) {
            return;
        }
        if (record.state() != JobRecord.State.SUCCEEDED) {
            future.completeExceptionally(JobFailure.of(record));
            return;
        }
        try {
            future.complete(readResult.apply(record));
        } catch (RuntimeException e) {
            future.completeExceptionally(e);
        }
    }

    /**
     * Hear this job's progress reports from now on, each once and in order, on the client's job
     * thread (keep the listener short). Close the returned handle to stop; it stops by itself when
     * the job is terminal.
     */
    public AutoCloseable onProgress(Consumer<JobProgressEvent> listener) {
        JobRecord start = store.get(id);
        int[] last = {start == null ? 0 : start.progressSeq(), start == null ? 0 : start.attempt()};
        Runnable[] unwatch = {null};
        unwatch[0] = store.watch(id, event -> {
            if (event.kind() != JobStore.Event.Kind.RECORD) {
                stop(unwatch);
                return;
            }
            JobRecord r = event.record();
            if (r.state().terminal()) {
                stop(unwatch);
            }
            // Records arrive on the job thread and, for this client's own writes, on the writer's.
            synchronized (last) {
                // A runner taking the job over may count its reports from zero again.
                if (r.attempt() > last[1] && r.progressSeq() < last[0]) {
                    last[0] = 0;
                }
                last[1] = Math.max(last[1], r.attempt());
                if (r.progressSeq() > last[0]) {
                    last[0] = r.progressSeq();
                    JobProgressEvent progress = JobProgressEvent.of(r);
                    if (progress != null) {
                        listener.accept(progress);
                    }
                }
            }
        });
        return unwatch[0]::run;
    }

    private static void stop(Runnable[] unwatch) {
        if (unwatch[0] != null) {
            unwatch[0].run();
        }
    }

    /** As {@code client.cancel(id)}: the state after the cancellation was written. */
    public JobStatus cancel() {
        return cancel.apply(id);
    }

    @Override
    public String toString() {
        return "Job[" + id + ", " + pipeline + "]";
    }
}
