/**
 * Calls per second and run-time quantiles per pipeline from the runners' counters (contract A):
 * `mlbridge_runner_calls_total{pipeline,outcome}` and the histogram
 * `mlbridge_runner_call_duration_seconds{pipeline}`. Rates come from the difference of two
 * scrapes of one runner; quantiles from the difference of the cumulative buckets, interpolated
 * inside a bucket like Prometheus's histogram_quantile(). Runners are summed per pipeline.
 */
import type {PromSample} from './prometheus-text.js';

export const callsMetric = 'mlbridge_runner_calls_total';
export const durationMetric = 'mlbridge_runner_call_duration_seconds';

/** One pipeline's counters in one scrape of one runner. */
export type PipelineCounters = {
	/** Calls by outcome ("ok" or an error code, lowercased). */
	readonly outcomes: Readonly<Record<string, number>>;
	/** Cumulative histogram buckets: upper bound in seconds (Infinity last) → count. */
	readonly buckets: ReadonlyArray<readonly [number, number]>;
};

/** One runner's scrape: pipeline → counters. */
export type RunnerCounters = ReadonlyMap<string, PipelineCounters>;

/** Counters per pipeline from a parsed /metrics page. */
export function runnerCounters(samples: readonly PromSample[]): RunnerCounters {
	const outcomes = new Map<string, Record<string, number>>();
	const buckets = new Map<string, Map<number, number>>();
	for (const {name, labels, value} of samples) {
		const pipeline = labels['pipeline'];
		if (pipeline === undefined || !Number.isFinite(value)) {
			continue;
		}

		if (name === callsMetric) {
			const byOutcome = outcomes.get(pipeline) ?? {};
			const outcome = labels['outcome'] ?? 'ok';
			byOutcome[outcome] = (byOutcome[outcome] ?? 0) + value;
			outcomes.set(pipeline, byOutcome);
		} else if (name === `${durationMetric}_bucket`) {
			const le = labels['le'];
			const bound = le === '+Inf' || le === 'Inf' ? Number.POSITIVE_INFINITY : Number(le);
			if (le === undefined || Number.isNaN(bound)) {
				continue;
			}

			const byBound = buckets.get(pipeline) ?? new Map<number, number>();
			byBound.set(bound, value);
			buckets.set(pipeline, byBound);
		}
	}

	const counters = new Map<string, PipelineCounters>();
	for (const pipeline of new Set([...outcomes.keys(), ...buckets.keys()])) {
		counters.set(pipeline, {
			outcomes: outcomes.get(pipeline) ?? {},
			buckets: [...(buckets.get(pipeline) ?? new Map<number, number>())].sort(([a], [b]) => a - b),
		});
	}

	return counters;
}

/** What changed between two scrapes of one pipeline (summable across runners). */
export type PipelineDelta = {
	readonly calls: number;
	readonly errors: number;
	/** Calls per second over the runner's own scrape interval (rates of runners add up). */
	readonly callsPerSecond: number;
	readonly errorsPerSecond: number;
	/** Cumulative bucket deltas, as `buckets`. */
	readonly buckets: ReadonlyArray<readonly [number, number]>;
};

/**
 * `current - previous` for each pipeline of one runner, over `seconds`. A counter that went down
 * means the runner restarted its process: the current value is what was counted since.
 */
export function counterDelta(previous: RunnerCounters | undefined, current: RunnerCounters, seconds: number): Map<string, PipelineDelta> {
	const deltas = new Map<string, PipelineDelta>();
	if (previous === undefined || !(seconds > 0)) {
		return deltas;
	}

	for (const [pipeline, now] of current) {
		const before = previous.get(pipeline);
		const nowTotal = sum(Object.values(now.outcomes));
		const beforeTotal = before === undefined ? 0 : sum(Object.values(before.outcomes));
		const reset = nowTotal < beforeTotal;
		const base = reset ? undefined : before;
		let calls = 0;
		let errors = 0;
		for (const [outcome, count] of Object.entries(now.outcomes)) {
			const delta = Math.max(0, count - (base?.outcomes[outcome] ?? 0));
			calls += delta;
			if (outcome !== 'ok') {
				errors += delta;
			}
		}

		const beforeBuckets = new Map(base?.buckets ?? []);
		const buckets = now.buckets.map(([bound, count]) => [bound, Math.max(0, count - (beforeBuckets.get(bound) ?? 0))] as const);
		deltas.set(pipeline, {calls, errors, callsPerSecond: calls / seconds, errorsPerSecond: errors / seconds, buckets});
	}

	return deltas;
}

/** Deltas of several runners summed per pipeline (rates add; buckets add bound by bound). */
export function sumDeltas(perRunner: ReadonlyArray<ReadonlyMap<string, PipelineDelta>>): Map<string, PipelineDelta> {
	const total = new Map<string, {calls: number; errors: number; callsPerSecond: number; errorsPerSecond: number; buckets: Map<number, number>}>();
	for (const deltas of perRunner) {
		for (const [pipeline, delta] of deltas) {
			const entry = total.get(pipeline) ?? {calls: 0, errors: 0, callsPerSecond: 0, errorsPerSecond: 0, buckets: new Map<number, number>()};
			entry.calls += delta.calls;
			entry.errors += delta.errors;
			entry.callsPerSecond += delta.callsPerSecond;
			entry.errorsPerSecond += delta.errorsPerSecond;
			for (const [bound, count] of delta.buckets) {
				entry.buckets.set(bound, (entry.buckets.get(bound) ?? 0) + count);
			}

			total.set(pipeline, entry);
		}
	}

	return new Map([...total].map(([pipeline, e]) => [pipeline, {...e, buckets: [...e.buckets].sort(([a], [b]) => a - b)}]));
}

/**
 * The q-quantile (0..1) in seconds of the observations counted by cumulative `buckets`, linear
 * within the bucket it falls in (the first bucket from 0); in the +Inf bucket, the highest finite
 * bound. Null without observations.
 */
export function bucketQuantile(q: number, buckets: ReadonlyArray<readonly [number, number]>): number | null {
	const total = buckets.at(-1)?.[1] ?? 0;
	if (buckets.length === 0 || !(total > 0)) {
		return null;
	}

	const rank = q * total;
	let lowerBound = 0;
	let lowerCount = 0;
	for (const [bound, count] of buckets) {
		if (count >= rank && count > lowerCount) {
			if (bound === Number.POSITIVE_INFINITY) {
				return lowerBound;
			}

			return lowerBound + ((bound - lowerBound) * (rank - lowerCount)) / (count - lowerCount);
		}

		lowerBound = bound;
		lowerCount = count;
	}

	return lowerBound;
}

/** One point of the charts for one pipeline. */
export type CallPoint = {
	readonly callsPerSecond: number;
	readonly errorsPerSecond: number;
	/** Null when no call finished in the interval. */
	readonly p50Ms: number | null;
	readonly p99Ms: number | null;
};

export function callPoint(delta: PipelineDelta): CallPoint {
	const p50 = bucketQuantile(0.5, delta.buckets);
	const p99 = bucketQuantile(0.99, delta.buckets);
	return {
		callsPerSecond: delta.callsPerSecond,
		errorsPerSecond: delta.errorsPerSecond,
		p50Ms: p50 === null ? null : p50 * 1000,
		p99Ms: p99 === null ? null : p99 * 1000,
	};
}

function sum(values: readonly number[]): number {
	return values.reduce((a, b) => a + b, 0);
}
