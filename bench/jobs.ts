/**
 * The jobs rung (issue 13): inference while training jobs run, and the jobs API's own latencies.
 *
 * 1. Inference under training load: closed loop, concurrency 16, `noop` calls, p50/p99 — with the
 *    runners idle, with every runner's job lane full of CPU-light sleeping jobs, and full of
 *    CPU-bound pure-Python jobs; phases interleaved over rounds (order rotated), medians.
 * 2. submit → RUNNING (as this client sees the status), cancel() of a running cooperative job →
 *    result() rejecting with JobCancelledError.
 * 3. client.job(id) → status with `records` finished jobs in a state topic of its own, in a fresh
 *    client in a fresh process (bench/job_lookup.ts), with that process's memory.
 *
 * Figures only: nothing is asserted; the targets are printed as met / missed.
 */
import {spawn} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import path from 'node:path';
import * as hdr from 'hdr-histogram-js';
import {Kafka, logLevel, Partitioners} from 'kafkajs';
import {JobCancelledError, PipelineClient, RunnerProcess, type Job} from '../dist/src/index.js';
import {encodeValue, wireSchemas} from '../dist/src/codec/index.js';
import {encodeJobRecord, type JobRecord} from '../dist/src/jobs/job-record.js';
import {defaultJobStateTopic, jobStateTopicSpec} from '../dist/src/jobs/job-topics.js';
import {here, root} from './systems.js';

const brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');

export type JobsConfig = {
	/** Runner processes, each with `--job-concurrency jobConcurrency`. */
	runners: number;
	jobConcurrency: number;
	/** Interleaved rounds of the idle / sleeping / CPU-bound phases. */
	rounds: number;
	/** Inference calls per phase and round (after `warmup`), 16 in flight. */
	calls: number;
	warmup: number;
	/** Also the CPU-bound phase. */
	cpu: boolean;
	/** submit → RUNNING and cancel → stopped samples. */
	samples: number;
	/** Finished job records in the lookup's state topic. */
	records: number;
	/** The runners' --job-isolation (calls stay on threads). */
	isolation: 'thread' | 'process';
};

export function jobsConfig(smoke: boolean): JobsConfig {
	const env = (name: string, full: number, smokeValue: number) => Number(process.env[name] ?? (smoke ? smokeValue : full));
	return {
		runners: env('BENCH_JOBS_RUNNERS', 2, 1),
		jobConcurrency: env('BENCH_JOBS_CONCURRENCY', 2, 2),
		rounds: env('BENCH_JOBS_ROUNDS', 3, 1),
		calls: env('BENCH_JOBS_CALLS', 5000, 200),
		warmup: env('BENCH_JOBS_WARMUP', 300, 50),
		cpu: env('BENCH_JOBS_CPU', 1, 1) === 1,
		samples: env('BENCH_JOBS_SAMPLES', 20, 2),
		records: env('BENCH_JOBS_RECORDS', 100_000, 2000),
		isolation: process.env['BENCH_JOBS_ISOLATION'] === 'thread' ? 'thread' : 'process',
	};
}

type Phase = 'idle' | 'sleep_job' | 'cpu_job';
type Percentiles = {p50: number; p99: number; max: number; count: number};
export type JobsResults = {
	config: JobsConfig;
	inference: Record<Phase, {rounds: Percentiles[]; p50: number; p99: number; jobsRunning: number[]}>;
	submitToRunningMs: number[];
	cancelToStoppedMs: number[];
	lookup: LookupResult & {records: number; produceMs: number};
	errors: string[];
};

export type LookupResult = {
	connectMs: number;
	lookupMs: number;
	state: string;
	rssBeforeMb: number;
	rssAfterMb: number;
	heapBeforeMb: number;
	heapAfterMb: number;
	/** Buffers outside the JS heap (Node's ArrayBuffers: the index's copies of args and results, fetch buffers). */
	arrayBuffersBeforeMb: number;
	arrayBuffersAfterMb: number;
	heapTotalAfterMb: number;
};

