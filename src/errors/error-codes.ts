import {
	BlobUnavailableError,
	DeadlineExceededError,
	InvalidArgumentsError,
	PipelineError,
	PipelineTimeoutError,
	PoisonMessageError,
	type RemoteError,
	type RemoteErrorDetails,
	ResultNotEncodableError,
	RunnerError,
	UnknownPipelineError,
} from './remote-errors.js';
import {InvocationCancelledError, RequestTooLargeError} from './invocation-errors.js';
import {JobAttemptsExhaustedError, ResultTooLargeError} from './job-errors.js';
import {IncompatibleArgumentsError} from './incompatible-arguments-error.js';
import {UnsupportedEnvelopeError} from './unsupported-envelope-error.js';
import type {MlbridgeError} from './base.js';

/**
 * The remote error codes, identical to schemas/error-codes.json (a unit test keeps them equal) and
 * to the Python runner's error_codes module.
 */
export const ErrorCode = {
	UNKNOWN_PIPELINE: 'UNKNOWN_PIPELINE',
	INVALID_ARGUMENTS: 'INVALID_ARGUMENTS',
	PIPELINE_ERROR: 'PIPELINE_ERROR',
	PIPELINE_TIMEOUT: 'PIPELINE_TIMEOUT',
	CANCELLED: 'CANCELLED',
	REQUEST_TOO_LARGE: 'REQUEST_TOO_LARGE',
	DEADLINE_EXCEEDED: 'DEADLINE_EXCEEDED',
	UNDECODABLE_REQUEST: 'UNDECODABLE_REQUEST',
	RESULT_NOT_ENCODABLE: 'RESULT_NOT_ENCODABLE',
	INTERNAL: 'INTERNAL',
	RESULT_TOO_LARGE: 'RESULT_TOO_LARGE',
	JOB_ATTEMPTS_EXHAUSTED: 'JOB_ATTEMPTS_EXHAUSTED',
	POISON_MESSAGE: 'POISON_MESSAGE',
	BLOB_UNAVAILABLE: 'BLOB_UNAVAILABLE',
	UNSUPPORTED_ENVELOPE: 'UNSUPPORTED_ENVELOPE',
	INCOMPATIBLE_ARGUMENTS: 'INCOMPATIBLE_ARGUMENTS',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

type RemoteErrorClass = new (
	requestId: string,
	pipeline: string,
	details: RemoteErrorDetails,
	runner: string,
) => RemoteError;

const classByCode: Readonly<Record<string, RemoteErrorClass>> = {
	[ErrorCode.UNKNOWN_PIPELINE]: UnknownPipelineError,
	[ErrorCode.INVALID_ARGUMENTS]: InvalidArgumentsError,
	[ErrorCode.PIPELINE_ERROR]: PipelineError,
	[ErrorCode.PIPELINE_TIMEOUT]: PipelineTimeoutError,
	[ErrorCode.DEADLINE_EXCEEDED]: DeadlineExceededError,
	[ErrorCode.RESULT_NOT_ENCODABLE]: ResultNotEncodableError,
	[ErrorCode.RESULT_TOO_LARGE]: ResultTooLargeError,
	// Only job records carry it; a reply with it still gets its own class (attempts unknown: -1).
	[ErrorCode.JOB_ATTEMPTS_EXHAUSTED]: JobAttemptsExhaustedError,
	[ErrorCode.POISON_MESSAGE]: PoisonMessageError,
	[ErrorCode.BLOB_UNAVAILABLE]: BlobUnavailableError,
	[ErrorCode.UNSUPPORTED_ENVELOPE]: UnsupportedEnvelopeError,
	[ErrorCode.INCOMPATIBLE_ARGUMENTS]: IncompatibleArgumentsError,
};

/** Rebuild the typed error for a reply's RemoteError. Unknown codes become RunnerError. */
export function errorFromReply(
	requestId: string,
	pipeline: string,
	details: RemoteErrorDetails,
	runner: string,
): MlbridgeError {
	if (details.code === ErrorCode.CANCELLED) {
		return new InvocationCancelledError(requestId, pipeline, details.message);
	}

	if (details.code === ErrorCode.REQUEST_TOO_LARGE) {
		return new RequestTooLargeError(requestId, -1, -1, details.message);
	}

	const ErrorClass = classByCode[details.code] ?? RunnerError;
	return new ErrorClass(requestId, pipeline, details, runner);
}
