/**
 * `npm run demo`: start a runner with examples/pipelines.py, call its pipelines from TypeScript,
 * show a typed error, and stop what was started.
 */
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {PipelineClient, RunnerProcess, UnknownPipelineError} from 'mlbridge';

const here = path.dirname(fileURLToPath(import.meta.url));
const started = Date.now();
const runner = await RunnerProcess.start({pipelines: [path.join(here, 'pipelines.py')]});
console.log(`runner up (pid ${runner.pid}) in ${Date.now() - started} ms`);

const client = await PipelineClient.connect();
try {
	let t = performance.now();
	const model = (await client.invoke('train_model', {dataset: 'cpu-metrics', epochs: 60})) as {
		weights: {w: number; b: number};
		loss: number[];
	};
	console.log(`train_model → weights ${JSON.stringify(model.weights)}, loss ${model.loss[0]!.toFixed(1)} → ${model.loss.at(-1)!.toFixed(2)} over ${model.loss.length} epochs (${(performance.now() - t).toFixed(1)} ms)`);

	t = performance.now();
	const predictions = await client.invoke('predict', {weights: model.weights, rates: [10, 50, 90]});
	console.log(`predict → ${JSON.stringify(predictions)} (${(performance.now() - t).toFixed(1)} ms)`);

	t = performance.now();
	const scores = await client.invoke('zscore', {values: [1, 2, 3, 4, 100]});
	console.log(`zscore → ${JSON.stringify(scores)} (${(performance.now() - t).toFixed(1)} ms)`);

	try {
		await client.invoke("__import__('os').system('id')", {});
	} catch (error) {
		if (error instanceof UnknownPipelineError) {
			console.log(`typed error: ${error.name} for request ${error.requestId}: ${error.message}`);
		} else {
			throw error;
		}
	}
} finally {
	await client.close();
	const exit = await runner.stop();
	console.log(`runner stopped (exit ${exit.exitCode})`);
}