const sleep = async (ms: number) => new Promise(resolve => setTimeout(resolve, ms));
const median = (xs: number[]) => {
	const s = [...xs].sort((a, b) => a - b);
	return s.length === 0 ? Number.NaN : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const quantile = (xs: number[], q: number) => {
	const s = [...xs].sort((a, b) => a - b);
	return s.length === 0 ? Number.NaN : s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};

/** Closed loop: 16 callers back to back until `calls` calls were timed (after `warmup`). */
async function inference(client: PipelineClient, calls: number, warmup: number): Promise<Percentiles> {
	const h = hdr.build({lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: 3});
	let started = 0;
	await Promise.all(Array.from({length: 16}, async () => {
		while (started < warmup + calls) {
			const counted = started++ >= warmup;
			const t = process.hrtime.bigint();
			await client.invoke('noop', {});
			if (counted) h.recordValue(Math.max(1, Number(process.hrtime.bigint() - t) / 1000));
		}
	}));
	const out = {p50: h.getValueAtPercentile(50) / 1000, p99: h.getValueAtPercentile(99) / 1000, max: h.maxValue / 1000, count: h.totalCount};
	h.destroy();
	return out;
}

/** Resolves with the ms until `job`'s status, as this client reads it, is `state` (polled every ms). */
async function until(job: Job, states: string[], timeoutMs: number): Promise<number> {
	const t0 = performance.now();
	for (;;) {
		const {state} = await job.status();
		if (states.includes(state)) return performance.now() - t0;
		if (performance.now() - t0 > timeoutMs) throw new Error(`job ${job.id} still ${state} after ${timeoutMs} ms (waiting for ${states.join('/')})`);
		await sleep(1);
	}
}

/** Cancel `jobs` and wait until each one's result() has rejected (the lanes are free again). */
async function stopAll(client: PipelineClient, jobs: Job[]) {
	await Promise.all(jobs.map(async job => {
		await client.cancel(job.id);
		await job.result({timeoutMs: 30_000}).catch((error: unknown) => {
			if (!(error instanceof JobCancelledError)) throw error;
		});
	}));
}

/**
 * Fill every runner's job lane: submit one job per slot, then one more at a time while fewer than
 * all slots run (job ids hash to partitions, so one runner can be handed more than it can run while
 * another waits). The surplus stays QUEUED and is cancelled with the rest.
 */
async function fillLanes(client: PipelineClient, pipeline: Phase, slots: number): Promise<{jobs: Job[]; running: number}> {
	const jobs: Job[] = [];
	for (let i = 0; i < slots; i++) jobs.push(await client.submit(pipeline, {seconds: 3600}));
	const running = async () => (await Promise.all(jobs.map(async j => j.status()))).filter(s => s.state === 'RUNNING').length;
	let n = 0;
	for (let extra = 0; extra <= slots * 2; extra++) {
		const end = performance.now() + 1500;
		while ((n = await running()) < slots && performance.now() < end) await sleep(20);
		if (n >= slots) break;
		if (extra < slots * 2) jobs.push(await client.submit(pipeline, {seconds: 3600}));
	}

	return {jobs, running: n};
}

/** Write `n` SUCCEEDED records straight to a new state topic (no runner, no client). */
async function produceRecords(stateTopic: string, n: number): Promise<{ids: string[]; ms: number}> {
	const kafka = new Kafka({clientId: 'bench-jobs-records', brokers, logLevel: logLevel.NOTHING});
	const admin = kafka.admin();
	await admin.connect();
	const spec = jobStateTopicSpec(stateTopic, 3_600_000);
	await admin.createTopics({
		waitForLeaders: true,
		topics: [{topic: spec.topic, numPartitions: spec.numPartitions, configEntries: Object.entries(spec.config ?? {}).map(([name, value]) => ({name, value: String(value)}))}],
	});
	await admin.disconnect();
	// kafkajs's default partitioner is murmur2 as the client's and the runner's: ids land where they would.
	const producer = kafka.producer({createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false});
	await producer.connect();
	const t0 = performance.now();
	const now = Date.now();
	const args = encodeValue({epochs: 10, lr: 0.001, dataset: 'bench'});
	const result = encodeValue({loss: 0.0123, accuracy: 0.987, model: 's3://models/bench/model.pt'});
	const ids: string[] = [];
	const chunk = 2000;
	let batch: Array<{key: string; value: Buffer}> = [];
	const inFlight: Array<Promise<unknown>> = [];
	for (let i = 0; i < n; i++) {
		const id = `bench-job-${i.toString().padStart(7, '0')}`;
		ids.push(id);
		const at = now - (n - i) * 10;
		const record: JobRecord = {
			id, subject: 'JOB', state: 'SUCCEEDED', pipeline: 'train', args, argsSchema: wireSchemas.value.ref, attempt: 1, maxAttempts: 3,
			runner: `bench-runner-${i % 4}`, submittedBy: 'bench-jobs', submittedAtMs: at, startedAtMs: at + 1, heartbeatAtMs: 0,
			finishedAtMs: at + 5, updatedAtMs: at + 5, progressSeq: 10, progress: {current: 10, total: 10, message: 'epoch 10/10', atMs: at + 4},
			checkpoint: null, result, resultSchema: wireSchemas.value.ref, error: null,
		};
		batch.push({key: id, value: encodeJobRecord(record)});
		if (batch.length === chunk || i === n - 1) {
			inFlight.push(producer.send({topic: stateTopic, acks: -1, messages: batch}));
			batch = [];
			if (inFlight.length >= 4) await Promise.all(inFlight.splice(0));
		}
	}

	await Promise.all(inFlight);
	const ms = performance.now() - t0;
	await producer.disconnect();
	return {ids, ms};
}

/** client.job(id) → status in a fresh Node process (bench/job_lookup.ts), which prints JSON. */
async function lookupInFreshProcess(requestTopic: string, id: string): Promise<LookupResult> {
	const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', path.join(here, 'job_lookup.ts'), requestTopic, id], {
		cwd: root, env: {...process.env, KAFKA_BROKERS: brokers.join(',')}, stdio: ['ignore', 'pipe', 'pipe'],
	});
	let out = '';
	let err = '';
	child.stdout.on('data', (d: Buffer) => void (out += d.toString()));
	child.stderr.on('data', (d: Buffer) => void (err = (err + d.toString()).slice(-4000)));
	const code = await new Promise<number | null>(resolve => child.once('exit', resolve));
	const line = out.trim().split('\n').at(-1) ?? '';
	if (code !== 0 || !line.startsWith('{')) throw new Error(`job_lookup.ts exited ${code}: ${err || out}`);
	return JSON.parse(line) as LookupResult;
}

