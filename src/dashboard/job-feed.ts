import type {JobStatus} from '../index.js';
import type {DashboardClient} from './dashboard-client.js';

export type JobFeedListener = (status: JobStatus) => void;

export type JobFeedOptions = {
	readonly client: DashboardClient;
	/**
	 * How often the client's index is read for changes while someone listens.
	 * @default 500
	 */
	readonly intervalMs?: number;
	/** Told after each read whether it worked (undefined) or why not (the broker is away); the feed goes on. */
	readonly onRead?: (error: unknown) => void;
};

/**
 * Follows the job state through the client: while at least one page listens, the client's own
 * index of the job state topic is read every `intervalMs` and each job whose record changed since
 * the last read is handed to the listeners. One reader for any number of pages: the pages never
 * poll.
 */
export class JobFeed {
	readonly #client: DashboardClient;
	readonly #intervalMs: number;
	readonly #onRead: (error: unknown) => void;
	readonly #listeners = new Set<JobFeedListener>();
	/** id → `state|updatedAtMs` as last seen. */
	readonly #seen = new Map<string, string>();
	#timer: NodeJS.Timeout | undefined;
	#reading = false;
	#seeded = false;

	constructor(options: JobFeedOptions) {
		this.#client = options.client;
		this.#intervalMs = options.intervalMs ?? 500;
		this.#onRead = options.onRead ?? (() => undefined);
	}

	/** Hear every changed job; returns the unsubscribe. */
	subscribe(listener: JobFeedListener): () => void {
		this.#listeners.add(listener);
		if (this.#timer === undefined) {
			this.#timer = setInterval(() => {
				void this.tick();
			}, this.#intervalMs);
			this.#timer.unref();
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

	/** One read: hands the changed jobs to the listeners (the first read only remembers). */
	async tick(): Promise<void> {
		if (this.#reading) {
			return;
		}

		this.#reading = true;
		try {
			const statuses = await this.#client.jobs({limit: Number.MAX_SAFE_INTEGER});
			const changed: JobStatus[] = [];
			for (const status of statuses) {
				const key = `${status.state}|${status.updatedAtMs}|${status.progress?.atMs ?? 0}`;
				if (this.#seen.get(status.id) !== key) {
					this.#seen.set(status.id, key);
					changed.push(status);
				}
			}

			if (this.#seeded) {
				// Oldest first, so a page that prepends new rows ends with the newest on top.
				for (const status of changed.reverse()) {
					for (const listener of this.#listeners) {
						listener(status);
					}
				}
			}

			this.#seeded = true;
			this.#onRead(undefined);
		} catch (error) {
			this.#onRead(error);
		} finally {
			this.#reading = false;
		}
	}

	stop(): void {
		clearInterval(this.#timer);
		this.#timer = undefined;
		// A page that connects later loads the list itself: the next read only remembers.
		this.#seen.clear();
		this.#seeded = false;
	}
}
