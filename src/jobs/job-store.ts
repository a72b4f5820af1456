/**
 * This client's index of the job state topic: the newest record of every job, and listeners per
 * job id for the handles. Started on first use of a job API (a client that never uses jobs never
 * reads the topic); fed by Transport.tail() from the beginning, as a group of its own that never
 * commits.
 */
import {BrokerUnreachableError, ClientClosedError, MlbridgeError} from '../errors/index.js';
import type {Logger} from '../logging/logger.js';
import type {TailRecord, Transport} from '../transport/transport.js';
import {decodeJobRecord, isTerminal, type JobRecord, type JobState} from './job-record.js';
import {RecordCompactor} from './record-compactor.js';

export type JobStoreOptions = {
	readonly transport: Transport;
	/** The job state topic. */
	readonly topic: string;
	/** A group of this client's own. */
	readonly groupId: string;
	readonly logger: Logger;
	/** Bound on reading the topic to its end (first use, and every sync()). */
	readonly syncTimeoutMs: number;
	/** Named in the error when the topic cannot be read in time. */
	readonly brokers: readonly string[];
};

/** What a job's listener hears: a new record, the job's removal (retention), or close(). */
export type JobStoreEvent =
	| {readonly kind: 'record'; readonly record: JobRecord}
	| {readonly kind: 'removed'}
	| {readonly kind: 'closed'};

export type JobListener = (event: JobStoreEvent) => void;

/** Which jobs client.jobs() lists. */
export type JobFilter = {
	readonly pipeline?: string;
	/** One state or several. */
	readonly state?: JobState | readonly JobState[];
	/**
	 * At most this many, newest submitted first.
	 * @default 100
	 */
	readonly limit?: number;
};

export class JobStore {
	readonly #options: JobStoreOptions;
	readonly #jobs = new Map<string, JobRecord>();
	readonly #listeners = new Map<string, Set<JobListener>>();
	readonly #compactor = new RecordCompactor();
	#tail: Promise<void> | undefined;
	#closed = false;

	constructor(options: JobStoreOptions) {
		this.#options = options;
	}

	/** Number of jobs indexed. */
	get size(): number {
		return this.#jobs.size;
	}

	/** Start tailing (once) and wait, bounded, until the records present at the start are read. */
	async ready(jobId?: string): Promise<void> {
		this.#checkOpen(jobId);
		if (this.#tail === undefined) {
			const {transport, topic, groupId} = this.#options;
			const tail = transport.tail(topic, groupId, record => {
				this.apply(record);
			});
			// A tail that failed to start (broker down) is tried again by the next call.
			tail.catch(() => {
				if (this.#tail === tail) {
					this.#tail = undefined;
				}
			});
			this.#tail = tail;
		}

		await this.#bounded(this.#tail, jobId);
	}

	/**
	 * Resolve once every record written to the topic before the call has been read (or reject with
	 * BrokerUnreachableError after `syncTimeoutMs`): what was sent before is then in the index.
	 */
	async sync(jobId?: string): Promise<void> {
		const started = Date.now();
		await this.ready(jobId);
		const {transport, topic, groupId, syncTimeoutMs} = this.#options;
		if (transport.tailCaughtUp === undefined) {
			return;
		}

		const reached = await transport.tailCaughtUp(topic, groupId, Math.max(1, syncTimeoutMs - (Date.now() - started)));
		this.#checkOpen(jobId);
		if (!reached) {
			throw this.#timeout(jobId);
		}
	}

	/** The newest record of `id`, reading the topic to its end first when the index lacks it. */
	async find(id: string): Promise<JobRecord | undefined> {
		await this.ready(id);
		const known = this.#jobs.get(id);
		if (known !== undefined) {
			return known;
		}

		await this.sync(id);
		return this.#jobs.get(id);
	}

	/** The indexed record of `id`, without reading anything. */
	get(id: string): JobRecord | undefined {
		return this.#jobs.get(id);
	}

	/** Jobs matching `filter`, newest submitted first. */
	list(filter: JobFilter = {}): JobRecord[] {
		const limit = filter.limit ?? 100;
		const states = filter.state === undefined ? undefined : new Set<JobState>(typeof filter.state === 'string' ? [filter.state] : filter.state);
		const matching: JobRecord[] = [];
		for (const record of this.#jobs.values()) {
			if ((filter.pipeline === undefined || record.pipeline === filter.pipeline) && (states === undefined || states.has(record.state))) {
				matching.push(record);
			}
		}

		return matching.sort((a, b) => b.submittedAtMs - a.submittedAtMs || (a.id < b.id ? -1 : 1)).slice(0, limit);
	}

