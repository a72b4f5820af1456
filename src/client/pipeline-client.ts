import {randomUUID} from 'node:crypto';
import type {PipelineDescription} from '../catalog/pipeline-description.js';
import {encodeRequest} from '../codec/index.js';
import {
	ClientClosedError,
	InvocationCancelledError,
	MlbridgeError,
	RequestTooLargeError,
	UnknownPipelineError,
} from '../errors/index.js';
import type {KafkajsTransportOptions} from '../transport/kafkajs-transport.js';
import type {Transport} from '../transport/transport.js';
import {ClientMetrics, type ClientMetricsSnapshot, outcomeOf} from '../observability/client-metrics.js';
import type {CallSchemaChooser, CallSchemas} from './call-schemas.js';
import type {ClientOptions, InvokeOptions, ResolvedClientOptions} from './options.js';
import type {PendingCalls} from './pending-calls.js';
import {type RequestSender, sendRequest, typedSendError} from './request-sending.js';
import {type CallObserver, TrackedCall} from './tracked-call.js';
import type {PipelineTypes, UntypedPipelines} from './pipeline-types.js';
import type {ClaimCheck} from '../blobs/claim-check.js';
import type {ClientRegistry} from '../registry/client-registry.js';
import type {ClientTracing} from '../observability/tracing.js';
import {type ClientParts, openClientParts} from './client-connection.js';
import type {JobClient, SubmitOptions} from '../jobs/job-client.js';
import type {Job} from '../jobs/job-handle.js';
import type {JobStatus} from '../jobs/job-status.js';
import type {JobFilter} from '../jobs/job-store.js';
import {encodeGenericArgs, encodeTypedArgs} from './args-encoding.js';
import {createJobClient} from './client-jobs.js';
import {ModelClient} from '../models/model-client.js';
import {modelTopicFor} from '../models/model-record.js';
import type {TypedResults} from './result-reading.js';

/**
 * Calls Python pipelines over Kafka as if they were local async functions.
 *
 * ```ts
 * const client = await PipelineClient.connect({brokers: ['localhost:9092']});
 * const result = await client.invoke('train_model', {dataset: 'cpu-metrics', epochs: 5});
 * await client.close();
 * ```
 */
export class PipelineClient<P extends PipelineTypes = UntypedPipelines> {
	readonly #options: ResolvedClientOptions;
	readonly #transport: Transport;
	readonly #pending: PendingCalls;
	readonly #replyTopic: string;
	readonly #maxRequestBytes: number;
	readonly #schemas: CallSchemaChooser;
	/** With `schemaRegistry`: Confluent framing and `registry:<id>` argument refs. */
	readonly #registry: ClientRegistry | undefined;
	/** Large payloads by reference (option `largePayloads`); undefined: bodies travel inline. */
	readonly #blobs: ClaimCheck | undefined;
	readonly #jobs: JobClient;
	/** List, promote and roll back model versions (docs/models.md); reads `<requestTopic>.models` on first use. */
	readonly models: ModelClient;
	readonly #observer: CallObserver;
	readonly #sender: RequestSender;
	/** Undefined without `@opentelemetry/api`: then no span, no header, one check per call. */
	readonly #tracing: ClientTracing | undefined;
	#closed = false;

