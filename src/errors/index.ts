export {MlbridgeError} from './base.js';
export {
	BrokerUnreachableError,
	ClientClosedError,
	InvocationCancelledError,
	InvocationTimeoutError,
	RequestTooLargeError,
} from './invocation-errors.js';
export {
	DeadlineExceededError,
	InvalidArgumentsError,
	PipelineError,
	PipelineTimeoutError,
	PoisonMessageError,
	BlobUnavailableError,
	RemoteError,
	ResultNotEncodableError,
	RunnerError,
	UnknownPipelineError,
	type RemoteCause,
	type RemoteErrorDetails,
} from './remote-errors.js';
export {ErrorCode, errorFromReply} from './error-codes.js';
export {IncompatibleArgumentsError} from './incompatible-arguments-error.js';
export {type KnownEnvelopeVersion, UnsupportedEnvelopeError} from './unsupported-envelope-error.js';
export {JobAttemptsExhaustedError, JobCancelledError, JobNotFoundError, ResultTooLargeError} from './job-errors.js';
export {SchemaNotFoundError} from './schema-errors.js';
export {AuthenticationError, AuthorizationError, TlsError, type AuthorizationResource, type TlsProblem} from './security-errors.js';
