import {MlbridgeError} from '../errors/base.js';
import {type HistogramSnapshot, LatencyHistogram} from './histogram.js';

/** What one pipeline's calls from this client came to. */
export type PipelineCallMetrics = {
	/**
	 * Finished calls by outcome: `"ok"`, else the error's `code` lowercased (`"pipeline_error"`,
	 * `"invocation_timeout"`, `"cancelled"`, `"broker_unreachable"`…), as the runner labels them.
	 */
	readonly calls: Readonly<Record<string, number>>;
	/** Round trip of the calls that were sent, from invoke() to their promise settling, in seconds. */
	readonly duration: HistogramSnapshot;
	/** Requests produced again because the brokers could not be reached (`whenBrokerDown: "wait"`). */
	readonly retries: number;
	/** Jobs submitted (submit() that produced a job request; a handle on an existing job is not counted). */
	readonly jobsSubmitted: number;
};

/** `client.metrics()`: counters since connect(), plain data (safe to JSON.stringify). */
export type ClientMetricsSnapshot = {
	/** By pipeline name. */
	readonly pipelines: Readonly<Record<string, PipelineCallMetrics>>;
	/** Calls waiting for their reply now. */
	readonly pendingCalls: number;
	/** Calls that found the brokers unreachable and waited for them (each call counted once). */
	readonly brokerWaits: number;
};

/** Anything that can report client metrics: a PipelineClient, or your own aggregate of several. */
export type ClientMetricsSource = {
	metrics(): ClientMetricsSnapshot;
};

type PipelineEntry = {
	/** outcome → count; a Map, so a new outcome costs one insertion and a known one nothing. */
	readonly calls: Map<string, number>;
	readonly duration: LatencyHistogram;
	retries: number;
	jobsSubmitted: number;
};

/**
 * The client's counters. Recording a call is two Map lookups and a histogram observation: no
 * allocation once a pipeline and outcome were seen (bench/README.md, "Observability").
 */
export class ClientMetrics {
	readonly #pipelines = new Map<string, PipelineEntry>();
	#brokerWaits = 0;

	/** A call finished: `outcome` from outcomeOf(); `seconds` is undefined when it was never sent. */
	callEnded(pipeline: string, outcome: string, seconds: number | undefined): void {
		const entry = this.#entry(pipeline);
		entry.calls.set(outcome, (entry.calls.get(outcome) ?? 0) + 1);
		if (seconds !== undefined) {
			entry.duration.observe(seconds);
		}
	}

	retried(pipeline: string): void {
		this.#entry(pipeline).retries++;
	}

	brokerWait(): void {
		this.#brokerWaits++;
	}

	jobSubmitted(pipeline: string): void {
		this.#entry(pipeline).jobsSubmitted++;
	}

	snapshot(pendingCalls: number): ClientMetricsSnapshot {
		const pipelines: Record<string, PipelineCallMetrics> = {};
		for (const [name, entry] of this.#pipelines) {
			pipelines[name] = {
				calls: Object.fromEntries(entry.calls),
				duration: entry.duration.snapshot(),
				retries: entry.retries,
				jobsSubmitted: entry.jobsSubmitted,
			};
		}

		return {pipelines, pendingCalls, brokerWaits: this.#brokerWaits};
	}

	#entry(pipeline: string): PipelineEntry {
		let entry = this.#pipelines.get(pipeline);
		if (entry === undefined) {
			entry = {calls: new Map(), duration: new LatencyHistogram(), retries: 0, jobsSubmitted: 0};
			this.#pipelines.set(pipeline, entry);
		}

		return entry;
	}
}

/** Lowercased codes, computed once per code rather than once per failed call. */
const outcomes = new Map<string, string>();

/** The outcome label of a settled call: "ok" (no error), the error's code lowercased, or "error". */
export function outcomeOf(error: unknown): string {
	if (error === undefined) {
		return 'ok';
	}

	if (!(error instanceof MlbridgeError)) {
		return 'error';
	}

	let outcome = outcomes.get(error.code);
	if (outcome === undefined) {
		outcome = error.code.toLowerCase();
		outcomes.set(error.code, outcome);
	}

	return outcome;
}
