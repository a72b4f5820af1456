/**
 * `mlbridge/prometheus`: the client's metrics in a prom-client registry. prom-client is an
 * optional peer dependency, imported on the first call; the metrics are read from
 * `client.metrics()` at each scrape, so calls pay nothing for being exported.
 */
import type * as PromClient from 'prom-client';
import {type ClientMetricsSnapshot, type ClientMetricsSource} from './client-metrics.js';
import {type HistogramSnapshot, latencyBucketsSeconds} from './histogram.js';
import {importOptional} from './optional-package.js';

export type PrometheusMetricsOptions = {
	/**
	 * The registry to add the metrics to.
	 * @default prom-client's global `register`
	 */
	readonly registry?: PromClient.Registry;
};

/** The metrics' names, as registered. */
export const clientMetricNames = {
	calls: 'mlbridge_client_calls_total',
	duration: 'mlbridge_client_call_duration_seconds',
	pending: 'mlbridge_client_pending_calls',
	retries: 'mlbridge_client_retries_total',
	brokerWaits: 'mlbridge_client_broker_waits_total',
	jobsSubmitted: 'mlbridge_client_jobs_submitted_total',
} as const;

export type ClientMetricsRegistration = {
	/** Remove the metrics from the registry (for example before the client is closed for good). */
	unregister(): void;
};

/**
 * Register the metrics of `clients` (summed when several) in a prom-client registry:
 * `mlbridge_client_calls_total{pipeline,outcome}`, `mlbridge_client_call_duration_seconds{pipeline}`,
 * `mlbridge_client_pending_calls`, `mlbridge_client_retries_total{pipeline}`,
 * `mlbridge_client_broker_waits_total`, `mlbridge_client_jobs_submitted_total{pipeline}`.
 * Rejects with MissingPeerDependencyError when prom-client is not installed.
 *
 * ```ts
 * import {registerClientMetrics} from 'mlbridge/prometheus';
 * await registerClientMetrics(client);
 * // then serve `await register.metrics()` from prom-client on /metrics
 * ```
 */
export async function registerClientMetrics(
	clients: ClientMetricsSource | readonly ClientMetricsSource[],
	options: PrometheusMetricsOptions = {},
	/** @internal Tests pass an import that fails, as where prom-client is not installed. */
	load: () => Promise<unknown> = async () => import('prom-client'),
): Promise<ClientMetricsRegistration> {
	const prom = await importOptional('prom-client', 'registerClientMetrics()', load) as typeof PromClient;
	const sources: readonly ClientMetricsSource[] = isSource(clients) ? [clients] : clients;
	const read = (): ClientMetricsSnapshot => mergeSnapshots(sources.map(source => source.metrics()));
	const registers = [options.registry ?? prom.register];
	const names = clientMetricNames;

	const calls = new prom.Counter({
		name: names.calls, help: 'Calls finished, by pipeline and outcome ("ok" or the error code lowercased)', labelNames: ['pipeline', 'outcome'] as const, registers: [],
		collect() {
			this.reset();
			for (const [pipeline, metrics] of Object.entries(read().pipelines)) {
				for (const [outcome, count] of Object.entries(metrics.calls)) {
					this.inc({pipeline, outcome}, count);
				}
			}
		},
	});
	const retries = new prom.Counter({
		name: names.retries, help: 'Requests produced again while the brokers could not be reached', labelNames: ['pipeline'] as const, registers: [],
		collect() {
			this.reset();
			for (const [pipeline, metrics] of Object.entries(read().pipelines)) {
				this.inc({pipeline}, metrics.retries);
			}
		},
	});
	const jobs = new prom.Counter({
		name: names.jobsSubmitted, help: 'Jobs submitted', labelNames: ['pipeline'] as const, registers: [],
		collect() {
			this.reset();
			for (const [pipeline, metrics] of Object.entries(read().pipelines)) {
				if (metrics.jobsSubmitted > 0) {
					this.inc({pipeline}, metrics.jobsSubmitted);
				}
			}
		},
	});
	const brokerWaits = new prom.Counter({
		name: names.brokerWaits, help: 'Calls that found the brokers unreachable and waited for them', registers: [],
		collect() {
			this.reset();
			this.inc(read().brokerWaits);
		},
	});
	const pending = new prom.Gauge({
		name: names.pending, help: 'Calls waiting for their reply', registers: [],
		collect() {
			this.set(read().pendingCalls);
		},
	});

	type HistogramData = Awaited<ReturnType<PromClient.Histogram['get']>>;
	const durationHelp = 'Round trip of calls, from invoke() until their promise settled, in seconds';
	/** The client's own histograms, exported as they are: prom-client's Histogram only observes one value at a time. */
	class SnapshotHistogram extends prom.Histogram<'pipeline'> {
		override async get(): Promise<HistogramData> {
			const values: Array<PromClient.MetricValueWithName<string>> = [];
			for (const [pipeline, metrics] of Object.entries(read().pipelines)) {
				values.push(...histogramValues(names.duration, pipeline, metrics.duration));
			}

			// `type` is the text prom-client writes after `# TYPE` (its typings say an enum; at run time it is this string).
			return {name: names.duration, help: durationHelp, type: 'histogram', values, aggregator: 'sum'} as unknown as HistogramData;
		}

		/** What prom-client's registry reads for the text format when a metric has it. */
		async getForPromString(): Promise<HistogramData> {
			return this.get();
		}
	}

	const duration = new SnapshotHistogram({
		name: names.duration, help: durationHelp, labelNames: ['pipeline'] as const,
		buckets: [...latencyBucketsSeconds], registers: [],
	});
	const metrics = [calls, duration, pending, retries, brokerWaits, jobs];
	for (const registry of registers) {
		for (const metric of metrics) {
			registry.registerMetric(metric);
		}
	}

	return {
		unregister() {
			for (const registry of registers) {
				for (const name of Object.values(names)) {
					registry.removeSingleMetric(name);
				}
			}
		},
	};
}