	/** Hear every new record of `id` (and its removal, and close()). Returns the unsubscribe. */
	watch(id: string, listener: JobListener): () => void {
		if (this.#closed) {
			listener({kind: 'closed'});
			return noop;
		}

		let listeners = this.#listeners.get(id);
		if (listeners === undefined) {
			listeners = new Set();
			this.#listeners.set(id, listeners);
		}

		const set = listeners;
		set.add(listener);
		return () => {
			set.delete(listener);
			if (set.size === 0 && this.#listeners.get(id) === set) {
				this.#listeners.delete(id);
			}
		};
	}

	/** Apply one record of the state topic: JOB records only, tombstones remove. */
	apply(tailRecord: TailRecord): void {
		const {key, value} = tailRecord;
		if (key === null) {
			return;
		}

		if (value === null) {
			if (this.#jobs.delete(key)) {
				this.#notify(key, {kind: 'removed'});
			}

			return;
		}

		let record: JobRecord;
		try {
			record = decodeJobRecord(value);
		} catch (error) {
			this.#options.logger.warn('jobs.undecodable', {key: key.slice(0, 200), error: String(error)});
			return;
		}

		if (record.subject !== 'JOB') {
			return;
		}

		if (record.id !== key) {
			this.#options.logger.warn('jobs.key_mismatch', {key: key.slice(0, 200), id: record.id.slice(0, 200)});
			return;
		}

		this.remember(record);
	}

	/**
	 * Index a record (read from the topic, or just written by this client, so its own handles see
	 * it at once). Records of one id arrive in order, so the newest arriving wins; except that a
	 * terminal state stays: nobody writes over a terminal state it has seen, so a later record was
	 * written by someone who had not seen it yet (a cancel racing the job's end).
	 */
	remember(record: JobRecord): void {
		if (this.#closed) {
			return;
		}

		const previous = this.#jobs.get(record.id);
		if (previous !== undefined && isTerminal(previous.state) && !isTerminal(record.state)) {
			this.#options.logger.debug('jobs.after_terminal', {jobId: record.id, kept: previous.state, ignored: record.state});
			return;
		}

		const compact = this.#compactor.compact(record);
		this.#jobs.set(record.id, compact);
		this.#notify(record.id, {kind: 'record', record: compact});
	}

	/** Tell every listener the store is closed; nothing is indexed or heard after this. */
	close(): void {
		if (this.#closed) {
			return;
		}

		this.#closed = true;
		const listeners = [...this.#listeners.values()].flatMap(set => [...set]);
		this.#listeners.clear();
		for (const listener of listeners) {
			listener({kind: 'closed'});
		}
	}

	#notify(id: string, event: JobStoreEvent): void {
		const listeners = this.#listeners.get(id);
		if (listeners === undefined) {
			return;
		}

		for (const listener of [...listeners]) {
			try {
				listener(event);
			} catch (error) {
				this.#options.logger.error('jobs.listener_failed', {jobId: id, error: String(error)});
			}
		}
	}

	async #bounded(promise: Promise<void>, jobId: string | undefined): Promise<void> {
		let timer: NodeJS.Timeout | undefined;
		const timedOut = new Promise<'timeout'>(resolve => {
			timer = setTimeout(() => resolve('timeout'), this.#options.syncTimeoutMs);
		});
		try {
			let outcome: void | 'timeout';
			try {
				outcome = await Promise.race([promise, timedOut]);
			} catch (error) {
				throw error instanceof MlbridgeError ? error : new BrokerUnreachableError(this.#options.brokers, error, jobId);
			}

			this.#checkOpen(jobId);
			if (outcome === 'timeout') {
				throw this.#timeout(jobId);
			}
		} finally {
			clearTimeout(timer);
		}
	}

	#timeout(jobId: string | undefined): BrokerUnreachableError {
		const {brokers, topic, syncTimeoutMs} = this.#options;
		return new BrokerUnreachableError(brokers, new Error(`The job state topic ${topic} could not be read to its end within ${syncTimeoutMs} ms`), jobId);
	}

	#checkOpen(jobId: string | undefined): void {
		if (this.#closed) {
			throw new ClientClosedError(jobId);
		}
	}
}

function noop(): void {}
