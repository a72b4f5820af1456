import type {ClusterView, PresenceView, RunnersView} from './cluster-view.js';
import {runnerRows, type RunnerRow} from './runner-rows.js';

/** Total lag of each runner group at one moment. */
export type LagSample = {readonly atMs: number; readonly lag: Readonly<Record<string, number>>};

export type RunnersUpdate = RunnersView & {
	readonly lagHistory: readonly LagSample[];
	/** Presence records joined with the members: one row per runner. */
	readonly runners: readonly RunnerRow[];
	/** Whether presence could be read (old runners publish none; the topic may not exist). */
	readonly presence: Omit<PresenceView, 'runners'>;
};

/** Samples kept: at one per 5 s, the last 10 minutes. */
const kept = 120;

/**
 * The runner groups and their lag, read through the cluster view every `intervalMs` while a page
 * listens, pushed to every page at once; each read adds a lag sample to the history the chart
 * draws.
 */
export class RunnerFeed {
	readonly #cluster: ClusterView | undefined;
	readonly #intervalMs: number;
	readonly #listeners = new Set<(update: RunnersUpdate) => void>();
	readonly #history: LagSample[] = [];
	#timer: NodeJS.Timeout | undefined;
	#reading = false;

	constructor(cluster: ClusterView | undefined, intervalMs = 5000) {
		this.#cluster = cluster;
		this.#intervalMs = intervalMs;
	}

	/** Read now (for the API): the view with the history, this read included. */
	async read(): Promise<RunnersUpdate> {
		if (this.#cluster === undefined) {
			throw new Error('no cluster view');
		}

		const [view, presence] = await Promise.all([
			this.#cluster.runners(),
			this.#cluster.presence().catch((error: unknown): PresenceView => ({topic: '', available: false, problem: `presence unreadable: ${String((error as Error).message ?? error)}`, runners: []})),
		]);
		const lag: Record<string, number> = {};
		for (const {group, lag: partitionLag} of view.lag) {
			lag[group] = (lag[group] ?? 0) + partitionLag;
		}

		this.#history.push({atMs: Date.now(), lag});
		this.#history.splice(0, Math.max(0, this.#history.length - kept));
		const {runners, ...presenceState} = presence;
		return {...view, lagHistory: [...this.#history], runners: runnerRows(presence, view.members), presence: presenceState};
	}

	subscribe(listener: (update: RunnersUpdate) => void): () => void {
		if (this.#cluster === undefined) {
			return () => undefined;
		}

		this.#listeners.add(listener);
		if (this.#timer === undefined) {
			this.#timer = setInterval(() => {
				void this.#tick();
			}, this.#intervalMs);
			this.#timer.unref();
		}

		return () => {
			this.#listeners.delete(listener);
			if (this.#listeners.size === 0) {
				this.stop();
			}
		};
	}

	stop(): void {
		clearInterval(this.#timer);
		this.#timer = undefined;
	}

	async #tick(): Promise<void> {
		if (this.#reading) {
			return;
		}

		this.#reading = true;
		try {
			const update = await this.read();
			for (const listener of this.#listeners) {
				listener(update);
			}
		} catch {
			// The broker is away: the page keeps what it showed; the next read tries again.
		} finally {
			this.#reading = false;
		}
	}
}
