import type {LargePayloadOptions} from '../blobs/claim-check.js';
import type {Contract} from '../contract/contract.js';
import type {LogLevel, Logger} from '../logging/logger.js';
import type {SchemaRegistryOptions} from '../registry/schema-registry.js';
import type {SaslOptions, TlsOptions} from '../transport/security-options.js';
import type {PipelineTypes, UntypedPipelines} from './pipeline-types.js';

export type ClientOptions<P extends PipelineTypes = UntypedPipelines> = {
	/**
	 * Kafka bootstrap servers.
	 * @default `KAFKA_BROKERS` split on commas, else `["127.0.0.1:9092"]`
	 */
	readonly brokers?: readonly string[];
	/**
	 * Topic requests are produced to; runners consume it.
	 * @default `MLBRIDGE_REQUEST_TOPIC`, else `"ml.pipeline.input"`
	 */
	readonly requestTopic?: string;
	/**
	 * Partitions of the request topic when this client is the one that creates it. Bounds how many
	 * runners can share the work.
	 * @default 12
	 */
	readonly requestPartitions?: number;
	/**
	 * This client's reply topic is `replyTopicPrefix + clientId`, followed by `-` and 8 random hex
	 * digits when you chose the clientId (see `clientId`); only this client instance reads it.
	 * @default "ml.pipeline.reply."
	 */
	readonly replyTopicPrefix?: string;
	/**
	 * Retention of the reply topic: replies addressed to a client that died expire after this.
	 * @default 3_600_000 (one hour)
	 */
	readonly replyRetentionMs?: number;
	/**
	 * Delete the reply topic on close().
	 * @default true
	 */
	readonly deleteReplyTopicOnClose?: boolean;
	/**
	 * Time limit of invoke() when the call does not give one. `Infinity` waits forever.
	 * @default 30_000
	 */
	readonly defaultTimeoutMs?: number;
	/**
	 * Largest encoded request accepted; bigger ones fail with RequestTooLargeError before sending.
	 * @default the request topic's `max.message.bytes` as the broker reports it, else 1_048_588
	 */
	readonly maxRequestBytes?: number;
	/**
	 * Name of this client, e.g. the service's name from configuration: the same on every pod is
	 * fine. It is the readable start of this instance's reply topic and groups, which end in 8
	 * random hex digits of each instance (`ml.pipeline.reply.api3-1f0c9a2e`), so two instances with
	 * one clientId never share replies, and closing one never touches the other's topic. Also names
	 * the submitter of jobs and the Kafka client.
	 * @default `"c-"` + 16 random hex digits (already unique: used as it is)
	 */
	readonly clientId?: string;
	/**
	 * How long to wait for the brokers when connecting before failing with BrokerUnreachableError.
	 * @default 10_000
	 */
	readonly connectTimeoutMs?: number;
	/**
	 * TLS to the brokers: `true` (system CAs) or `tls.connect` options — `ca` for a private CA,
	 * `cert` and `key` for mutual TLS (PEM text you read from files). An untrusted certificate or a
	 * TLS/plaintext mismatch ends connect() at once with TlsError.
	 * @default with neither `ssl` nor `sasl` given, the runner's environment variables
	 * (MLBRIDGE_SECURITY_PROTOCOL, MLBRIDGE_SSL_CA, …: docs/production.md), else no TLS
	 */
	readonly ssl?: TlsOptions;
	/**
	 * SASL authentication (`plain`, `scram-sha-256`, `scram-sha-512`), normally with `ssl`. Refused
	 * credentials end connect() at once with AuthenticationError.
	 * @default as `ssl`: MLBRIDGE_SASL_MECHANISM, MLBRIDGE_SASL_USERNAME, MLBRIDGE_SASL_PASSWORD(_FILE), else none
	 */
	readonly sasl?: SaslOptions;
	/**
	 * Replication factor of the topics this client creates (request, reply, catalogue, job topics).
	 * @default min(3, brokers in the cluster)
	 */
	readonly replicationFactor?: number;
	/**
	 * Log level of the built-in JSON-lines logger on stderr (ignored when `logger` is given).
	 * @default `MLBRIDGE_LOG_LEVEL`, else `"warn"`
	 */
	readonly logLevel?: LogLevel;
	/** Your own logger. */
	readonly logger?: Logger;
	/**
	 * What invoke() does while the brokers cannot be reached. `"wait"` keeps trying to send until
	 * the call's deadline (then InvocationTimeoutError); `"fail"` rejects at once with
	 * BrokerUnreachableError. Either way no call outlives its deadline.
	 * @default "wait"
	 */
	readonly whenBrokerDown?: 'wait' | 'fail';
	/**
	 * The pinned schemas, as `mlbridge codegen` prints them. invoke() encodes arguments and reads
	 * results with these (resolving what a newer or older runner wrote), and the client's type
	 * becomes `PipelineClient<P>`. Without it, the newest catalogue version of each pipeline is used.
	 */
	readonly contract?: Contract<P>;
	/**
	 * The compacted topic where runners publish their pipelines and clients their pinned schemas.
	 * @default `MLBRIDGE_CATALOG_TOPIC`, else `"ml.pipeline.catalog"`
	 */
	readonly catalogTopic?: string;
	/**
	 * Check arguments against the pipeline's schema before sending: a wrong call rejects with
	 * InvalidArgumentsError (`origin: 'local'`) naming the field, and nothing is sent.
	 * @default true
	 */
	readonly validateArguments?: boolean;
	/**
	 * A Confluent-compatible schema registry. Requests are then framed with the Confluent wire
	 * format (`00` + schema id; request.avsc registered under `<requestTopic>-value`), typed
	 * arguments name their schema `registry:<id>`, and replies are read in either framing. Runners
	 * need `--schema-registry` with the same registry. Failures: SchemaRegistryError.
	 */
	readonly schemaRegistry?: SchemaRegistryOptions;
	/**
	 * Topic job requests are produced to (submit()); the runners' job lane consumes it.
	 * @default `requestTopic + ".jobs"`
	 */
	readonly jobTopic?: string;
	/**
	 * The compacted topic holding every job's state and result (docs/jobs.md).
	 * @default `requestTopic + ".jobs.state"`
	 */
	readonly jobStateTopic?: string;
	/**
	 * How long job requests, states and results are kept, when this client creates the job topics.
	 * @default 604_800_000 (7 days)
	 */
	readonly jobRetentionMs?: number;
	/**
	 * Runs a job may start (each runner death costs one) before it fails with
	 * JobAttemptsExhaustedError, unless submit() says otherwise.
	 * @default 3
	 */
	readonly jobMaxAttempts?: number;
	/**
	 * Large payloads by reference (claim check, docs/protocol.md): args bodies above
	 * `thresholdBytes` are written to the blob store and the request carries a reference; results
	 * that come by reference are fetched, verified (SHA-256) and deleted. Unset: bodies travel inline
	 * (bounded by max.message.bytes) and a result by reference rejects with BlobUnavailableError.
	 * Runners need `MLBRIDGE_BLOB_STORE` naming the same store.
	 */
	readonly largePayloads?: LargePayloadOptions;
};

