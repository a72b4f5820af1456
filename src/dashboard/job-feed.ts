import type {JobStatus} from '../index.js';
import type {JobChangeHandlers} from './cluster-view.js';
import type {DashboardClient} from './dashboard-client.js';

export type JobFeedListener = (status: JobStatus) => void;

/** Pushes each new job state record (the cluster view's watch). */
export type JobChangeSource = {
	watchJobs(handlers: JobChangeHandlers): () => void;
};

export type JobFeedOptions = {
	readonly client: DashboardClient;
	/** Records pushed as they arrive; without it (or while it is not live) the client is read every `intervalMs`. */
	readonly changes?: JobChangeSource;
	/**
	 * How often the client's index is read for changes while someone listens and no push is live.
	 * @default 500
	 */
	readonly intervalMs?: number;
	/** Told after each read whether it worked (undefined) or why not (the broker is away); the feed goes on. */
	readonly onRead?: (error: unknown) => void;
};

const terminal: ReadonlySet<string> = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);

/**
 * Follows the job state for the pages. While at least one page listens: each state record is
 * pushed by `changes` as it arrives; until that push is live (starting, the topic not there yet,
 * the broker away) the client's own index is read every `intervalMs` instead, and read once more
 * when the push goes live, so nothing between the two is missed. One reader for any number of
 * pages: the pages never poll.
 */
export class JobFeed {
	readonly #client: DashboardClient;
	readonly #changes: JobChangeSource | undefined;
	readonly #intervalMs: number;
	readonly #onRead: (error: unknown) => void;
	readonly #listeners = new Set<JobFeedListener>();
	/** id → `state|updatedAtMs|progressAt` as last seen. */
	readonly #seen = new Map<string, string>();
	#timer: NodeJS.Timeout | undefined;
	#unwatch: (() => void) | undefined;
	#pushing = false;
	#reading = false;
	/** A read was asked for while one ran: it runs again after (its start matters, see `live`). */
	#again = false;
	#seeded = false;

	constructor(options: JobFeedOptions) {
		this.#client = options.client;
		this.#changes = options.changes;
		this.#intervalMs = options.intervalMs ?? 500;
		this.#onRead = options.onRead ?? (() => undefined);
	}

	/** Hear every changed job; returns the unsubscribe. */
	subscribe(listener: JobFeedListener): () => void {
		this.#listeners.add(listener);
		if (this.#timer === undefined) {
			this.#timer = setInterval(() => {
				if (!this.#pushing) {
					void this.tick();
				}
			}, this.#intervalMs);
			this.#timer.unref();
			this.#unwatch = this.#changes?.watchJobs({
				status: status => {
					this.#offer(status);
				},
				live: live => {
					this.#pushing = live;
					if (live) {
						void this.tick();
					}
				},
			});
			void this.tick();
		}

		return () => {
			this.#listeners.delete(listener);
			if (this.#listeners.size === 0) {
				this.stop();
			}
		};
	}

	get listeners(): number {
		return this.#listeners.size;
	}

	/** Whether records are pushed now (else the client is read every `intervalMs`). */
	get pushing(): boolean {
		return this.#pushing;
	}

	/** One read of the client: hands the changed jobs to the listeners (the first read only remembers). */
	async tick(): Promise<void> {
		if (this.#reading) {
			this.#again = true;
			return;
		}

		this.#reading = true;
		this.#again = false;
		try {
			const statuses = await this.#client.jobs({limit: Number.MAX_SAFE_INTEGER});
			const changed = statuses.filter(status => this.#remember(status));
			if (this.#seeded) {
				// Oldest first, so a page that prepends new rows ends with the newest on top.
				for (const status of changed.reverse()) {
					this.#emit(status);
				}
			}

			this.#seeded = true;
			this.#onRead(undefined);
		} catch (error) {
			this.#onRead(error);
		} finally {
			this.#reading = false;
		}

		if (this.#again && this.#listeners.size > 0) {
			await this.tick();
		}
	}

	stop(): void {
		clearInterval(this.#timer);
		this.#timer = undefined;
		this.#unwatch?.();
		this.#unwatch = undefined;
		this.#pushing = false;
		// A page that connects later loads the list itself: the next read only remembers.
		this.#seen.clear();
		this.#seeded = false;
	}

	/** A pushed record: handed on when it changes what was seen. */
	#offer(status: JobStatus): void {
		if (this.#remember(status) && this.#seeded) {
			this.#emit(status);
		}
	}

	/**
	 * Whether `status` is news. A terminal state stays (like the client's index): a later
	 * non-terminal record was written by someone who had not seen the end yet.
	 */
	#remember(status: JobStatus): boolean {
		const key = `${status.state}|${status.updatedAtMs}|${status.progress?.atMs ?? 0}`;
		const previous = this.#seen.get(status.id);
		if (previous === key || (previous !== undefined && terminal.has(previous.slice(0, previous.indexOf('|'))) && !terminal.has(status.state))) {
			return false;
		}

		this.#seen.set(status.id, key);
		return true;
	}

	#emit(status: JobStatus): void {
		for (const listener of this.#listeners) {
			listener(status);
		}
	}
}
