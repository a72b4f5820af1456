/**
 * The client's side of the jobs protocol (docs/jobs.md): submit, reattach, list, cancel, and the
 * CALL cancellation of an aborted invoke. PipelineClient delegates its job methods here.
 */
import {randomUUID} from 'node:crypto';
import {encodeRequest} from '../codec/index.js';
import {
	BrokerUnreachableError,
	ClientClosedError,
	JobNotFoundError,
	MlbridgeError,
	RequestTooLargeError,
} from '../errors/index.js';
import type {Logger} from '../logging/logger.js';
import {parseTraceparent, traceparentHeader} from '../observability/trace-context.js';
import type {ClientTracing} from '../observability/tracing.js';
import type {Transport} from '../transport/transport.js';
import {Job} from './job-handle.js';
import {encodeJobRecord, isTerminal, type JobRecord} from './job-record.js';
import {type JobProgressEvent, type JobStatus, toJobStatus} from './job-status.js';
import type {JobFilter, JobStore} from './job-store.js';

export type SubmitOptions = {
	/**
	 * The job's id: 1 to 200 characters of `[A-Za-z0-9_.:-]`. Submitting an id that already exists
	 * returns a handle on that job and runs nothing.
	 * @default a random UUID
	 */
	readonly jobId?: string;
	/**
	 * How many runs may start (each runner death costs one) before the job fails with
	 * JobAttemptsExhaustedError.
	 * @default the client's `jobMaxAttempts`
	 */
	readonly maxAttempts?: number;
	/** Extra headers (for example trace context) carried to the runner. */
	readonly headers?: Readonly<Record<string, string>>;
	/** Called for each progress report, as `job.progress` yields them. */
	readonly onProgress?: (event: JobProgressEvent) => void;
};

/** Arguments encoded as invoke() encodes them. */
export type EncodedArgs = {readonly args: Buffer; readonly argsSchema: string};

export type JobClientOptions = {
	readonly transport: Transport;
	readonly store: JobStore;
	readonly jobTopic: string;
	readonly stateTopic: string;
	readonly clientId: string;
	readonly brokers: readonly string[];
	/** Default of SubmitOptions.maxAttempts. */
	readonly maxAttempts: number;
	/** Largest request (and QUEUED record) produced. */
	readonly maxRequestBytes: number;
	readonly logger: Logger;
	/** As invoke() does (args above the large-payload threshold by reference); throws InvalidArgumentsError (requestId = the job id). */
	encodeArgs(id: string, pipeline: string, args: unknown): EncodedArgs | Promise<EncodedArgs>;
	/** Decode a SUCCEEDED record's result. */
	readResult(record: JobRecord): Promise<unknown>;
	/** Decode the arguments a record carries. */
	readArgs(record: JobRecord): Promise<unknown>;
	/** A job request was produced (the client's metrics). */
	readonly onSubmitted?: (pipeline: string) => void;
	/** Present with `@opentelemetry/api`: a `send <jobTopic>` span whose context goes in the request's headers. */
	readonly tracing?: Pick<ClientTracing, 'startSubmit'> | undefined;
};

const JOB_ID = /^[\w.:-]{1,200}$/;

export class JobClient {
	readonly #options: JobClientOptions;
	#closed = false;

	constructor(options: JobClientOptions) {
		this.#options = options;
	}

	async submit(name: string, args: unknown, options: SubmitOptions = {}): Promise<Job> {
		const id = options.jobId ?? randomUUID();
		if (typeof id !== 'string' || !JOB_ID.test(id)) {
			throw new TypeError(`Expected \`jobId\` to be 1 to 200 characters of [A-Za-z0-9_.:-], got ${JSON.stringify(id)}`);
		}

		const maxAttempts = options.maxAttempts ?? this.#options.maxAttempts;
		if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 1000) {
			throw new TypeError(`Expected \`maxAttempts\` to be an integer from 1 to 1000, got ${String(maxAttempts)} (${typeof maxAttempts})`);
		}