export type InvokeOptions = {
	/**
	 * Reject with InvocationTimeoutError when no reply arrived within this time. Travels to the
	 * runner as the request's deadline: a runner that picks the request up later skips it.
	 * @default the client's `defaultTimeoutMs`
	 */
	readonly timeoutMs?: number;
	/** Abort the call: the promise rejects with InvocationCancelledError. */
	readonly signal?: AbortSignal;
	/** Extra headers (for example trace context) carried to the runner. */
	readonly headers?: Readonly<Record<string, string>>;
	/**
	 * A key naming this piece of work: a runner that already answered the same key recently answers
	 * from its stored result instead of running the pipeline again. Also the Kafka message key, so
	 * repeats reach the same partition and so the same runner.
	 */
	readonly idempotencyKey?: string;
	/**
	 * For a pipeline declared `@pipeline(model=...)`: run with this saved version of its model
	 * instead of the current one (header `mlbridge-model-version`; docs/models.md).
	 */
	readonly modelVersion?: number;
	/** Called for each progress report of a long-running pipeline. */
	readonly onProgress?: (progress: import('./pending-calls.js').InvocationProgress) => void;
};

export type ResolvedClientOptions = Required<Omit<ClientOptions, 'logLevel' | 'logger' | 'maxRequestBytes' | 'contract' | 'schemaRegistry' | 'ssl' | 'sasl' | 'replicationFactor' | 'largePayloads'>> & {
	readonly largePayloads: LargePayloadOptions | undefined;
	readonly ssl: TlsOptions | undefined;
	readonly sasl: SaslOptions | undefined;
	readonly replicationFactor: number | undefined;
	readonly maxRequestBytes: number | undefined;
	/** This instance's own reply topic (and the start of its consumer groups' ids). */
	readonly replyTopic: string;
	readonly logger: Logger;
	readonly contract: Contract<PipelineTypes> | undefined;
	readonly schemaRegistry: SchemaRegistryOptions | undefined;
};

export function envBrokers(): string[] | undefined {
	const value = process.env['KAFKA_BROKERS'];
	if (value === undefined || value.trim() === '') {
		return undefined;
	}

	return value.split(',').map(b => b.trim()).filter(b => b.length > 0);
}
