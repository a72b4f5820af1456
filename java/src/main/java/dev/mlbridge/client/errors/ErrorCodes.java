package dev.mlbridge.client.errors;

import java.util.Map;
import java.util.Set;

/**
 * The remote error codes of {@code schemas/error-codes.json} and the exception each becomes. A test
 * keeps {@link #CODES} equal to that file; every code has a class of its own.
 */
public final class ErrorCodes {
    public static final String UNKNOWN_PIPELINE = "UNKNOWN_PIPELINE";
    public static final String INVALID_ARGUMENTS = "INVALID_ARGUMENTS";
    public static final String PIPELINE_ERROR = "PIPELINE_ERROR";
    public static final String PIPELINE_TIMEOUT = "PIPELINE_TIMEOUT";
    public static final String CANCELLED = "CANCELLED";
    public static final String REQUEST_TOO_LARGE = "REQUEST_TOO_LARGE";
    public static final String DEADLINE_EXCEEDED = "DEADLINE_EXCEEDED";
    public static final String UNDECODABLE_REQUEST = "UNDECODABLE_REQUEST";
    public static final String RESULT_NOT_ENCODABLE = "RESULT_NOT_ENCODABLE";
    public static final String INTERNAL = "INTERNAL";
    public static final String RESULT_TOO_LARGE = "RESULT_TOO_LARGE";
    public static final String JOB_ATTEMPTS_EXHAUSTED = "JOB_ATTEMPTS_EXHAUSTED";
    public static final String POISON_MESSAGE = "POISON_MESSAGE";
    public static final String BLOB_UNAVAILABLE = "BLOB_UNAVAILABLE";
    public static final String UNSUPPORTED_ENVELOPE = "UNSUPPORTED_ENVELOPE";
    public static final String INCOMPATIBLE_ARGUMENTS = "INCOMPATIBLE_ARGUMENTS";

    public static final Set<String> CODES = Set.of(UNKNOWN_PIPELINE, INVALID_ARGUMENTS, PIPELINE_ERROR, PIPELINE_TIMEOUT,
            CANCELLED, REQUEST_TOO_LARGE, DEADLINE_EXCEEDED, UNDECODABLE_REQUEST, RESULT_NOT_ENCODABLE, INTERNAL,
            RESULT_TOO_LARGE, JOB_ATTEMPTS_EXHAUSTED, POISON_MESSAGE, BLOB_UNAVAILABLE, UNSUPPORTED_ENVELOPE, INCOMPATIBLE_ARGUMENTS);

    private interface Factory {
        RemoteException create(String requestId, String pipeline, RemoteErrorDetails details, String runner);
    }

    // Map.of stops at 10 pairs.
    private static final Map<String, Factory> REMOTE = Map.ofEntries(
            Map.entry(UNKNOWN_PIPELINE, UnknownPipelineException::new),
            Map.entry(INVALID_ARGUMENTS, InvalidArgumentsException::new),
            Map.entry(PIPELINE_ERROR, PipelineException::new),
            Map.entry(PIPELINE_TIMEOUT, PipelineTimeoutException::new),
            Map.entry(DEADLINE_EXCEEDED, DeadlineExceededException::new),
            Map.entry(UNDECODABLE_REQUEST, UndecodableRequestException::new),
            Map.entry(RESULT_NOT_ENCODABLE, ResultNotEncodableException::new),
            Map.entry(INTERNAL, InternalRunnerException::new),
            Map.entry(RESULT_TOO_LARGE, ResultTooLargeException::new),
            Map.entry(JOB_ATTEMPTS_EXHAUSTED, JobAttemptsExhaustedException::new),
            Map.entry(POISON_MESSAGE, PoisonMessageException::new),
            Map.entry(BLOB_UNAVAILABLE, BlobUnavailableException::new),
            Map.entry(UNSUPPORTED_ENVELOPE, UnsupportedEnvelopeException::new),
            Map.entry(INCOMPATIBLE_ARGUMENTS, IncompatibleArgumentsException::new));

    private ErrorCodes() {}

    /** The exception for a reply's RemoteError; unknown codes (a newer runner) become RunnerException. */
    public static MlbridgeException fromReply(String requestId, String pipeline, RemoteErrorDetails details, String runner) {
        if (CANCELLED.equals(details.code())) {
            return new InvocationCancelledException(requestId, pipeline, details.message());
        }
        if (REQUEST_TOO_LARGE.equals(details.code())) {
            return new RequestTooLargeException(requestId, -1, -1, details.message());
        }
        return REMOTE.getOrDefault(details.code(), RunnerException::new).create(requestId, pipeline, details, runner);
    }
}
