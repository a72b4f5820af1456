/**
 * Issue 17 items 3 and 4 with real runners: the old (upgrade_pipelines_v1.py) and the new
 * (upgrade_pipelines_v2.py) code version of one pipelines module in ONE consumer group, as in a
 * rolling upgrade. Calls land on both runners' partitions; a runner that lacks the pipeline (or whose
 * version would drop an argument) hands the call on to the one that has it (docs/protocol.md §14).
 * No client-side routing: the TypeScript client sends as it always does.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import {after, before, describe, test} from 'node:test';
import {IncompatibleArgumentsError, InvalidArgumentsError, readRunnerPresence, RunnerProcess, UnknownPipelineError, type PipelineClient, type UntypedPipelines} from '../../src/index.js';
import {brokers, fixturesDir} from '../helpers/harness.js';
import {createTypedStack, type TypedStack} from '../helpers/typed-stack.js';

const oldCode = path.join(fixturesDir, 'upgrade_pipelines_v1.py');
const newCode = path.join(fixturesDir, 'upgrade_pipelines_v2.py');
/** Calls per load phase, and how many are in flight at once. */
const CALLS = 240;
const CONCURRENCY = 16;

/** Run `count` calls, `CONCURRENCY` at a time; each settles to its value or its error. */
async function load<T>(count: number, call: (i: number) => Promise<T>): Promise<Array<PromiseSettledResult<T>>> {
	const results: Array<PromiseSettledResult<T>> = Array.from({length: count});
	let next = 0;
	await Promise.all(Array.from({length: CONCURRENCY}, async () => {
		while (next < count) {
			const i = next++;
			try {
				results[i] = {status: 'fulfilled', value: await call(i)};
			} catch (error: unknown) {
				results[i] = {status: 'rejected', reason: error};
			}
		}
	}));
	return results;
}

function failures<T>(results: Array<PromiseSettledResult<T>>): string[] {
	return results.flatMap((r, i) => r.status === 'rejected' ? [`${i}: ${String(r.reason)}`] : []);
}

/** Wait until the presence topic shows `count` live runners, each owning call partitions. */
async function runnersServing(requestTopic: string, count: number): Promise<void> {
	const until = Date.now() + 60_000;
	for (;;) {
		const live = await readRunnerPresence({brokers, requestTopic});
		if (live.length === count && live.every(r => r.callPartitions.length > 0)) return;
		assert.ok(Date.now() < until, `presence: ${JSON.stringify(live.map(r => [r.id, r.callPartitions]))}`);
		await new Promise(resolve => setTimeout(resolve, 250));
	}
}

