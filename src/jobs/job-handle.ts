/**
 * A handle on one job, the same whether this process submitted it or reattached with
 * client.job(id): everything it says comes from the job state topic, nothing from memory of the
 * submission.
 */
import {ClientClosedError, InvocationTimeoutError} from '../errors/index.js';
import {JobNotFoundError} from '../errors/job-errors.js';
import {jobFailure} from './job-failure.js';
import {isTerminal, type JobRecord} from './job-record.js';
import {type JobProgressEvent, type JobStatus, toJobStatus, toProgressEvent} from './job-status.js';
import type {JobStore, JobStoreEvent} from './job-store.js';

/** The longest delay setTimeout honours. */
const maxTimerMs = 2_147_483_647;

export type JobResultOptions = {
	/** Stop waiting (the job goes on): rejects with the signal's reason. */
	readonly signal?: AbortSignal;
	/**
	 * Stop waiting after this long (the job goes on): rejects with InvocationTimeoutError.
	 * @default Infinity
	 */
	readonly timeoutMs?: number;
};

/** What a handle needs from its client. */
export type JobContext = {
	readonly store: JobStore;
	/** Decode a SUCCEEDED record's result (typed when the client knows the pipeline's schema). */
	readResult(record: JobRecord): Promise<unknown>;
	/** Decode the arguments the job was submitted with. */
	readArgs(record: JobRecord): Promise<unknown>;
	cancel(id: string): Promise<JobStatus>;
};

export class Job<R = unknown> {
	readonly id: string;
	readonly pipeline: string;
	/**
	 * The job's progress reports from the moment iteration starts, each once and in order; ends
	 * when the job is terminal (at once for a finished job). Each `for await` gets its own
	 * iterator; leaving the loop early detaches it.
	 */
	readonly progress: AsyncIterable<JobProgressEvent>;
	readonly #context: JobContext;

