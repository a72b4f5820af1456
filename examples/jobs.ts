/**
 * `npm run demo -- jobs`: start a runner with examples/training_job.py, submit a training job,
 * follow its progress, let the submitting client go and reattach from a new one by id, call
 * inference while it trains, list running jobs, cancel another job, and stop what was started.
 *
 * `npm run demo -- jobs --kill-runner` then also SIGKILLs the runner of a running job and waits
 * (about 15 s) for a second runner to take the job over from its last checkpoint.
 */
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {JobCancelledError, PipelineClient, RunnerProcess} from 'mlbridge';

type Model = {weights: {w: number; b: number}; loss: number[]; attempt: number; resumed_from: number};

const pipelines = path.join(path.dirname(fileURLToPath(import.meta.url)), 'training_job.py');
const runners = [await RunnerProcess.start({pipelines: [pipelines]})];
console.log(`runner up (pid ${runners[0]!.pid})`);

try {
	// 1. Submit: returns at once with the job's id; the job runs in the runners' job lane.
	const submitter = await PipelineClient.connect();
	const job = await submitter.submit('train_model', {dataset: 'cpu-metrics', epochs: 20, seconds_per_epoch: 0.25});
	console.log(`submitted job ${job.id} (${(await job.status()).state})`);

	for await (const e of job.progress) {
		console.log(`  progress ${e.current}/${e.total}: ${e.message}`);
		if (e.current >= 5) {
			break; // stop following: the job goes on
		}
	}

	// 2. The submitting process goes away (a redeploy, a crash): the job does not care.
	await submitter.close();
	console.log('submitting client closed; the job goes on');

	// 3. Any process that knows the id reattaches: status, the rest of the progress, the result.
	const client = await PipelineClient.connect();
	const again = await client.job(job.id);
	const status = await again.status();
	console.log(`reattached to ${again.id}: ${status.state}, attempt ${status.attempt} of ${status.maxAttempts}, on runner ${status.runner}`);

	const running = await client.jobs({state: 'RUNNING'});
	console.log(`running jobs: ${running.map(s => `${s.id} (${s.pipeline}, ${s.progress?.current ?? 0}/${s.progress?.total ?? '?'})`).join(', ')}`);

	// Inference is not held up by training: calls have their own lane and workers.
	let t = performance.now();
	const inFlight = await client.invoke('predict', {weights: {w: 0.8, b: 5}, rates: [10, 50]});
	console.log(`predict while training → ${JSON.stringify(inFlight)} (${(performance.now() - t).toFixed(1)} ms)`);

	let last = 0;
	for await (const e of again.progress) {
		if (e.current - last >= 5 || e.current === e.total) {
			console.log(`  progress ${e.current}/${e.total}: ${e.message}`);
			last = e.current;
		}
	}

	const model = await again.result() as Model;
	console.log(`result: w ${model.weights.w.toFixed(3)}, b ${model.weights.b.toFixed(2)}, loss ${model.loss[0]!.toFixed(1)} → ${model.loss.at(-1)!.toFixed(2)}, attempt ${model.attempt}`);

	// 4. Cancel from anywhere: client.cancel(id) (or job.cancel()); the pipeline stops at its next check.
	const doomed = await client.submit('train_model', {dataset: 'cpu-metrics', epochs: 1000, seconds_per_epoch: 0.25});
	for await (const e of doomed.progress) {
		if (e.current >= 2) {
			break;
		}
	}

	t = performance.now();
	console.log(`cancelling ${doomed.id}: ${(await client.cancel(doomed.id)).state}`);
	try {
		await doomed.result();
	} catch (error) {
		if (!(error instanceof JobCancelledError)) {
			throw error;
		}

		const stopped = await doomed.status();
		console.log(`${error.name}: ${error.message} (${stopped.state} after ${(performance.now() - t).toFixed(0)} ms, at epoch ${stopped.progress?.current})`);
	}

	// 5. A runner dies mid-job: another one takes the job over and resumes from its checkpoint.
	if (process.argv.includes('--kill-runner')) {
		runners.push(await RunnerProcess.start({pipelines: [pipelines]}));
		const survivor = await client.submit('train_model', {dataset: 'cpu-metrics', epochs: 20, seconds_per_epoch: 0.5});
		for await (const e of survivor.progress) {
			if (e.current >= 5) {
				break;
			}
		}

		const holder = (await survivor.status()).runner; // "host/pid/…"
		const victim = runners.find(r => holder.includes(`/${r.pid}/`))!;
		await victim.kill();
		const killedAt = Date.now();
		console.log(`SIGKILLed runner ${victim.pid}, which ran ${survivor.id}; another runner takes it over once its heartbeat is 15 s old…`);
		const resumed = await survivor.result() as Model;
		const status = await survivor.status();
		console.log(`result: attempt ${resumed.attempt} on runner ${status.runner}, resumed after epoch ${resumed.resumed_from} of 20, restarted ${((status.startedAtMs - killedAt) / 1000).toFixed(1)} s after the kill`);
	}

	await client.close();
} finally {
	for (const r of runners) {
		const exit = await r.stop();
		console.log(`runner ${r.pid} stopped (${exit.signal ?? `exit ${exit.exitCode}`})`);
	}
}