function isSource(value: ClientMetricsSource | readonly ClientMetricsSource[]): value is ClientMetricsSource {
	return typeof (value as Partial<ClientMetricsSource>).metrics === 'function';
}

function histogramValues(name: string, pipeline: string, histogram: HistogramSnapshot): Array<PromClient.MetricValueWithName<string>> {
	const values: Array<PromClient.MetricValueWithName<string>> = histogram.buckets.map(bucket => ({
		metricName: `${name}_bucket`,
		labels: {le: bucket.le === Infinity ? '+Inf' : bucket.le, pipeline},
		value: bucket.count,
	}));
	values.push({metricName: `${name}_sum`, labels: {pipeline}, value: histogram.sum}, {metricName: `${name}_count`, labels: {pipeline}, value: histogram.count});
	return values;
}

/** Several clients' snapshots as one: counts and histograms added up by pipeline. */
export function mergeSnapshots(snapshots: readonly ClientMetricsSnapshot[]): ClientMetricsSnapshot {
	if (snapshots.length === 1) {
		return snapshots[0]!;
	}

	const pipelines: Record<string, {calls: Record<string, number>; duration: HistogramSnapshot; retries: number; jobsSubmitted: number}> = {};
	let pendingCalls = 0;
	let brokerWaits = 0;
	for (const snapshot of snapshots) {
		pendingCalls += snapshot.pendingCalls;
		brokerWaits += snapshot.brokerWaits;
		for (const [name, metrics] of Object.entries(snapshot.pipelines)) {
			const into = pipelines[name];
			if (into === undefined) {
				pipelines[name] = {...metrics, calls: {...metrics.calls}};
				continue;
			}

			for (const [outcome, count] of Object.entries(metrics.calls)) {
				into.calls[outcome] = (into.calls[outcome] ?? 0) + count;
			}

			into.retries += metrics.retries;
			into.jobsSubmitted += metrics.jobsSubmitted;
			into.duration = {
				buckets: into.duration.buckets.map((bucket, i) => ({le: bucket.le, count: bucket.count + (metrics.duration.buckets[i]?.count ?? 0)})),
				sum: into.duration.sum + metrics.duration.sum,
				count: into.duration.count + metrics.duration.count,
			};
		}
	}

	return {pipelines, pendingCalls, brokerWaits};
}
