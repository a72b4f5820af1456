package dev.mlbridge.client.jobs;

import dev.mlbridge.client.codec.JobRecord;
import dev.mlbridge.client.errors.ErrorCodes;
import dev.mlbridge.client.errors.JobAttemptsExhaustedException;
import dev.mlbridge.client.errors.JobCancelledException;
import dev.mlbridge.client.errors.MlbridgeException;
import dev.mlbridge.client.errors.RemoteErrorDetails;
import java.util.List;

/**
 * The typed exception of a FAILED or CANCELLED job, rebuilt from its record's error the way a
 * call's is rebuilt from its reply, with requestId = the job id.
 */
final class JobFailure {
    private JobFailure() {}

    static MlbridgeException of(JobRecord record) {
        RemoteErrorDetails details = JobStatus.details(record.error());
        if (details == null) {
            details = new RemoteErrorDetails(record.state() == JobRecord.State.CANCELLED ? ErrorCodes.CANCELLED : ErrorCodes.INTERNAL,
                    "MissingError", "", "", false, List.of());
        }
        if (record.state() == JobRecord.State.CANCELLED || ErrorCodes.CANCELLED.equals(details.code())) {
            return new JobCancelledException(record.id(), record.pipeline(), details.message(), record.runner());
        }
        if (ErrorCodes.JOB_ATTEMPTS_EXHAUSTED.equals(details.code())) {
            // The runner that gives up may count the attempt it refused to start: at most maxAttempts ran.
            return new JobAttemptsExhaustedException(record.id(), record.pipeline(), details, record.runner(),
                    Math.min(record.attempt(), record.maxAttempts()), record.maxAttempts());
        }
        return ErrorCodes.fromReply(record.id(), record.pipeline(), details, record.runner());
    }
}