	/** Handles come from client.submit() and client.job(). */
	constructor(id: string, pipeline: string, context: JobContext) {
		this.id = id;
		this.pipeline = pipeline;
		this.#context = context;
		this.progress = {[Symbol.asyncIterator]: () => this.#progressIterator()};
	}

	/**
	 * Resolves with the result once the job SUCCEEDED. Rejects with JobCancelledError,
	 * JobAttemptsExhaustedError or the pipeline's typed error (PipelineError, …: `requestId` = the
	 * job id), JobNotFoundError when the job left the topic (retention), ClientClosedError on
	 * close(), or on its own `timeoutMs` / `signal`. Never pending forever.
	 */
	result(options: JobResultOptions = {}): Promise<R> {
		const {signal, timeoutMs = Infinity} = options;
		// Node fires longer timers at once; past ~24.8 days, Infinity says what is meant.
		if (typeof timeoutMs !== 'number' || !(timeoutMs > 0) || (timeoutMs > maxTimerMs && timeoutMs !== Infinity)) {
			return Promise.reject(new TypeError(`Expected \`timeoutMs\` to be a number from 1 to ${maxTimerMs}, or Infinity, got ${String(timeoutMs)} (${typeof timeoutMs})`));
		}

		if (signal?.aborted) {
			return Promise.reject(signal.reason);
		}

		return new Promise<R>((resolve, reject) => {
			let settled = false;
			let timer: NodeJS.Timeout | undefined;
			let unwatch = noop;
			const finish = (): boolean => {
				if (settled) {
					return false;
				}

				settled = true;
				clearTimeout(timer);
				unwatch();
				signal?.removeEventListener('abort', onAbort);
				return true;
			};

			const fail = (error: unknown): void => {
				if (finish()) {
					reject(error);
				}
			};

			const onRecord = (record: JobRecord): void => {
				if (isTerminal(record.state) && finish()) {
					this.#settle(record).then(resolve, reject);
				}
			};

			const onAbort = (): void => {
				fail(signal?.reason);
			};

			unwatch = this.#context.store.watch(this.id, event => {
				this.#route(event, onRecord, fail);
			});
			if (settled) {
				// A closed store answers at once.
				unwatch();
				return;
			}

			signal?.addEventListener('abort', onAbort, {once: true});
			if (Number.isFinite(timeoutMs)) {
				timer = setTimeout(() => {
					fail(new InvocationTimeoutError(this.id, this.pipeline, timeoutMs));
				}, timeoutMs);
			}

			const current = this.#context.store.get(this.id);
			if (current === undefined) {
				fail(new JobNotFoundError(this.id));
			} else {
				onRecord(current);
			}
		});
	}

	/** The job's current state as this client has read it. Rejects with JobNotFoundError. */
	async status(): Promise<JobStatus> {
		const record = this.#context.store.get(this.id) ?? (await this.#context.store.find(this.id));
		if (record === undefined) {
			throw new JobNotFoundError(this.id);
		}

		return toJobStatus(record);
	}

	/**
	 * The arguments the job was submitted with, decoded as its result would be (typed when the
	 * client knows the pipeline's schema). Rejects with JobNotFoundError.
	 */
	async args(): Promise<unknown> {
		const record = this.#context.store.get(this.id) ?? (await this.#context.store.find(this.id));
		if (record === undefined) {
			throw new JobNotFoundError(this.id);
		}

		return this.#context.readArgs(record);
	}

	/** As client.cancel(id): resolves with the state after the cancellation was written. */
	async cancel(): Promise<JobStatus> {
		return this.#context.cancel(this.id);
	}

	async #settle(record: JobRecord): Promise<R> {
		if (record.state === 'SUCCEEDED') {
			return (await this.#context.readResult(record)) as R;
		}

		throw jobFailure(record);
	}

	#route(event: JobStoreEvent, onRecord: (record: JobRecord) => void, fail: (error: unknown) => void): void {
		if (event.kind === 'record') {
			onRecord(event.record);
		} else if (event.kind === 'removed') {
			fail(new JobNotFoundError(this.id));
		} else {
			fail(new ClientClosedError(this.id));
		}
	}

	#progressIterator(): AsyncIterator<JobProgressEvent> {
		const queue: JobProgressEvent[] = [];
		const waiters: Array<{resolve: (result: IteratorResult<JobProgressEvent>) => void; reject: (error: unknown) => void}> = [];
		let ended = false;
		let failure: unknown;
		const start = this.#context.store.get(this.id);
		let lastSeq = start?.progressSeq ?? 0;
		let lastAttempt = start?.attempt ?? 0;
		let unwatch = noop;

		const pump = (): void => {
			while (waiters.length > 0 && (queue.length > 0 || ended)) {
				const waiter = waiters.shift()!;
				if (queue.length > 0) {
					waiter.resolve({value: queue.shift()!, done: false});
				} else if (failure === undefined) {
					waiter.resolve({value: undefined, done: true});
				} else {
					waiter.reject(failure);
				}
			}
		};

		const end = (error?: unknown): void => {
			if (!ended) {
				ended = true;
				failure = error;
				unwatch();
			}

			pump();
		};

		const onRecord = (record: JobRecord): void => {
			// A runner taking the job over may count its reports from zero again.
			if (record.attempt > lastAttempt && record.progressSeq < lastSeq) {
				lastSeq = 0;
			}

			lastAttempt = Math.max(lastAttempt, record.attempt);
			if (record.progressSeq > lastSeq) {
				lastSeq = record.progressSeq;
				const event = toProgressEvent(record);
				if (event !== undefined) {
					queue.push(event);
				}
			}

			if (isTerminal(record.state)) {
				end();
			}

			pump();
		};

		unwatch = this.#context.store.watch(this.id, event => {
			this.#route(event, onRecord, end);
		});
		if (ended) {
			unwatch();
		} else if (start === undefined) {
			end(new JobNotFoundError(this.id));
		} else if (isTerminal(start.state)) {
			end();
		}

		return {
			next: async () => new Promise<IteratorResult<JobProgressEvent>>((resolve, reject) => {
				waiters.push({resolve, reject});
				pump();
			}),
			return: async () => {
				queue.length = 0;
				failure = undefined;
				end();
				return {value: undefined, done: true};
			},
		};
	}
}

function noop(): void {}
