import type {JobStatus} from '../index.js';

/** Jobs per pipeline over the last minutes, from the statuses the client holds. */
export type PipelineJobStats = {
	readonly pipeline: string;
	/** Jobs that ended in each minute of the window, oldest minute first. */
	readonly finishedPerMinute: readonly number[];
	readonly succeeded: number;
	readonly failed: number;
	readonly cancelled: number;
	/** Run time (start to end) of the jobs that ended in the window; null when none did. */
	readonly p50Ms: number | null;
	readonly p99Ms: number | null;
	readonly running: number;
	readonly queued: number;
};

export type JobStats = {readonly windowMinutes: number; readonly untilMs: number; readonly pipelines: readonly PipelineJobStats[]};

export function jobStats(statuses: readonly JobStatus[], nowMs: number, windowMinutes = 30): JobStats {
	const start = nowMs - windowMinutes * 60_000;
	const byPipeline = new Map<string, {perMinute: number[]; runs: number[]; succeeded: number; failed: number; cancelled: number; running: number; queued: number}>();
	for (const status of statuses) {
		let entry = byPipeline.get(status.pipeline);
		if (entry === undefined) {
			entry = {perMinute: Array.from({length: windowMinutes}, () => 0), runs: [], succeeded: 0, failed: 0, cancelled: 0, running: 0, queued: 0};
			byPipeline.set(status.pipeline, entry);
		}

		if (status.state === 'RUNNING' || status.state === 'CANCEL_REQUESTED') {
			entry.running++;
		} else if (status.state === 'QUEUED') {
			entry.queued++;
		} else if (status.finishedAtMs >= start && status.finishedAtMs <= nowMs) {
			const minute = Math.min(windowMinutes - 1, Math.floor((status.finishedAtMs - start) / 60_000));
			entry.perMinute[minute]!++;
			if (status.startedAtMs > 0) {
				entry.runs.push(status.finishedAtMs - status.startedAtMs);
			}

			if (status.state === 'SUCCEEDED') {
				entry.succeeded++;
			} else if (status.state === 'FAILED') {
				entry.failed++;
			} else {
				entry.cancelled++;
			}
		}
	}

	return {
		windowMinutes,
		untilMs: nowMs,
		pipelines: [...byPipeline].sort(([a], [b]) => a.localeCompare(b)).map(([pipeline, e]) => {
			const runs = e.runs.sort((a, b) => a - b);
			return {
				pipeline,
				finishedPerMinute: e.perMinute,
				succeeded: e.succeeded,
				failed: e.failed,
				cancelled: e.cancelled,
				p50Ms: quantile(runs, 0.5),
				p99Ms: quantile(runs, 0.99),
				running: e.running,
				queued: e.queued,
			};
		}),
	};
}

/** Nearest-rank quantile of sorted values; null for none. */
export function quantile(sorted: readonly number[], q: number): number | null {
	if (sorted.length === 0) {
		return null;
	}

	return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}
