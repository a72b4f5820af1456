/**
 * Issue 17 item 4 on the job lane, with real runners: the old (upgrade_pipelines_v1.py) and the new
 * (upgrade_pipelines_v2.py) code version in ONE group. Jobs land on both runners' job partitions; the
 * runner that lacks the pipeline (or whose version would drop an argument) hands the job request on
 * to a job partition of the one that has it (docs/protocol.md §14, docs/jobs.md "Rolling upgrades").
 * Its state record stays QUEUED until the new runner takes it: never FAILED, never RUNNING on the old.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import {after, before, describe, test} from 'node:test';
import {Kafka, logLevel} from 'kafkajs';
import {readRunnerPresence, RunnerProcess, UnknownPipelineError, type Job, type PipelineClient, type UntypedPipelines} from '../../src/index.js';
import {decodeJobRecord, type JobRecord} from '../../src/jobs/job-record.js';
import {brokers, fixturesDir, uniqueName} from '../helpers/harness.js';
import {createTypedStack, type TypedStack} from '../helpers/typed-stack.js';

const oldCode = path.join(fixturesDir, 'upgrade_pipelines_v1.py');
const newCode = path.join(fixturesDir, 'upgrade_pipelines_v2.py');
/** Jobs per phase: small, the machine is shared. */
const JOBS = 48;

/** Wait until the presence topic shows `count` live runners, each owning job partitions. */
async function jobLanesServing(requestTopic: string, count: number): Promise<void> {
	const until = Date.now() + 60_000;
	for (;;) {
		const live = await readRunnerPresence({brokers, requestTopic});
		if (live.length === count && live.every(r => r.jobPartitions.length > 0 && r.callPartitions.length > 0)) return;
		assert.ok(Date.now() < until, `presence: ${JSON.stringify(live.map(r => [r.id, r.jobPartitions]))}`);
		await new Promise(resolve => setTimeout(resolve, 250));
	}
}

/** Every record of a topic so far, in partition order (a fresh topic: nothing compacted away yet). */
async function readAll(topic: string): Promise<Buffer[]> {
	const kafka = new Kafka({brokers, clientId: uniqueName('h9-read'), logLevel: logLevel.NOTHING});
	const admin = kafka.admin();
	await admin.connect();
	const offsets = await admin.fetchTopicOffsets(topic);
	await admin.disconnect();
	const expected = offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
	const consumer = kafka.consumer({groupId: uniqueName('h9-read')});
	const values: Buffer[] = [];
	await consumer.connect();
	await consumer.subscribe({topic, fromBeginning: true});
	await new Promise<void>((resolve, reject) => {
		const timer = setTimeout(() => {
			reject(new Error(`read ${values.length} of ${expected} records of ${topic}`));
		}, 30_000);
		void consumer.run({
			async eachMessage({message}) {
				if (message.value !== null) values.push(message.value);
				if (values.length >= expected) {
					clearTimeout(timer);
					resolve();
				}
			},
		});
		if (expected === 0) resolve();
	});
	await consumer.disconnect();
	return values;
}

/**
 * The state history of every job in `ids`: QUEUED first, then RUNNING and SUCCEEDED written by one
 * runner only, one of `runners` (never FAILED, never RUNNING on two), one attempt.
 */
async function ranOnceOn(requestTopic: string, ids: string[], runners: string[]): Promise<void> {
	const wanted = new Set(ids);
	const history = new Map<string, JobRecord[]>();
	for (const value of await readAll(`${requestTopic}.jobs.state`)) {
		const record = decodeJobRecord(value);
		if (wanted.has(record.id)) history.set(record.id, [...history.get(record.id) ?? [], record]);
	}

	assert.equal(history.size, wanted.size);
	for (const [id, records] of history) {
		const states = records.map(r => r.state).join(' → ');
		assert.ok(!states.includes('FAILED'), `${id}: ${states}`);
		assert.equal(records[0]?.state, 'QUEUED', `${id}: ${states}`);
		assert.equal(records.at(-1)?.state, 'SUCCEEDED', `${id}: ${states}`);
		const ranOn = [...new Set(records.filter(r => r.state !== 'QUEUED').map(r => r.runner))];
		assert.ok(ranOn.length === 1 && runners.includes(ranOn[0] ?? ''), `${id} ran on ${ranOn.join(', ')}`);
		assert.ok(records.every(r => r.attempt <= 1), `${id}: attempts ${records.map(r => r.attempt).join(',')}`);
	}
}

