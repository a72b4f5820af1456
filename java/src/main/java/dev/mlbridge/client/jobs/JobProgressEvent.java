package dev.mlbridge.client.jobs;

import dev.mlbridge.client.codec.JobRecord;

/**
 * One progress report of a job, delivered once and in order ({@code seq} grows by one per report).
 *
 * @param total null when the pipeline did not say how much there is
 * @param atMs  when the pipeline reported it (runner's clock)
 */
public record JobProgressEvent(String jobId, int seq, double current, Double total, String message, long atMs) {
    static JobProgressEvent of(JobRecord r) {
        JobRecord.Progress p = r.progress();
        return p == null ? null : new JobProgressEvent(r.id(), r.progressSeq(), p.current(), p.total(), p.message(), p.atMs());
    }
}
