/**
 * The AIOps example's calls, shared by examples/aiops/aiops.ts (the demo) and
 * test/integration/aiops-example.test.ts: fetch the generated series, train the detector as a job,
 * stream the series through the inference pipeline an hour at a time, score the result.
 */
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {type JobProgressEvent, ModelNotFoundError, type PipelineClient, PipelineError, RunnerProcess, type RunnerOptions, Tensor} from 'mlbridge';
import {type EventScore, type Incident, scoreEvents} from './evaluation.js';

export const pipelinesFile = path.join(path.dirname(fileURLToPath(import.meta.url)), 'pipelines.py');
export const modelName = 'anomaly-detector';

/** The calls this module makes (a PipelineClient has them). */
export type AiopsClient = Pick<PipelineClient, 'invoke' | 'submit'>;

export type MetricSeries = {
	/** rows x metrics, row-major. */
	readonly values: Float64Array;
	readonly rows: number;
	readonly metrics: readonly string[];
	readonly stepMinutes: number;
	readonly incidents: readonly Incident[];
};

export type Training = {
	readonly version: number;
	readonly metrics: Readonly<Record<string, number>>;
	readonly features: readonly string[];
	readonly contextRows: number;
	readonly seconds: number;
};

export type DetectionRun = {
	/** One score per row (NaN for the first contextRows rows, which are history only); > 0 is flagged. */
	readonly scores: Float64Array;
	readonly flags: Uint8Array;
	/** Round-trip time of each inference call, ms. */
	readonly callMs: readonly number[];
	/** Time each call spent scoring inside the pipeline, ms. */
	readonly scoringMs: readonly number[];
	readonly score: EventScore;
};

/** A runner with the example's pipelines and a model store (`--model-dir`). */
export async function startAiopsRunner(modelDir: string, options: Partial<RunnerOptions> = {}): Promise<RunnerProcess> {
	return RunnerProcess.start({
		pipelines: [pipelinesFile],
		...options,
		extraArgs: ['--model-dir', modelDir, ...(options.extraArgs ?? [])],
	});
}

export async function loadSeries(client: AiopsClient, days: number, seed: number): Promise<MetricSeries> {
	const reply = await client.invoke('aiops_series', {days, seed}) as {
		values: Tensor<'FP64'>;
		metrics: string[];
		step_minutes: number;
		incidents: Incident[];
	};
	return {
		values: reply.values.data,
		rows: reply.values.shape[0]!,
		metrics: reply.metrics,
		stepMinutes: reply.step_minutes,
		incidents: reply.incidents,
	};
}

/** Submits the training job and returns once its model version is saved. */
export async function train(
	client: AiopsClient,
	args: {days: number; seed: number; trees?: number},
	onProgress: (event: JobProgressEvent) => void = () => undefined,
): Promise<Training> {
	const job = await client.submit('train_anomaly_detector', args);
	for await (const event of job.progress) {
		onProgress(event);
	}

	const result = await job.result() as {version: number; metrics: Record<string, number>; features: string[]; context_rows: number; seconds: number};
	return {version: result.version, metrics: result.metrics, features: result.features, contextRows: result.context_rows, seconds: result.seconds};
}

/**
 * Scores the series as a monitoring agent would see it: `chunkRows` new rows at a time, each call
 * carrying the `contextRows` before them, with the model version pinned. The first call waits (up to
 * `waitMs`) for the runner to have seen the new version on the model topic.
 */
export async function detect(client: AiopsClient, series: MetricSeries, training: Training, chunkRows = 12, waitMs = 15_000): Promise<DetectionRun> {
	const width = series.metrics.length;
	const scores = new Float64Array(series.rows).fill(Number.NaN);
	const flags = new Uint8Array(series.rows);
	const callMs: number[] = [];
	const scoringMs: number[] = [];
	const context = training.contextRows;
	for (let start = context; start < series.rows; start += chunkRows) {
		const end = Math.min(start + chunkRows, series.rows);
		const window = new Tensor(series.values.subarray((start - context) * width, end * width), [end - start + context, width]);
		const began = performance.now();
		const reply = await invokeWhenServed(client, window, training.version, start === context ? waitMs : 0);
		callMs.push(performance.now() - began);
		scoringMs.push(reply.ms);
		scores.set(reply.scores.data, start);
		flags.set(reply.flags.data, start);
	}

	return {scores, flags, callMs, scoringMs, score: scoreEvents(flags, scores, series.incidents)};
}

type Scored = {scores: Tensor<'FP64'>; flags: Tensor<'BOOL'>; ms: number};

async function invokeWhenServed(client: AiopsClient, window: Tensor, version: number, waitMs: number): Promise<Scored> {
	const deadline = Date.now() + waitMs;
	for (;;) {
		try {
			return await client.invoke('detect_anomalies', {window}, {modelVersion: version}) as Scored;
		} catch (error) {
			// The version was published before train() returned; a runner follows the model topic
			// asynchronously, so the very first call may come a few milliseconds early.
			const notYet = error instanceof ModelNotFoundError || (error instanceof PipelineError && /ModelNotFound/.test(String(error.remoteType)));
			if (!notYet || Date.now() > deadline) throw error;
			await new Promise(resolve => setTimeout(resolve, 100));
		}
	}
}

/** The q-quantile (0..1) of `values`. */
export function quantile(values: readonly number[], q: number): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}