async function topicCount(topic: string): Promise<number> {
	const admin = new Kafka({brokers, clientId: uniqueName('h9-count'), logLevel: logLevel.NOTHING}).admin();
	await admin.connect();
	const offsets = await admin.fetchTopicOffsets(topic);
	await admin.disconnect();
	return offsets.reduce((sum, p) => sum + Number(p.high), 0);
}

describe('jobs with runners of two code versions in one group (rolling upgrade)', {timeout: 240_000}, () => {
	let stack: TypedStack;
	let newId = '';
	let joinerId = '';
	const newRunners: RunnerProcess[] = [];
	let oldId = '';
	let client: PipelineClient<UntypedPipelines>;

	before(async () => {
		stack = createTypedStack('upgrade-jobs');
		await stack.startRunner(oldCode);
		newRunners.push(await stack.startRunner(newCode));
		await jobLanesServing(stack.requestTopic, 2);
		const live = await readRunnerPresence({brokers, requestTopic: stack.requestTopic});
		newId = live.find(r => r.pipelines.includes('fresh'))?.id ?? '';
		oldId = live.find(r => !r.pipelines.includes('fresh'))?.id ?? '';
		assert.ok(newId !== '' && oldId !== '', JSON.stringify(live));
		client = await stack.connect({defaultTimeoutMs: 30_000});
	});

	after(async () => {
		await stack.close();
	});

	test('jobs to the pipeline only the new version has: every one SUCCEEDED, none FAILED or RUNNING on the old runner', async () => {
		const jobsTopic = `${stack.requestTopic}.jobs`;
		const before = await topicCount(jobsTopic);
		const jobs = await Promise.all(Array.from({length: JOBS}, async (_, i) => client.submit('fresh', {x: i})));
		const results = await Promise.allSettled(jobs.map(async job => job.result({timeoutMs: 60_000})));
		assert.deepEqual(results.flatMap((r, i) => r.status === 'rejected' ? [`${i}: ${String(r.reason)}`] : []), []);
		results.forEach((r, i) => assert.deepEqual(r, {status: 'fulfilled', value: 2 * i}));

		// Job ids are random over 6 job partitions, about half of them the old runner's: some jobs
		// reached it and were handed on as a second record (the chance that none did is about 2^-48).
		const records = await topicCount(jobsTopic) - before;
		assert.ok(records > JOBS, `${records} job request records for ${JOBS} jobs: nothing was handed on`);
		assert.ok(records < 2 * JOBS, `${records} job request records for ${JOBS} jobs: more than one hop each`);

		await ranOnceOn(stack.requestTopic, jobs.map(job => job.id), [newId]);
	});

	test('a v2 argument the v1 runner would drop is never lost on the job lane either: every score counts its bonus', async () => {
		const jobs = await Promise.all(Array.from({length: 16}, async (_, i) => client.submit('score', {x: i, bonus: 1000})));
		const results = await Promise.allSettled(jobs.map(async job => job.result({timeoutMs: 60_000})));
		results.forEach((r, i) => assert.deepEqual(r, {status: 'fulfilled', value: i + 1000}, `score job ${i}`));
	});

	test('a name no live runner has still fails at once with UnknownPipelineError, from either runner', async () => {
		const started = Date.now();
		const jobs = await Promise.all(Array.from({length: 8}, async () => client.submit('no_such_pipeline', {})));
		for (const job of jobs) {
			await assert.rejects(job.result({timeoutMs: 30_000}), (error: unknown) => error instanceof UnknownPipelineError && error.requestId === job.id);
		}

		assert.ok(Date.now() - started < 15_000, `took ${Date.now() - started} ms: refused names were held`);
	});

	test('another new-version runner joining under job load (the job group rebalances): every job SUCCEEDED, once', async t => {
		const jobs: Array<Job<unknown>> = [];
		let joined = false;
		const submitting = (async () => {
			// Keep submitting until the newcomer's job lane serves, then a little longer.
			for (let after = 0; !joined || after++ < 8;) {
				jobs.push(...await Promise.all(Array.from({length: 4}, async (_, i) => client.submit('fresh', {x: jobs.length + i}))));
				await new Promise(resolve => setTimeout(resolve, 100));
			}
		})();
		const joiner = await stack.startRunner(newCode);
		await jobLanesServing(stack.requestTopic, 3);
		joined = true;
		await submitting;
		const results = await Promise.allSettled(jobs.map(async job => job.result({timeoutMs: 90_000})));
		assert.deepEqual(results.flatMap((r, i) => r.status === 'rejected' ? [`${i}: ${String(r.reason)}`] : []), []);
		results.forEach((r, i) => assert.deepEqual(r, {status: 'fulfilled', value: 2 * i}));
		const live = await readRunnerPresence({brokers, requestTopic: stack.requestTopic});
		joinerId = live.find(r => r.pid === joiner.pid)?.id ?? '';
		assert.ok(joinerId !== '', JSON.stringify(live.map(r => [r.id, r.pid])));
		await ranOnceOn(stack.requestTopic, jobs.map(job => job.id), [newId, joinerId]);
		newRunners.push(joiner);
		t.diagnostic(`${jobs.length} jobs across the join`);
	});

	test('an old runner SIGKILLed just after it handed a job on (stored offsets not committed yet): every job still SUCCEEDED, once, on a new runner', async t => {
		const doomed = await RunnerProcess.start({
			pipelines: [oldCode], brokers, requestTopic: stack.requestTopic, group: `${stack.requestTopic}.runners`, concurrency: 2,
			extraArgs: ['--partitions', '4', '--catalog-topic', stack.catalogTopic], logLevel: 'debug',
		});
		stack.runners.push(doomed);
		await jobLanesServing(stack.requestTopic, 2 + newRunners.length); // the old runner, the doomed one, the new ones
		const handedOn = doomed.waitFor('job.handed_on');
		const jobs: Array<Job<unknown>> = [];
		let killed = false;
		void handedOn.then(async () => {
			killed = true;
			await doomed.kill();
		});
		// Submit in small waves until the kill, then a few more waves: jobs span the crash and the rebalance.
		for (let wave = 0, afterKill = 0; wave < 40 && (!killed || afterKill++ < 6); wave++) {
			jobs.push(...await Promise.all(Array.from({length: 4}, async (_, i) => client.submit('fresh', {x: jobs.length + i}))));
			await new Promise(resolve => setTimeout(resolve, killed ? 250 : 50));
		}

		assert.ok(killed, 'the old runner handed nothing on');
		const results = await Promise.allSettled(jobs.map(async job => job.result({timeoutMs: 90_000})));
		assert.deepEqual(results.flatMap((r, i) => r.status === 'rejected' ? [`${i}: ${String(r.reason)}`] : []), []);
		results.forEach((r, i) => assert.deepEqual(r, {status: 'fulfilled', value: 2 * i}));
		await ranOnceOn(stack.requestTopic, jobs.map(job => job.id), [newId, joinerId]);
		t.diagnostic(`${jobs.length} jobs across the kill`);
	});

	test('with the new runners stopped (their presence retired), a job to their pipeline fails UnknownPipelineError from the old one', async () => {
		await Promise.all(newRunners.map(async r => r.stop()));
		const until = Date.now() + 30_000;
		while ((await readRunnerPresence({brokers, requestTopic: stack.requestTopic})).length !== 1) {
			assert.ok(Date.now() < until, 'the stopped runner is still in presence');
			await new Promise(resolve => setTimeout(resolve, 250));
		}

		await jobLanesServing(stack.requestTopic, 1);
		const job = await client.submit('fresh', {x: 1});
		await assert.rejects(job.result({timeoutMs: 30_000}), (error: unknown) => error instanceof UnknownPipelineError);
		const status = await client.job(job.id).then(async j => j.status());
		assert.equal(status.state, 'FAILED');
		assert.equal(status.runner, oldId);
	});
});