describe('runners of two code versions in one group (rolling upgrade)', {timeout: 240_000}, () => {
	let stack: TypedStack;
	let v1: RunnerProcess;
	let v2: RunnerProcess;
	let v2b: RunnerProcess | undefined;
	let valueOnly: PipelineClient<UntypedPipelines> | undefined;
	let client: PipelineClient<UntypedPipelines>;

	before(async () => {
		stack = createTypedStack('upgrade');
		v1 = await stack.startRunner(oldCode);
		v2 = await stack.startRunner(newCode);
		await runnersServing(stack.requestTopic, 2);
		client = await stack.connect({defaultTimeoutMs: 30_000});
	});

	after(async () => {
		await stack.close();
	});

	test('calls to the pipeline only the new version has: 0 failed, though the old runner owns half the partitions', async () => {
		const before = await stack.requestCount();
		const results = await load(CALLS, async i => client.invoke('fresh', {x: i}));
		assert.deepEqual(failures(results), []);
		results.forEach((r, i) => assert.deepEqual(r, {status: 'fulfilled', value: 2 * i}));
		const records = await stack.requestCount() - before;
		// Keys are random request ids over 4 partitions, two of them the old runner's: about half the
		// calls reached it and were handed on as a second record (the chance that none did is 2^-240).
		assert.ok(records > CALLS, `${records} request records for ${CALLS} calls: nothing was handed on`);
		assert.ok(records < 2 * CALLS, `${records} request records for ${CALLS} calls: more than one hop each`);
	});

	test('both code versions answer calls they both serve', async () => {
		const answers = await load(64, async () => client.invoke('which', {}));
		assert.deepEqual(failures(answers), []);
		assert.deepEqual(new Set(answers.map(a => a.status === 'fulfilled' ? a.value : '')), new Set(['v1', 'v2']));
	});

	test('a v2 argument the v1 runner would drop is never lost: every score counts its bonus (item 3)', async () => {
		const results = await load(CALLS, async i => client.invoke('score', {x: i, bonus: 1000}));
		assert.deepEqual(failures(results), []);
		results.forEach((r, i) => assert.deepEqual(r, {status: 'fulfilled', value: i + 1000}, `score ${i}`));
		// At its default the argument loses nothing: either version may answer, with the same result.
		const plain = await load(64, async i => client.invoke('score', {x: i, bonus: 0}));
		plain.forEach((r, i) => assert.deepEqual(r, {status: 'fulfilled', value: i}));
	});

	test('a client that sends only Value arguments (as the Java client does) gets the same: its v2 argument is never refused for a v1 runner\'s sake', async () => {
		const generic = await stack.connect<UntypedPipelines>({catalogTopic: `${stack.requestTopic}.no-catalog`});
		valueOnly = generic;
		const results = await load(64, async i => generic.invoke('score', {x: i, bonus: 1000}));
		assert.deepEqual(failures(results), []);
		results.forEach((r, i) => assert.deepEqual(r, {status: 'fulfilled', value: i + 1000}));
	});

	test('a name no live runner has is UnknownPipelineError, from either runner', async () => {
		const results = await load(16, async () => client.invoke('no_such_pipeline', {}));
		for (const r of results) {
			assert.equal(r.status, 'rejected');
			assert.ok(r.reason instanceof UnknownPipelineError, String(r.reason));
		}
	});

	test('another new-version runner joining under load (a rebalance mid-upgrade): still 0 failed calls', async () => {
		let joined = false;
		let count = 0;
		const failed: string[] = [];
		const running = Promise.all(Array.from({length: CONCURRENCY}, async () => {
			// Keep calling until the newcomer serves, then a little longer: the calls span the rebalance.
			for (let settledAt = 0; settledAt === 0 || Date.now() < settledAt + 2000;) {
				const i = count++;
				try {
					assert.equal(await client.invoke('fresh', {x: i}), 2 * i);
				} catch (error: unknown) {
					failed.push(`${i}: ${String(error)}`);
				}

				if (joined && settledAt === 0) settledAt = Date.now();
			}
		}));
		v2b = await stack.startRunner(newCode);
		await runnersServing(stack.requestTopic, 3);
		joined = true;
		await running;
		assert.deepEqual(failed, []);
		assert.ok(count > CALLS, `only ${count} calls ran across the join`);
	});

	test('with the new runners gone: the old one answers IncompatibleArgumentsError (retryable, naming the field and both versions), never a wrong score', async () => {
		await Promise.all([v2.stop(), v2b?.stop()]);
		await runnersServing(stack.requestTopic, 1);
		const results = await load(32, async i => client.invoke('score', {x: i, bonus: 7}));
		for (const r of results) {
			assert.equal(r.status, 'rejected', `a score without its bonus came back: ${JSON.stringify(r)}`);
			const error = r.reason as unknown;
			assert.ok(error instanceof IncompatibleArgumentsError, String(error));
			assert.equal(error.retryable, true);
			assert.equal(error.field, 'bonus');
			assert.equal(error.clientVersion, 2);
			assert.equal(error.runnerVersion, 1);
			assert.match(error.clientSchema, /^crc64:[0-9a-f]{16}$/);
			assert.notEqual(error.clientSchema, error.runnerSchema);
			assert.ok(error.runner.includes(String(v1.pid)), error.runner);
		}

		// Value arguments: the argument v2 takes is refused the same way; one no version takes is a plain InvalidArgumentsError.
		assert.ok(valueOnly !== undefined);
		await assert.rejects(valueOnly.invoke('score', {x: 1, bonus: 7}), (error: unknown) => error instanceof IncompatibleArgumentsError && error.field === 'bonus' && error.clientVersion === 2);
		await assert.rejects(valueOnly.invoke('score', {x: 1, bonsu: 7}), (error: unknown) => error instanceof InvalidArgumentsError);

		const fresh = await load(8, async () => client.invoke('fresh', {x: 1}));
		for (const r of fresh) {
			assert.equal(r.status, 'rejected');
			assert.ok(r.reason instanceof UnknownPipelineError, String(r.reason));
		}
	});
});

describe('the same with --transactional runners (a hand-on is produced in the transaction that commits its original)', {timeout: 180_000}, () => {
	let stack: TypedStack;
	let client: PipelineClient<UntypedPipelines>;
	const runners: RunnerProcess[] = [];

	before(async () => {
		stack = createTypedStack('upgrade-txn');
		for (const pipelines of [oldCode, newCode]) {
			runners.push(await RunnerProcess.start({
				pipelines: [pipelines], brokers, requestTopic: stack.requestTopic, group: `${stack.requestTopic}.runners`, concurrency: 8,
				extraArgs: ['--partitions', '4', '--catalog-topic', stack.catalogTopic, '--transactional'],
			}));
		}

		await runnersServing(stack.requestTopic, 2);
		client = await stack.connect({defaultTimeoutMs: 30_000});
	});

	after(async () => {
		await Promise.allSettled(runners.map(async r => r.stop()));
		await stack.close();
	});

	test('calls to the pipeline only the new version has and v2 arguments: 0 failed', async () => {
		const before = await stack.requestCount();
		const results = await load(160, async i => client.invoke('fresh', {x: i}));
		assert.deepEqual(failures(results), []);
		results.forEach((r, i) => assert.deepEqual(r, {status: 'fulfilled', value: 2 * i}));
		const scores = await load(80, async i => client.invoke('score', {x: i, bonus: 1000}));
		scores.forEach((r, i) => assert.deepEqual(r, {status: 'fulfilled', value: i + 1000}));
		assert.ok(await stack.requestCount() - before > 240, 'calls were handed on');
	});
});