	private constructor({options, transport, pending, maxRequestBytes, schemas, registry, typed, tracing, blobs}: ClientParts) {
		this.#options = options;
		this.#blobs = blobs;
		this.#transport = transport;
		this.#pending = pending;
		this.#replyTopic = options.replyTopic;
		this.#maxRequestBytes = maxRequestBytes;
		this.#schemas = schemas;
		this.#registry = registry;
		this.#observer = {metrics: new ClientMetrics(), logger: options.logger};
		this.#tracing = tracing;
		this.#sender = {transport, topic: options.requestTopic, pending, metrics: this.#observer.metrics, logger: options.logger,
			waitForBrokers: () => options.whenBrokerDown === 'wait' && !this.#closed,
			sendError: (id, size, error) => typedSendError(id, size, error, {...options, maxRequestBytes, closed: this.#closed})};
		this.#jobs = createJobClient({options, transport, replyTopic: this.#replyTopic, maxRequestBytes, schemas, typed, metrics: this.#observer.metrics, tracing, blobs});
		this.models = new ModelClient({transport, topic: modelTopicFor(options.requestTopic), groupId: `${this.#replyTopic}.models`,
			clientId: options.clientId, logger: options.logger, syncTimeoutMs: Math.max(10_000, options.connectTimeoutMs)});
	}

	/**
	 * Connect, create the request topic if missing and this client's own reply topic, and wait until
	 * the reply consumer is assigned — so no reply can arrive before anyone listens. Also read the
	 * catalogue (bounded: 2 s) and publish the pinned contract's schemas to it.
	 *
	 * With `contract` (codegen output) the client is a `PipelineClient<P>` of the contract's types.
	 */
	static async connect<P extends PipelineTypes = UntypedPipelines>(
		options: ClientOptions<P> = {},
		/** @internal Tests pass a fake Transport here. */
		openTransport?: (options: KafkajsTransportOptions) => Promise<Transport>,
		/** @internal Tests pass an import that fails, as where `@opentelemetry/api` is not installed. */
		importOtel?: () => Promise<unknown>,
	): Promise<PipelineClient<P>> {
		const parts = await openClientParts(options, openTransport, importOtel);
		return new PipelineClient<P>(parts);
	}

	/** The clientId given (or generated); this instance's replies arrive on `replyTopic`, its own. */
	get clientId(): string {
		return this.#options.clientId;
	}

	get replyTopic(): string {
		return this.#replyTopic;
	}

	/** Calls waiting for a reply. */
	get pendingCount(): number {
		return this.#pending.size;
	}

	/**
	 * Counters since connect(): calls by pipeline and outcome, round-trip histograms, retries, broker
	 * waits, jobs submitted, pending calls. `mlbridge/prometheus` serves them (docs/observability.md).
	 */
	metrics(): ClientMetricsSnapshot {
		return this.#observer.metrics.snapshot(this.#pending.size);
	}

	/** Every pipeline the catalogue (or the pinned contract) knows, sorted by name. No round trip. */
	async listPipelines(): Promise<PipelineDescription[]> {
		return this.#schemas.list();
	}

	/**
	 * What the catalogue (else the pinned contract) says about `name`. No round trip: rejects with
	 * UnknownPipelineError when neither knows it.
	 */
	async describe(name: keyof P & string): Promise<PipelineDescription> {
		const description = this.#schemas.describe(name);
		if (description === undefined) {
			throw new UnknownPipelineError(
				randomUUID(),
				name,
				{
					code: 'UNKNOWN_PIPELINE',
					type: 'UnknownPipeline',
					message: `No pipeline named ${JSON.stringify(name)} in the catalogue (${this.#options.catalogTopic})${this.#options.contract === undefined ? '' : ' or the contract'}`,
					traceback: '',
					retryable: false,
					causes: [],
				},
				'local',
			);
		}

		return description;
	}

	/**
	 * Run pipeline `name` on some runner and resolve with its result.
	 *
	 * Arguments are encoded with the pinned contract's schema, else the newest catalogue version's,
	 * else the generic encoding; with a schema they are checked locally first.
	 *
	 * Rejects with UnknownPipelineError, InvalidArgumentsError, PipelineError, PipelineTimeoutError,
	 * InvocationTimeoutError, InvocationCancelledError, RequestTooLargeError, BrokerUnreachableError,
	 * SchemaNotFoundError or ClientClosedError — each carrying `requestId`.
	 */
	invoke<N extends keyof P & string>(name: N, args: P[N]['args'], options: InvokeOptions = {}): Promise<P[N]['result']> {
		// Not an async function: its promise would adopt the call's own promise, two more microtasks
		// per call. Everything thrown before the call is pending still arrives as a rejection.
		try {
			return this.#invoke(name, args, options);
		} catch (error) {
			return this.#failedBeforeSend(name, error);
		}
	}

	/** A call refused before it was sent (closed client, invalid arguments…): counted, no duration. */
	#failedBeforeSend(name: string, error: unknown): Promise<never> {
		if (error instanceof MlbridgeError && typeof name === 'string') {
			this.#observer.metrics.callEnded(name, outcomeOf(error), undefined);
		}

		return Promise.reject(error);
	}

	#invoke<N extends keyof P & string>(name: N, args: P[N]['args'], options: InvokeOptions): Promise<P[N]['result']> {
		const id = randomUUID();
		if (this.#closed) {
			throw new ClientClosedError(id);
		}

		if (typeof name !== 'string' || name.length === 0) {
			throw new TypeError(`Expected the pipeline name to be a non-empty string, got ${String(name)} (${typeof name})`);
		}

		const timeoutMs = options.timeoutMs ?? this.#options.defaultTimeoutMs;
		if (typeof timeoutMs !== 'number' || !(timeoutMs > 0)) {
			throw new TypeError(`Expected \`timeoutMs\` to be a number > 0 or Infinity, got ${String(timeoutMs)} (${typeof timeoutMs})`);
		}

		if (options.signal?.aborted) {
			throw new InvocationCancelledError(id, name, options.signal.reason);
		}

		const headers: Record<string, string> = {...options.headers};
		if (options.idempotencyKey !== undefined) {
			if (typeof options.idempotencyKey !== 'string' || options.idempotencyKey.length === 0 || options.idempotencyKey.length > 256) {
				throw new TypeError(`Expected \`idempotencyKey\` to be a string of 1 to 256 characters, got ${String(options.idempotencyKey)}`);
			}

			headers['idempotency-key'] = options.idempotencyKey;
		}

		if (options.modelVersion !== undefined) {
			if (!Number.isInteger(options.modelVersion) || options.modelVersion < 1) {
				throw new TypeError(`Expected \`modelVersion\` to be an integer >= 1, got ${String(options.modelVersion)}`);
			}

			headers['mlbridge-model-version'] = String(options.modelVersion);
		}

		const schemas = this.#schemas.forPipeline(name);
		const generic = schemas === undefined ? encodeGenericArgs(id, name, args) : undefined;
		const encodedArgs = generic?.args ?? encodeTypedArgs(id, name, args, schemas!.args, this.#options.validateArguments);
		const registry = this.#registry;
		if (registry !== undefined && schemas !== undefined) {
			return this.#invokeRegistered(registry, id, name, encodedArgs, schemas, timeoutMs, headers, options);
		}

		const argsSchema = generic?.argsSchema ?? schemas!.args.ref;
		if (this.#blobs !== undefined && encodedArgs.length > this.#blobs.thresholdBytes) {
			return this.#dispatchByReference(this.#blobs, id, name, encodedArgs, argsSchema, schemas, timeoutMs, headers, options);
		}

		return this.#dispatch(id, name, encodedArgs, argsSchema, schemas, timeoutMs, headers, options);
	}

	/**
	 * The args written to the blob store first; the blob is deleted once the call has ended, however
	 * it ends. Not async: no suspended frame keeps the encoded body alive while the call waits for
	 * its reply (a 200 MiB body would stay in memory for the whole call).
	 */
	#dispatchByReference<N extends keyof P & string>(
		blobs: ClaimCheck,
		id: string,
		name: N,
		encodedArgs: Buffer,
		argsSchema: string,
		schemas: CallSchemas | undefined,
		timeoutMs: number,
		headers: Record<string, string>,
		options: InvokeOptions,
	): Promise<P[N]['result']> {
		return blobs.offload(id, name, encodedArgs, argsSchema).then(
			async offloaded => {
				try {
					return await this.#dispatch(id, name, offloaded.args, offloaded.argsSchema, schemas, timeoutMs, headers, options);
				} finally {
					blobs.release(offloaded.uri);
				}
			},
			async (error: unknown) => this.#failedBeforeSend(name, error),
		);
	}