async function deleteTopics(tag: string) {
	const admin = new Kafka({clientId: 'bench-cleanup', brokers, logLevel: logLevel.NOTHING}).admin();
	await admin.connect();
	try {
		const topics = (await admin.listTopics()).filter(t => t.includes(tag));
		if (topics.length > 0) await admin.deleteTopics({topics, timeout: 10_000}).catch(() => undefined);
	} finally {
		await admin.disconnect();
	}
}

export async function jobsRung(cfg: JobsConfig, log: (line: string) => void = console.log): Promise<JobsResults> {
	const tag = randomBytes(4).toString('hex');
	const requestTopic = `bench.jobs.${tag}`;
	const errors: string[] = [];
	const phases: Phase[] = cfg.cpu ? ['idle', 'sleep_job', 'cpu_job'] : ['idle', 'sleep_job'];
	const inferenceOut = Object.fromEntries(phases.map(p => [p, {rounds: [] as Percentiles[], p50: Number.NaN, p99: Number.NaN, jobsRunning: [] as number[]}])) as JobsResults['inference'];
	const submitToRunningMs: number[] = [];
	const cancelToStoppedMs: number[] = [];
	const slots = cfg.runners * cfg.jobConcurrency;
	const runners: RunnerProcess[] = [];
	let client: PipelineClient | undefined;
	try {
		for (let i = 0; i < cfg.runners; i++) {
			runners.push(await RunnerProcess.start({
				pipelines: [path.join(here, 'job_pipelines.py')], requestTopic, group: `${requestTopic}.runners`, brokers,
				extraArgs: ['--job-concurrency', String(cfg.jobConcurrency), '--job-isolation', cfg.isolation],
			}));
		}

		client = await PipelineClient.connect({requestTopic, brokers});
		await client.invoke('noop', {});
		for (let round = 0; round < cfg.rounds; round++) {
			for (const phase of phases.map((_, i, a) => a[(i + round) % a.length]!)) {
				const t = performance.now();
				let jobs: Job[] = [];
				let running = 0;
				if (phase !== 'idle') ({jobs, running} = await fillLanes(client, phase, slots));
				try {
					const p = await inference(client, cfg.calls, cfg.warmup);
					inferenceOut[phase].rounds.push(p);
					inferenceOut[phase].jobsRunning.push(running);
					log(`jobs round ${round + 1}/${cfg.rounds} ${phase.padEnd(9)} ${phase === 'idle' ? '' : `${running}/${slots} jobs running, `}inference c16 p50 ${p.p50.toFixed(2)} ms p99 ${p.p99.toFixed(2)} ms (${((performance.now() - t) / 1000).toFixed(1)} s)`);
				} finally {
					await stopAll(client, jobs);
				}
			}
		}

		for (const phase of phases) {
			inferenceOut[phase].p50 = median(inferenceOut[phase].rounds.map(r => r.p50));
			inferenceOut[phase].p99 = median(inferenceOut[phase].rounds.map(r => r.p99));
		}

		// Lanes idle: one cooperative job at a time, submitted, seen RUNNING, cancelled.
		for (let i = 0; i < cfg.samples + 1; i++) {
			const t0 = performance.now();
			const job = await client.submit('sleep_job', {seconds: 3600});
			await until(job, ['RUNNING'], 30_000);
			const toRunning = performance.now() - t0;
			const t1 = performance.now();
			await job.cancel();
			const outcome = await job.result({timeoutMs: 30_000}).then(() => 'resolved', (error: unknown) => error);
			const toStopped = performance.now() - t1;
			if (!(outcome instanceof JobCancelledError)) errors.push(`cancel → stopped: result() gave ${String(outcome)}, not JobCancelledError`);
			if (i > 0) {
				// The first one is a warm-up (the sleep_job pipeline's first run in the runner).
				submitToRunningMs.push(toRunning);
				cancelToStoppedMs.push(toStopped);
			}
		}

		log(`jobs submit → RUNNING p50 ${median(submitToRunningMs).toFixed(0)} ms, max ${Math.max(...submitToRunningMs).toFixed(0)} ms; cancel → stopped p50 ${median(cancelToStoppedMs).toFixed(0)} ms, max ${Math.max(...cancelToStoppedMs).toFixed(0)} ms (${submitToRunningMs.length} jobs)`);
	} finally {
		await client?.close().catch(() => undefined);
		for (const runner of runners) await runner.stop().catch(() => undefined);
	}

	// A state topic of `records` finished jobs, read by a fresh client in a fresh process.
	const lookupTopic = `bench.jobs.lookup.${tag}`;
	let lookup: JobsResults['lookup'];
	try {
		const {ids, ms} = await produceRecords(defaultJobStateTopic(lookupTopic), cfg.records);
		const l = await lookupInFreshProcess(lookupTopic, ids[Math.floor(ids.length * 0.618)]!);
		lookup = {...l, records: cfg.records, produceMs: ms};
		log(`jobs ${cfg.records} records written in ${ms.toFixed(0)} ms; fresh process: connect ${l.connectMs.toFixed(0)} ms, client.job(id) → ${l.state} in ${l.lookupMs.toFixed(0)} ms, RSS ${l.rssBeforeMb.toFixed(0)} → ${l.rssAfterMb.toFixed(0)} MB, heap ${l.heapBeforeMb.toFixed(0)} → ${l.heapAfterMb.toFixed(0)} MB`);
	} finally {
		await deleteTopics(tag).catch((error: unknown) => errors.push(`topic cleanup: ${String(error)}`));
	}

	return {config: cfg, inference: inferenceOut, submitToRunningMs, cancelToStoppedMs, lookup, errors};
}

