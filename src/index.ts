export {PipelineClient} from './client/pipeline-client.js';
export type {ClientOptions, InvokeOptions} from './client/options.js';
export type {PipelineDescription} from './catalog/pipeline-description.js';
export type {PipelineLane} from './catalog/catalog-entry.js';
export type {Job, JobResultOptions} from './jobs/job-handle.js';
export type {SubmitOptions} from './jobs/job-client.js';
export type {JobFilter} from './jobs/job-store.js';
export type {JobState} from './jobs/job-record.js';
export {ModelClient, ModelNotFoundError, ModelTopicError, type ModelVersionInfo} from './models/index.js';
export type {JobProgress, JobProgressEvent, JobStatus} from './jobs/job-status.js';
export type {InvocationProgress} from './client/pending-calls.js';
export type {KafkaSecurityOptions, SaslMechanism, SaslOptions, TlsOptions} from './transport/security-options.js';
export type {PipelineSignature, PipelineTypes, UntypedPipelines} from './client/pipeline-types.js';
export type {
	AvroArraySchema,
	AvroEnumSchema,
	AvroFixedSchema,
	AvroMapSchema,
	AvroPrimitiveName,
	AvroPrimitiveSchema,
	AvroRecordField,
	AvroRecordSchema,
	AvroSchema,
	Contract,
	ContractPipeline,
} from './contract/contract.js';
export {
	AuthenticationError,
	AuthorizationError,
	BrokerUnreachableError,
	ClientClosedError,
	DeadlineExceededError,
	ErrorCode,
	InvalidArgumentsError,
	InvocationCancelledError,
	InvocationTimeoutError,
	JobAttemptsExhaustedError,
	JobCancelledError,
	JobNotFoundError,
	MlbridgeError,
	PipelineError,
	PipelineTimeoutError,
	PoisonMessageError,
	BlobUnavailableError,
	IncompatibleArgumentsError,
	type KnownEnvelopeVersion,
	UnsupportedEnvelopeError,
	RemoteError,
	RequestTooLargeError,
	ResultNotEncodableError,
	ResultTooLargeError,
	RunnerError,
	SchemaNotFoundError,
	TlsError,
	UnknownPipelineError,
	type RemoteCause,
	type AuthorizationResource,
	type TlsProblem,
	type RemoteErrorDetails,
} from './errors/index.js';
export {CodecError, ValueEncodingError, type WireValue} from './codec/index.js';
export {ArrowMissingError, type Dtype, loadArrow, Tensor, type TensorArray, type TensorArrayOf, TensorShapeError} from './data/index.js';
export type {ArrowTableLike} from './codec/index.js';
export {SchemaRegistryError, type SchemaRegistryErrorReason} from './registry/registry-errors.js';
export type {SchemaRegistryOptions} from './registry/schema-registry.js';
export {RunnerProcess, type RunnerEvent, type RunnerExit} from './runner/runner-process.js';
export type {RunnerOptions} from './runner/runner-options.js';
export {createLogger, type LogLevel, type Logger, type LogFields} from './logging/logger.js';
export type {ClientMetricsSnapshot, ClientMetricsSource, PipelineCallMetrics} from './observability/client-metrics.js';
export {latencyBucketsSeconds, type HistogramBucket, type HistogramSnapshot} from './observability/histogram.js';
export {MissingPeerDependencyError} from './observability/observability-errors.js';
export {readRunnerPresence, type PresenceReadOptions, type RunnerPresence} from './presence/presence-view.js';
export {PresenceReadTimeoutError} from './presence/presence-errors.js';
export {presenceTopicFor, type PresenceRecord} from './presence/presence-record.js';
