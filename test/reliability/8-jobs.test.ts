/**
 * Scenario 8: jobs when processes die (docs/jobs.md).
 * 8a — the runner holding a job is SIGKILLed: another runner takes the job over once its heartbeat
 *      is stale and resumes it from its checkpoint (attempt 2); calls meanwhile are not lost.
 * 8b — a job that kills every runner that starts it ends, after its attempts, in
 *      JobAttemptsExhaustedError; the surviving runners keep serving calls.
 * 8c — every runner down: submitted jobs wait (QUEUED), and run once each when a runner comes back.
 * 8d — the broker is killed (kill -9) while a job runs and comes back 10 s later: the job goes on,
 *      finishes once, attempt 1, every step run once (a broker of its own, like scenario 4).
 * Defaults throughout (heartbeat 3 s, stale after 15 s, session timeout 10 s): the figures are the
 * ones a user gets.
 */
import assert from 'node:assert/strict';
import {existsSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {after, test} from 'node:test';
import {JobAttemptsExhaustedError} from '../../src/index.js';
import {fixturesDir} from '../helpers/harness.js';
import {secondBroker} from '../helpers/second-broker.js';
import {alive, createFleet, type Fleet, Ledger, log, pick, recordResult, reliabilityPipelines, sleep, steadyLoad, until} from '../helpers/reliability.js';

const jobPipelines = path.join(fixturesDir, 'job_pipelines.py');
const pipelines = [reliabilityPipelines, jobPipelines];
const fleets: Fleet[] = [];
// Not scenario 4's port: each scenario's broker and data are its own.
const broker = secondBroker({port: Number(process.env['MLBRIDGE_RELIABILITY_JOBS_BROKER_PORT'] ?? 19_192)});
after(async () => {
	await Promise.allSettled(fleets.map(async f => f.close()));
	await broker.stop(true).catch((error: unknown) => {
		log(`second broker stop: ${String(error)}`);
	});
});

function markerLines(file: string): string[] {
	return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
}

test('8a: the runner of a running job is SIGKILLed: resumed from its checkpoint elsewhere', {timeout: 300_000}, async () => {
	const began = Date.now();
	const fleet = await createFleet('jobkill', {partitions: 4});
	fleets.push(fleet);
	const runners = [await fleet.start({pipelines}), await fleet.start({pipelines})];
	const client = await fleet.connect();
	const steps = pick(60, 600);
	const marker = path.join(fleet.workDir, 'steps.log');
	const job = await client.submit('train_steps', {steps, step_seconds: 0.25, marker});
	assert.ok(await until(() => markerLines(marker).length >= 8, 60_000), 'the job did not start');
	const status = await job.status();
	const victim = runners.find(r => status.runner.includes(`/${r.pid}/`));
	assert.ok(victim !== undefined, `no runner of ours runs it: ${status.runner}`);
	const calls = new Ledger('jk');
	let done = false;
	const load = steadyLoad(10, () => done, () => {
		void calls.call(client, 'rel_tag', {tag: calls.nextTag(), ms: 5}, 120_000);
	});
	const killedAt = Date.now();
	await fleet.kill(victim);
	const before = markerLines(marker).length;
	const result = await job.result({timeoutMs: 240_000}) as {steps: number; attempt: number; resumed_from: number};
	done = true;
	await load;
	await calls.drain();
	const lines = markerLines(marker);
	const resumedLine = lines.findIndex(l => l.includes('attempt 2'));
	const takeoverMs = (await job.status()).startedAtMs - killedAt;
	const stepsRun = lines.map(l => Number(l.split(' ')[1]));
	const repeated = stepsRun.length - new Set(stepsRun).size;
	const summary = calls.summary();
	log(`job: ${JSON.stringify(result)}; steps before the kill ${before}, lines ${lines.length}, repeated steps ${repeated}, takeover ${takeoverMs} ms after the kill; calls ${JSON.stringify(summary)}`);
	const passed = result.attempt === 2 && result.resumed_from >= before - 1 && resumedLine > 0 && repeated <= 1
		&& takeoverMs <= 30_000 && summary.lost === 0 && summary.wrong === 0;
	recordResult({
		scenario: '8a job runner SIGKILLed mid-job',
		calls: summary.calls + 1,
		lost: summary.lost,
		wrong: summary.wrong,
		duplicates: repeated,
		failed: summary.failed,
		seconds: Math.round((Date.now() - began) / 1000),
		notes: `resumed at step ${result.resumed_from + 1}/${steps} as attempt 2, ${(takeoverMs / 1000).toFixed(1)} s after the kill`,
		passed,
	});
	assert.equal(result.attempt, 2);
	assert.ok(result.resumed_from >= before - 1, `resumed from ${result.resumed_from}, ${before} steps were done`);
	assert.ok(repeated <= 1, `${repeated} steps ran twice (at most the one in flight may)`);
	assert.ok(takeoverMs <= 30_000, `taken over ${takeoverMs} ms after the kill`);
	assert.equal(summary.lost, 0);
	assert.equal(summary.wrong, 0);
});

test('8b: a job that kills every runner that starts it ends in JobAttemptsExhaustedError', {timeout: 300_000}, async () => {
	const began = Date.now();
	const fleet = await createFleet('jobexhaust', {partitions: 4});
	fleets.push(fleet);
	// Thread isolation: the job's os.kill(getpid()) then takes the runner itself down.
	const threads = {pipelines, extraArgs: ['--job-isolation', 'thread']};
	const runners = [await fleet.start(threads), await fleet.start(threads), await fleet.start(threads)];
	const client = await fleet.connect();
	const marker = path.join(fleet.workDir, 'kills.log');
	const calls = new Ledger('jx');
	let done = false;
	const load = steadyLoad(10, () => done, () => {
		void calls.call(client, 'rel_tag', {tag: calls.nextTag(), ms: 5}, 120_000);
	});
	const job = await client.submit('kill_my_runner', {marker}, {maxAttempts: 2});
	const error = await job.result({timeoutMs: 240_000}).then(() => undefined, (error: unknown) => error);
	done = true;
	await load;
	await calls.drain();
	const dead = runners.filter(r => !alive(r.pid)).length;
	const kills = markerLines(marker).length;
	const summary = calls.summary();
	log(`error: ${String(error)}; runners killed ${dead}, kill lines ${kills}; calls ${JSON.stringify(summary)}`);
	const exhausted = error instanceof JobAttemptsExhaustedError;
	const passed = exhausted && kills === 2 && dead === 2 && summary.lost === 0 && summary.wrong === 0;
	recordResult({
		scenario: '8b job that kills its runners',
		calls: summary.calls + 1,
		lost: summary.lost,
		wrong: summary.wrong,
		duplicates: 0,
		failed: summary.failed,
		seconds: Math.round((Date.now() - began) / 1000),
		notes: `${kills} attempts, ${dead} runners died, then ${exhausted ? 'JobAttemptsExhaustedError' : String(error)}; the third runner served every call`,
		passed,
	});
	assert.ok(exhausted, String(error));
	assert.equal(kills, 2);
	assert.equal(summary.lost, 0);
});

test('8c: every runner down: submitted jobs wait, then run once each', {timeout: 300_000}, async () => {
	const began = Date.now();
	const fleet = await createFleet('jobwait', {partitions: 4});
	fleets.push(fleet);
	const client = await fleet.connect();
	const count = pick(6, 60);
	const markers = Array.from({length: count}, (_, i) => path.join(fleet.workDir, `job-${i}.log`));
	const jobs = await Promise.all(markers.map(async marker => client.submit('train_steps', {steps: 2, step_seconds: 0.01, marker})));
	await sleep(3000);
	const waiting = (await Promise.all(jobs.map(async j => (await j.status()).state))).filter(s => s === 'QUEUED').length;
	await fleet.start({pipelines, extraArgs: ['--job-concurrency', '2']});
	const results = await Promise.allSettled(jobs.map(async j => j.result({timeoutMs: 180_000})));
	const ok = results.filter(r => r.status === 'fulfilled').length;
	const runs = markers.map(m => markerLines(m).length);
	const twice = runs.filter(n => n > 2).length;
	log(`${waiting}/${count} queued while no runner was up; ${ok} succeeded; step lines per job ${JSON.stringify(runs)}`);
	const passed = waiting === count && ok === count && twice === 0;
	recordResult({
		scenario: '8c jobs while every runner is down',
		calls: count,
		lost: count - ok,
		wrong: 0,
		duplicates: twice,
		failed: count - ok,
		seconds: Math.round((Date.now() - began) / 1000),
		notes: `${waiting}/${count} stayed QUEUED with no runner; all ran once when one came back`,
		passed,
	});
	assert.equal(waiting, count);
	assert.equal(ok, count);
	assert.equal(twice, 0);
});


test('8d: the broker is killed during a job and back after 10 s: the job finishes once, attempt 1', {timeout: 600_000}, async () => {
	const began = Date.now();
	log(`starting a broker of its own on ${broker.brokers.join(',')} (${broker.runDir})`);
	await broker.start();
	const fleet = await createFleet('jobbroker', {brokers: broker.brokers, partitions: 4});
	fleets.push(fleet);
	const runner = await fleet.start({pipelines});
	const client = await fleet.connect();
	const steps = pick(150, 1500);
	const marker = path.join(fleet.workDir, 'steps.log');
	const job = await client.submit('train_steps', {steps, step_seconds: 0.1, marker});
	assert.ok(await until(() => markerLines(marker).length >= 10, 60_000), 'the job did not start');
	const pid = await broker.kill9();
	const killedAt = Date.now();
	const killedStep = markerLines(marker).length;
	log(`kill -9 broker pid ${pid} at step ${killedStep}/${steps}`);
	await sleep(10_000);
	await broker.start();
	const outageS = (Date.now() - killedAt) / 1000;
	const backStep = markerLines(marker).length;
	log(`broker back after ${outageS.toFixed(1)} s, job at step ${backStep}/${steps}`);
	const outcome = await job.result({timeoutMs: 300_000}).then(
		result => ({ok: true as const, result: result as {steps: number; attempt: number; resumed_from: number}}),
		(error: unknown) => ({ok: false as const, error}),
	);
	const lines = markerLines(marker);
	const stepsRun = lines.map(l => Number(l.split(' ')[1]));
	const repeated = stepsRun.length - new Set(stepsRun).size;
	const status = await job.status();
	const runnerAlive = alive(runner.pid);
	log(`outcome ${JSON.stringify(outcome.ok ? outcome.result : String(outcome.error))}; state ${status.state}, attempt ${status.attempt}; ${lines.length} step lines, ${repeated} repeated; runner alive ${runnerAlive}`);
	const passed = outcome.ok && outcome.result.attempt === 1 && outcome.result.steps === steps && repeated === 0 && lines.length === steps && runnerAlive;
	recordResult({
		scenario: '8d broker kill -9 during a job',
		calls: 1,
		lost: outcome.ok ? 0 : 1,
		wrong: 0,
		duplicates: repeated,
		failed: outcome.ok ? 0 : 1,
		seconds: Math.round((Date.now() - began) / 1000),
		notes: `broker killed at step ${killedStep}/${steps}, answering again ${outageS.toFixed(0)} s later (job at step ${backStep}); ${outcome.ok ? `SUCCEEDED, attempt ${outcome.result.attempt}` : String(outcome.error)}; ${lines.length}/${steps} steps, ${repeated} run twice; runner alive`,
		passed,
	});
	assert.ok(outcome.ok, String(outcome.ok ? '' : outcome.error));
	assert.equal(outcome.result.attempt, 1);
	assert.equal(repeated, 0);
	assert.equal(lines.length, steps);
	assert.ok(runnerAlive);
});