const f = (x: number | undefined, d = 2) => (x === undefined || Number.isNaN(x) ? '—' : x.toFixed(d));

export function reportJobs(r: JobsResults) {
	const c = r.config;
	console.log(`\njobs (issue 13): ${c.runners} runner(s) × --job-concurrency ${c.jobConcurrency}, --job-isolation ${c.isolation}; inference = closed loop, 16 in flight, noop, ${c.calls} calls per phase after ${c.warmup} warm-up, median of ${c.rounds} interleaved round(s)`);
	console.log('phase                          jobs running     p50 ms     p99 ms   p99 / idle   per round (p99 / same round\'s idle)');
	const idle = r.inference.idle;
	const label: Record<Phase, string> = {idle: 'runners idle', sleep_job: 'lanes full: sleeping jobs', cpu_job: 'lanes full: CPU-bound jobs'};
	for (const [phase, s] of Object.entries(r.inference) as Array<[Phase, JobsResults['inference'][Phase]]>) {
		const running = phase === 'idle' ? '0' : `${Math.min(...s.jobsRunning)}/${c.runners * c.jobConcurrency}`;
		const perRound = phase === 'idle' ? '' : s.rounds.map((x, i) => `${f(x.p99 / (idle.rounds[i]?.p99 ?? Number.NaN))}×`).join(' ');
		console.log(`${label[phase].padEnd(30)} ${running.padStart(12)} ${f(s.p50).padStart(10)} ${f(s.p99).padStart(10)} ${(phase === 'idle' ? '' : `${f(s.p99 / idle.p99)}×`).padStart(12)}   ${perRound}`);
	}

	const s = r.submitToRunningMs;
	const x = r.cancelToStoppedMs;
	console.log(`submit → RUNNING (this client's status):   p50 ${f(median(s), 0)} ms  p90 ${f(quantile(s, 0.9), 0)} ms  max ${f(Math.max(...s), 0)} ms  (${s.length} jobs, lanes idle)`);
	console.log(`cancel() → result() rejects (cooperative): p50 ${f(median(x), 0)} ms  p90 ${f(quantile(x, 0.9), 0)} ms  max ${f(Math.max(...x), 0)} ms`);
	const l = r.lookup;
	console.log(`client.job(id) → status, ${l.records} finished jobs in the state topic, fresh client in a fresh process: ${f(l.lookupMs, 0)} ms (connect ${f(l.connectMs, 0)} ms before it); that process after the lookup (gc forced): RSS ${f(l.rssBeforeMb, 0)} → ${f(l.rssAfterMb, 0)} MB (+${f(l.rssAfterMb - l.rssBeforeMb, 0)}), heap used ${f(l.heapBeforeMb, 0)} → ${f(l.heapAfterMb, 0)} MB (+${f(l.heapAfterMb - l.heapBeforeMb, 0)}; heap total ${f(l.heapTotalAfterMb, 0)}), array buffers ${f(l.arrayBuffersBeforeMb, 0)} → ${f(l.arrayBuffersAfterMb, 0)} MB; ${f(((l.heapAfterMb - l.heapBeforeMb + l.arrayBuffersAfterMb - l.arrayBuffersBeforeMb) * 2 ** 20) / l.records, 0)} B per job (heap + buffers), ${f(((l.rssAfterMb - l.rssBeforeMb) * 2 ** 20) / l.records, 0)} B of RSS`);
	const checks: Array<[string, number | undefined, string, (v: number) => boolean]> = [
		['inference p99, lanes full of sleeping jobs / idle', r.inference.sleep_job.p99 / idle.p99, '≤ 1.5', v => v <= 1.5],
	];
	if (r.inference.cpu_job) checks.push(['inference p99, lanes full of CPU-bound jobs / idle', r.inference.cpu_job.p99 / idle.p99, '≤ 1.5', v => v <= 1.5]);
	checks.push(
		['submit → RUNNING, ms (max)', s.length ? Math.max(...s) : undefined, '≤ 1000', v => v <= 1000],
		['cancel → stopped, ms (max)', x.length ? Math.max(...x) : undefined, '≤ 1000', v => v <= 1000],
		[`client.job(id) → status with ${l.records} records, ms`, l.lookupMs, '≤ 2000', v => v <= 2000],
	);
	console.log('targets (jobs)');
	for (const [name, v, target, ok] of checks) {
		const known = v !== undefined && !Number.isNaN(v);
		console.log(`  ${known ? (ok(v) ? '✓' : '✗') : '·'} ${name.padEnd(52)} ${known ? f(v) : 'not measured'}  (target ${target})`);
	}

	for (const e of r.errors) console.log(`  ! ${e}`);
}