		if (typeof name !== 'string' || name.length === 0) {
			throw new TypeError(`Expected the pipeline name to be a non-empty string, got ${String(name)} (${typeof name})`);
		}

		this.#checkOpen(id);
		const headers: Record<string, string> = {...options.headers, 'mlbridge-max-attempts': String(maxAttempts)};
		const span = this.#options.tracing?.startSubmit(name, id, this.#options.jobTopic, headers);
		try {
			const job = await this.#submit(id, name, args, maxAttempts, headers, options.onProgress);
			span?.end();
			return job;
		} catch (error) {
			span?.end(error);
			throw error;
		}
	}

	async #submit(id: string, name: string, args: unknown, maxAttempts: number, headers: Record<string, string>, onProgress: SubmitOptions['onProgress']): Promise<Job> {
		const {args: encodedArgs, argsSchema} = await this.#options.encodeArgs(id, name, args);
		const now = Date.now();
		const request = encodeRequest({
			id,
			pipeline: name,
			args: encodedArgs,
			argsSchema,
			replyTo: '',
			deadlineMs: 0,
			attempt: 1,
			sentAtMs: now,
			headers,
		});
		const queued = this.#queued(id, name, encodedArgs, argsSchema, maxAttempts, now);
		const queuedBytes = encodeJobRecord(queued);
		const size = Math.max(request.length, queuedBytes.length);
		if (size > this.#options.maxRequestBytes) {
			throw new RequestTooLargeError(id, size, this.#options.maxRequestBytes);
		}

		const existing = await this.#options.store.find(id);
		if (existing !== undefined) {
			this.#options.logger.debug('job.submit_existing', {jobId: id, state: existing.state});
			return this.#handle(existing.id, existing.pipeline, onProgress);
		}

		// QUEUED first: a runner that takes the request then finds the job, and a reader that
		// finds nothing knows the job was never submitted.
		await this.#produce(this.#options.stateTopic, id, queuedBytes, size);
		this.#options.store.remember(queued);
		try {
			await this.#produce(this.#options.jobTopic, id, request, size);
		} catch (error) {
			// Without its request the job would stay QUEUED forever: say it failed (best effort).
			await this.#write({...queued, state: 'FAILED', finishedAtMs: Date.now(), updatedAtMs: Date.now(), error: {
				code: 'INTERNAL', type: 'SubmitFailed', message: `The job's request could not be produced: ${String(error)}`, traceback: '', retryable: true, causes: [],
			}}).catch(() => undefined);
			throw error;
		}

		this.#options.onSubmitted?.(name);
		this.#options.logger.debug('job.submitted', {jobId: id, pipeline: name, trace_id: parseTraceparent(headers[traceparentHeader])?.traceId});
		return this.#handle(id, name, onProgress);
	}

	/** A handle on job `id` as it is in the state topic now. Rejects with JobNotFoundError. */
	async job(id: string): Promise<Job> {
		const record = await this.#find(id);
		return this.#handle(record.id, record.pipeline, undefined);
	}

	async jobs(filter: JobFilter = {}): Promise<JobStatus[]> {
		const limit = filter.limit ?? 100;
		if (!Number.isInteger(limit) || limit < 1) {
			throw new TypeError(`Expected \`limit\` to be an integer >= 1, got ${String(limit)} (${typeof limit})`);
		}

		this.#checkOpen(undefined);
		await this.#options.store.sync();
		return this.#options.store.list(filter).map(toJobStatus);
	}

	/**
	 * docs/jobs.md, cancellation: terminal → unchanged; QUEUED → CANCELLED (written here);
	 * RUNNING → CANCEL_REQUESTED (the runner holding it stops it). Read to the end first, so a job
	 * that just finished is not asked to stop.
	 */
	async cancel(id: string): Promise<JobStatus> {
		this.#checkOpen(id);
		await this.#options.store.sync(id);
		const record = await this.#find(id);
		if (isTerminal(record.state) || record.state === 'CANCEL_REQUESTED') {
			return toJobStatus(record);
		}

		const now = Date.now();
		// The index holds no checkpoint bytes: a cancelled job is never resumed, so none is carried.
		const base = {...record, checkpoint: null, updatedAtMs: now};
		const next: JobRecord = record.state === 'QUEUED'
			? {...base, state: 'CANCELLED', finishedAtMs: now, error: {code: 'CANCELLED', type: 'JobCancelled', message: 'cancelled while queued', traceback: '', retryable: false, causes: []}}
			: {...base, state: 'CANCEL_REQUESTED'};
		await this.#write(next);
		this.#options.store.remember(next);
		this.#options.logger.debug('job.cancel_written', {jobId: id, state: next.state});
		return toJobStatus(this.#options.store.get(id) ?? next);
	}

	/**
	 * An aborted invoke: a CALL record tells the runner running request `requestId` to stop.
	 * Best effort (the caller has already been told the call is cancelled).
	 */
	cancelCall(requestId: string, pipeline: string): void {
		if (this.#closed) {
			return;
		}

		const now = Date.now();
		const record: JobRecord = {
			...this.#queued(requestId, pipeline, Buffer.alloc(0), '', 0, now),
			subject: 'CALL',
			state: 'CANCEL_REQUESTED',
		};
		this.#write(record).catch((error: unknown) => {
			this.#options.logger.debug('call.cancel_not_written', {requestId, error: String(error)});
		});
	}

	/** Pending results reject with ClientClosedError, progress iterators too. */
	close(): void {
		this.#closed = true;
		this.#options.store.close();
	}

	#handle(id: string, pipeline: string, onProgress: SubmitOptions['onProgress']): Job {
		const job = new Job(id, pipeline, {
			store: this.#options.store,
			readResult: async record => this.#options.readResult(record),
			readArgs: async record => this.#options.readArgs(record),
			cancel: async jobId => this.cancel(jobId),
		});
		if (onProgress !== undefined) {
			void (async () => {
				for await (const event of job.progress) {
					onProgress(event);
				}
			})().catch((error: unknown) => {
				this.#options.logger.debug('job.progress_ended', {jobId: id, error: String(error)});
			});
		}

		return job;
	}

	async #find(id: string): Promise<JobRecord> {
		if (typeof id !== 'string' || id.length === 0) {
			throw new TypeError(`Expected a job id, got ${String(id)} (${typeof id})`);
		}

		this.#checkOpen(id);
		const record = await this.#options.store.find(id);
		if (record === undefined) {
			throw new JobNotFoundError(id);
		}

		return record;
	}

	#queued(id: string, pipeline: string, args: Buffer, argsSchema: string, maxAttempts: number, now: number): JobRecord {
		return {
			id,
			subject: 'JOB',
			state: 'QUEUED',
			pipeline,
			args,
			argsSchema,
			attempt: 0,
			maxAttempts,
			runner: '',
			submittedBy: this.#options.clientId,
			submittedAtMs: now,
			startedAtMs: 0,
			heartbeatAtMs: 0,
			finishedAtMs: 0,
			updatedAtMs: now,
			progressSeq: 0,
			progress: null,
			checkpoint: null,
			result: Buffer.alloc(0),
			resultSchema: '',
			error: null,
		};
	}

	async #write(record: JobRecord): Promise<void> {
		const value = encodeJobRecord(record);
		await this.#produce(this.#options.stateTopic, record.id, value, value.length);
	}

	async #produce(topic: string, id: string, value: Buffer, size: number): Promise<void> {
		try {
			await this.#options.transport.send(topic, {key: id, value});
		} catch (error) {
			const type = (error as {type?: unknown} | undefined)?.type;
			if (type === 'MESSAGE_TOO_LARGE' || type === 'RECORD_LIST_TOO_LARGE') {
				throw new RequestTooLargeError(id, size, this.#options.maxRequestBytes);
			}

			if (error instanceof MlbridgeError) {
				throw error;
			}

			throw this.#closed ? new ClientClosedError(id) : new BrokerUnreachableError(this.#options.brokers, error, id);
		}
	}

	#checkOpen(id: string | undefined): void {
		if (this.#closed) {
			throw new ClientClosedError(id);
		}
	}
}
