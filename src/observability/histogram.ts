/**
 * Upper bounds (seconds) of the latency buckets: the runner's (docs/observability.md), so client
 * and runner histograms line up in one dashboard. From 1 ms inference to four-hour jobs.
 */
export const latencyBucketsSeconds: readonly number[] = Object.freeze([
	0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 1800, 3600, 7200, 14_400,
]);

/** One bucket of a histogram snapshot: how many observations were ≤ `le` seconds (cumulative). */
export type HistogramBucket = {
	/** Upper bound in seconds; `Infinity` for the last bucket (Prometheus's `+Inf`). */
	readonly le: number;
	readonly count: number;
};

/** A histogram as Prometheus reads one: cumulative buckets, the sum and the count of observations. */
export type HistogramSnapshot = {
	readonly buckets: readonly HistogramBucket[];
	/** Sum of the observed values, seconds. */
	readonly sum: number;
	readonly count: number;
};

/**
 * A fixed-bucket histogram. Observing allocates nothing: one scan of 21 bounds (usually a few
 * steps: calls are short) and three additions.
 */
export class LatencyHistogram {
	readonly #bounds: readonly number[];
	/** Per-bucket (not cumulative) counts; the last slot is above every bound. */
	readonly #counts: Float64Array;
	#sum = 0;
	#count = 0;

	constructor(bounds: readonly number[] = latencyBucketsSeconds) {
		this.#bounds = bounds;
		this.#counts = new Float64Array(bounds.length + 1);
	}

	observe(seconds: number): void {
		const bounds = this.#bounds;
		let i = 0;
		while (i < bounds.length && seconds > bounds[i]!) {
			i++;
		}

		this.#counts[i]!++;
		this.#sum += seconds;
		this.#count++;
	}

	snapshot(): HistogramSnapshot {
		const buckets: HistogramBucket[] = [];
		let cumulative = 0;
		for (const [i, le] of this.#bounds.entries()) {
			cumulative += this.#counts[i]!;
			buckets.push({le, count: cumulative});
		}

		buckets.push({le: Infinity, count: this.#count});
		return {buckets, sum: this.#sum, count: this.#count};
	}
}