	/** invoke() with the schema registry: the args schema is registered once per pipeline schema first. */
	async #invokeRegistered<N extends keyof P & string>(
		registry: ClientRegistry,
		id: string,
		name: N,
		encodedArgs: Buffer,
		schemas: CallSchemas,
		timeoutMs: number,
		headers: Record<string, string>,
		options: InvokeOptions,
	): Promise<P[N]['result']> {
		let argsSchema: string;
		try {
			// Rejects with SchemaRegistryError (typed, requestId set).
			argsSchema = await registry.argsRef(name, schemas.args, id);
			if (this.#closed) {
				throw new ClientClosedError(id);
			}
		} catch (error) {
			return this.#failedBeforeSend(name, error);
		}

		return this.#dispatch(id, name, encodedArgs, argsSchema, schemas, timeoutMs, headers, options);
	}

	/** Encode the request, make the call pending and send it. Never throws: a failure is a rejection. */
	#dispatch<N extends keyof P & string>(
		id: string,
		name: N,
		encodedArgs: Buffer,
		argsSchema: string,
		schemas: CallSchemas | undefined,
		timeoutMs: number,
		headers: Record<string, string>,
		options: InvokeOptions,
	): Promise<P[N]['result']> {
		const registry = this.#registry;
		const now = Date.now();
		const deadlineMs = Number.isFinite(timeoutMs) ? now + timeoutMs : undefined;
		// Before encoding: the spans' context goes into the envelope's headers.
		const span = this.#tracing?.startCall(name, id, this.#options.requestTopic, headers);
		let value: Buffer;
		try {
			const envelope = {id, pipeline: name, args: encodedArgs, argsSchema, replyTo: this.#replyTopic, deadlineMs: deadlineMs ?? 0, attempt: 1, sentAtMs: now, headers};
			value = registry === undefined ? encodeRequest(envelope) : registry.encodeRequest(envelope);
			if (value.length > this.#maxRequestBytes) {
				throw new RequestTooLargeError(id, value.length, this.#maxRequestBytes);
			}
		} catch (error) {
			span?.end(error);
			return this.#failedBeforeSend(name, error);
		}

		return new Promise<P[N]['result']>((resolve, reject) => {
			const call = new TrackedCall(
				{id, pipeline: name, timeoutMs, onProgress: options.onProgress, resultReader: schemas?.result},
				resolve as (value: unknown) => void,
				reject,
				this.#observer,
				span,
			);
			const signal = options.signal;
			if (signal !== undefined) {
				const onAbort = (): void => {
					if (this.#pending.take(id) !== undefined) {
						call.reject(new InvocationCancelledError(id, name, signal.reason));
						// Tell the runner running it, through the job state topic (docs/jobs.md).
						this.#jobs.cancelCall(id, name);
					}
				};

				signal.addEventListener('abort', onAbort, {once: true});
				call.detach = () => signal.removeEventListener('abort', onAbort);
			}

			this.#pending.add(call, deadlineMs);
			sendRequest(this.#sender, call, options.idempotencyKey ?? id, value, 0);
		});
	}

	/**
	 * Start pipeline `name` as a job: resolves, once the job is recorded and its request produced,
	 * with a handle whose `result()` resolves when the job finishes (typed as invoke's result).
	 * An existing `jobId` returns a handle on that job and runs nothing. Arguments are encoded and
	 * checked as invoke() does. Rejects with InvalidArgumentsError, RequestTooLargeError,
	 * BrokerUnreachableError, ClientClosedError (`requestId` = the job id), or TypeError.
	 */
	async submit<N extends keyof P & string>(name: N, args: P[N]['args'], options: SubmitOptions = {}): Promise<Job<P[N]['result']>> {
		return this.#jobs.submit(name, args, options) as Promise<Job<P[N]['result']>>;
	}

	/**
	 * A handle on job `id`, from any process: its `result()` and `progress` work as for the
	 * submitter. Reads the job state topic to its end before rejecting with JobNotFoundError.
	 */
	async job(id: string): Promise<Job<unknown>> {
		return this.#jobs.job(id);
	}

	/** Jobs in the job state topic (read to its end first), newest submitted first. */
	async jobs(filter?: JobFilter): Promise<JobStatus[]> {
		return this.#jobs.jobs(filter);
	}

	/**
	 * Cancel job `id` from any process: a queued job never starts, a running one is stopped by its
	 * runner, a finished one is left as it is. Resolves with the state written (or found).
	 * Rejects with JobNotFoundError.
	 */
	async cancel(id: string): Promise<JobStatus> {
		return this.#jobs.cancel(id);
	}

	/**
	 * Reject every pending call with ClientClosedError, leave the reply group, delete the reply topic
	 * and disconnect. Safe to call twice.
	 */
	async close(): Promise<void> {
		if (this.#closed) {
			return;
		}

		this.#closed = true;
		this.#jobs.close();
		for (const call of this.#pending.takeAll()) {
			call.reject(new ClientClosedError(call.id));
		}

		await this.#transport.close(this.#options.deleteReplyTopicOnClose ? [this.#replyTopic] : []);
		this.#options.logger.info('client.closed', {clientId: this.#options.clientId});
	}
}
