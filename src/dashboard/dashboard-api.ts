import type {JobState, JobStatus} from '../index.js';
import type {ClusterView} from './cluster-view.js';
import type {DashboardClient, DashboardJob} from './dashboard-client.js';
import {jobStats, type JobStats} from './job-stats.js';
import {toJsonSafe} from './json-value.js';
import type {MetricsFeed, MetricsUpdate} from './metrics-feed.js';
import type {RunnerFeed} from './runner-feed.js';
import {signatureText} from '../catalog/signature-text.js';

export const jobStates: readonly JobState[] = ['QUEUED', 'RUNNING', 'CANCEL_REQUESTED', 'SUCCEEDED', 'FAILED', 'CANCELLED'];

/** Jobs per page. */
export const pageSize = 50;

export class ApiError extends Error {
	readonly status: number;
	readonly code: string;

	constructor(status: number, code: string, message: string) {
		super(message);
		this.status = status;
		this.code = code;
	}
}

export type JobsPage = {
	readonly jobs: readonly JobStatus[];
	/** Jobs matching the filter, on every page. */
	readonly total: number;
	readonly page: number;
	readonly pageSize: number;
	readonly pages: number;
	/** Pipelines that have jobs (for the filter). */
	readonly pipelines: readonly string[];
};

/** The JSON API's answers, independent of HTTP. */
export class DashboardApi {
	readonly #client: DashboardClient;
	readonly #cluster: ClusterView | undefined;
	readonly #runners: RunnerFeed;
	readonly #metrics: MetricsFeed;

	constructor(client: DashboardClient, cluster: ClusterView | undefined, runners: RunnerFeed, metrics: MetricsFeed) {
		this.#client = client;
		this.#cluster = cluster;
		this.#runners = runners;
		this.#metrics = metrics;
	}

	/** Calls per second and run time per pipeline from the runners' metrics (or the jobs, without them). */
	async metrics(): Promise<MetricsUpdate> {
		return this.#metrics.read();
	}

	/** Jobs per pipeline over the last 30 minutes: ended per minute, outcomes, p50/p99 run time. */
	async jobStats(): Promise<JobStats> {
		return jobStats(await this.#client.jobs({limit: Number.MAX_SAFE_INTEGER}), Date.now());
	}

	/** `?pipeline=P&state=RUNNING,QUEUED&page=2`: newest submitted first, 50 a page. */
	async jobs(query: URLSearchParams): Promise<JobsPage> {
		const pipeline = query.get('pipeline') ?? '';
		const stateText = query.get('state') ?? '';
		const states = stateText.split(',').map(s => s.trim().toUpperCase()).filter(s => s !== '');
		for (const state of states) {
			if (!jobStates.includes(state as JobState)) {
				throw new ApiError(400, 'BAD_STATE', `unknown state ${JSON.stringify(state)}: expected ${jobStates.join(', ')}`);
			}
		}

		const pageText = query.get('page') ?? '1';
		const page = Number(pageText);
		if (!Number.isSafeInteger(page) || page < 1) {
			throw new ApiError(400, 'BAD_PAGE', `expected page to be a whole number >= 1, got ${JSON.stringify(pageText)}`);
		}

		const all = await this.#client.jobs({limit: Number.MAX_SAFE_INTEGER});
		const names = new Set<string>();
		const wanted = new Set(states);
		const matching: JobStatus[] = [];
		for (const status of all) {
			names.add(status.pipeline);
			if ((pipeline === '' || status.pipeline === pipeline) && (wanted.size === 0 || wanted.has(status.state))) {
				matching.push(status);
			}
		}

		const start = (page - 1) * pageSize;
		return {
			jobs: matching.slice(start, start + pageSize),
			total: matching.length,
			page,
			pageSize,
			pages: Math.max(1, Math.ceil(matching.length / pageSize)),
			pipelines: [...names].sort(),
		};
	}

	/** A job's status, a summary of its arguments, and its result once it SUCCEEDED. */
	async job(id: string): Promise<{status: JobStatus; args: ArgsSummary; result?: unknown}> {
		const handle = await this.#client.job(id);
		const [status, args] = await Promise.all([handle.status(), argsSummary(handle)]);
		if (status.state !== 'SUCCEEDED') {
			return {status, args};
		}

		try {
			return {status, args, result: toJsonSafe(await handle.result({timeoutMs: 5000}))};
		} catch (error) {
			return {status, args, result: {unreadable: String(error)}};
		}
	}

	async cancel(id: string): Promise<{status: JobStatus}> {
		return {status: await this.#client.cancel(id)};
	}

	async pipelines(): Promise<unknown[]> {
		const [pipelines, presence] = await Promise.all([
			this.#client.listPipelines(),
			this.#cluster?.presence().catch(() => undefined),
		]);
		// Which live runners serve each pipeline, from their presence; null when none publishes presence.
		const live = presence?.available === true ? presence.runners.filter(r => r.live) : undefined;
		return pipelines.map(p => ({
			name: p.name,
			lane: p.lane,
			version: p.version,
			versions: p.versions,
			signature: signatureText(p),
			doc: p.doc,
			typed: p.typed,
			timeoutMs: p.timeoutMs ?? null,
			runner: p.runner,
			servedBy: live === undefined ? null : live.filter(r => r.pipelines.includes(p.name)).map(r => r.id),
		}));
	}

	async runners(): Promise<unknown> {
		if (this.#cluster === undefined) {
			throw new ApiError(501, 'NO_CLUSTER_VIEW', 'this dashboard was started without a Kafka admin view');
		}

		return this.#runners.read();
	}

	async deadLetters(): Promise<unknown> {
		if (this.#cluster === undefined) {
			throw new ApiError(501, 'NO_CLUSTER_VIEW', 'this dashboard was started without a Kafka admin view');
		}

		return this.#cluster.deadLetters();
	}
}

/** Longest text shown for one argument. */
const argTextMax = 200;

/** `name → value as JSON, clipped`; or why there is none. */
export type ArgsSummary =
	| {readonly available: true; readonly fields: ReadonlyArray<readonly [string, string]>}
	| {readonly available: false; readonly reason: string};

export async function argsSummary(handle: DashboardJob): Promise<ArgsSummary> {
	if (typeof handle.args !== 'function') {
		return {available: false, reason: 'this client cannot read a job\'s arguments'};
	}

	let value: unknown;
	try {
		value = toJsonSafe(await handle.args());
	} catch (error) {
		return {available: false, reason: `unreadable: ${String((error as Error).message ?? error)}`};
	}

	const entries: Array<[string, unknown]> = value !== null && typeof value === 'object' && !Array.isArray(value) ? Object.entries(value) : [['(value)', value]];
	return {
		available: true,
		fields: entries.map(([name, field]) => {
			const text = JSON.stringify(field) ?? 'null';
			return [name, text.length > argTextMax ? `${text.slice(0, argTextMax - 1)}…` : text] as const;
		}),
	};
}
