import {callPoint, counterDelta, type CallPoint, type RunnerCounters, runnerCounters, sumDeltas, type PipelineDelta} from './call-metrics.js';
import type {JobStats} from './job-stats.js';
import {parsePrometheusText} from './prometheus-text.js';

/** A runner serving /metrics, from its presence record. */
export type MetricsTarget = {readonly runner: string; readonly url: string};

/** How the last scrape of one runner went. */
export type ScrapeResult = MetricsTarget & {readonly atMs: number; readonly ok: boolean; readonly error?: string};

/** Calls per pipeline, summed over the runners, between two scrapes. */
export type MetricsSample = {readonly atMs: number; readonly pipelines: Readonly<Record<string, CallPoint>>};

export type MetricsUpdate = {
	/** `none`: no live runner serves metrics (the page says how to turn them on, and shows `jobs`). */
	readonly source: 'runners' | 'none';
	readonly intervalMs: number;
	readonly targets: readonly ScrapeResult[];
	/** Every pipeline in the history, sorted. */
	readonly pipelines: readonly string[];
	/** Oldest first. */
	readonly history: readonly MetricsSample[];
	/** What the dashboard sees itself, when no runner serves metrics. */
	readonly jobs?: JobStats;
};

export type MetricsFeedOptions = {
	/** The live runners that name a metrics address. */
	readonly targets: () => Promise<readonly MetricsTarget[]>;
	/** Jobs per pipeline, for the page when there is nothing to scrape. */
	readonly jobStats?: () => Promise<JobStats>;
	/**
	 * @default 5000
	 */
	readonly intervalMs?: number;
	/**
	 * A runner that does not answer within this is shown as failed for this round.
	 * @default 2000
	 */
	readonly scrapeTimeoutMs?: number;
};

/** Samples kept: at one per 5 s, the last 10 minutes. */
const kept = 120;

/**
 * Scrapes every live runner's /metrics every `intervalMs` while a page listens, turns the counters
 * into calls per second and p50/p99 run time per pipeline, and pushes each new point to the pages
 * (one scraper for any number of pages). The history stays while no page is open; the gap shows.
 */
export class MetricsFeed {
	readonly #options: MetricsFeedOptions;
	readonly #intervalMs: number;
	readonly #listeners = new Set<(update: MetricsUpdate) => void>();
	readonly #history: MetricsSample[] = [];
	/** runner → its last good scrape. */
	readonly #last = new Map<string, {atMs: number; counters: RunnerCounters}>();
	#targets: ScrapeResult[] = [];
	#jobs: JobStats | undefined;
	#ticked: Promise<void> | undefined;
	#timer: NodeJS.Timeout | undefined;
	#reading: Promise<void> | undefined;

	constructor(options: MetricsFeedOptions) {
		this.#options = options;
		this.#intervalMs = options.intervalMs ?? 5000;
	}

	/** The state for the API: after one scrape at least. */
	async read(): Promise<MetricsUpdate> {
		this.#ticked ??= this.tick();
		await this.#ticked;
		return this.#update();
	}

	subscribe(listener: (update: MetricsUpdate) => void): () => void {
		this.#listeners.add(listener);
		if (this.#timer === undefined) {
			this.#timer = setInterval(() => {
				void this.tick().then(() => {
					const update = this.#update();
					for (const each of this.#listeners) {
						each(update);
					}
				});
			}, this.#intervalMs);
			this.#timer.unref();
		}

		return () => {
			this.#listeners.delete(listener);
			if (this.#listeners.size === 0) {
				clearInterval(this.#timer);
				this.#timer = undefined;
			}
		};
	}

	/** One round: scrape every target (at once), add a point when a runner was scraped before. */
	async tick(): Promise<void> {
		if (this.#reading !== undefined) {
			return this.#reading;
		}

		this.#reading = this.#scrapeAll().finally(() => {
			this.#reading = undefined;
		});
		return this.#reading;
	}

	stop(): void {
		clearInterval(this.#timer);
		this.#timer = undefined;
		this.#listeners.clear();
	}

	async #scrapeAll(): Promise<void> {
		let targets: readonly MetricsTarget[];
		try {
			targets = await this.#options.targets();
		} catch {
			// Presence unreadable this round (broker away): keep what the page shows.
			return;
		}

		const atMs = Date.now();
		const results = await Promise.all(targets.map(async target => this.#scrape(target)));
		const deltas: Array<Map<string, PipelineDelta>> = [];
		const seen = new Set<string>();
		for (const {target, counters} of results) {
			seen.add(target.runner);
			if (counters === undefined) {
				continue;
			}

			const previous = this.#last.get(target.runner);
			if (previous !== undefined) {
				deltas.push(counterDelta(previous.counters, counters, (atMs - previous.atMs) / 1000));
			}

			this.#last.set(target.runner, {atMs, counters});
		}

		for (const runner of this.#last.keys()) {
			if (!seen.has(runner)) {
				this.#last.delete(runner);
			}
		}

		this.#targets = results.map(({target, error}) => ({...target, atMs, ok: error === undefined, ...(error === undefined ? {} : {error})}));
		if (deltas.length > 0) {
			const pipelines: Record<string, CallPoint> = {};
			for (const [pipeline, delta] of sumDeltas(deltas)) {
				pipelines[pipeline] = callPoint(delta);
			}

			this.#history.push({atMs, pipelines});
			this.#history.splice(0, Math.max(0, this.#history.length - kept));
		}

		this.#jobs = undefined;
		if (targets.length === 0 && this.#options.jobStats !== undefined) {
			this.#jobs = await this.#options.jobStats().catch(() => undefined);
		}
	}

	async #scrape(target: MetricsTarget): Promise<{target: MetricsTarget; counters?: RunnerCounters; error?: string}> {
		try {
			const response = await fetch(target.url, {signal: AbortSignal.timeout(this.#options.scrapeTimeoutMs ?? 2000), headers: {Accept: 'text/plain'}});
			if (!response.ok) {
				return {target, error: `HTTP ${response.status}`};
			}

			return {target, counters: runnerCounters(parsePrometheusText(await response.text()))};
		} catch (error) {
			const {name, message, cause} = error as {name?: string; message?: string; cause?: {code?: string}};
			return {target, error: name === 'TimeoutError' ? 'no answer in time' : cause?.code ?? message ?? String(error)};
		}
	}

	#update(): MetricsUpdate {
		const pipelines = new Set<string>();
		for (const sample of this.#history) {
			for (const name of Object.keys(sample.pipelines)) {
				pipelines.add(name);
			}
		}

		return {
			source: this.#targets.length > 0 ? 'runners' : 'none',
			intervalMs: this.#intervalMs,
			targets: this.#targets,
			pipelines: [...pipelines].sort(),
			history: [...this.#history],
			...(this.#jobs === undefined ? {} : {jobs: this.#jobs}),
		};
	}
}
