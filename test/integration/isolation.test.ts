import assert from 'node:assert/strict';
import {createInterface} from 'node:readline';
import {after, before, describe, test} from 'node:test';
import {execa, type ResultPromise} from 'execa';
import {PipelineClient, RunnerProcess} from '../../src/index.js';
import {brokers, createStack, fixturePipelines, uniqueName, type Stack} from '../helpers/harness.js';

async function firstLine(child: ResultPromise): Promise<Record<string, unknown>> {
	const lines = createInterface({input: child.stdout!});
	for await (const line of lines) {
		return JSON.parse(line) as Record<string, unknown>;
	}

	throw new Error('the client process printed nothing');
}

describe('clients never see each other\'s replies', () => {
	let stack: Stack;
	before(async () => {
		stack = await createStack('isolation', {runners: 2});
	});
	after(async () => {
		await stack.close();
	});

	test('two client processes invoking at the same time each get only their own results', async () => {
		const spawn = (tag: string) =>
			execa('node', ['--import', 'tsx', 'test/fixtures/client-process.ts', stack.requestTopic, tag, '300'], {
				stdin: 'pipe',
				stdout: 'pipe',
				stderr: 'inherit',
				buffer: false,
			});
		const children = [spawn('alpha'), spawn('beta')];
		const readers = children.map(child => createInterface({input: child.stdout!})[Symbol.asyncIterator]());
		for (const reader of readers) {
			const ready = await reader.next();
			assert.deepEqual(JSON.parse(String(ready.value)), {ready: true});
		}

		for (const child of children) {
			child.stdin!.write('go\n');
		}

		const reports = await Promise.all(readers.map(async reader => JSON.parse(String((await reader.next()).value)) as {tag: string; count: number; foreign: number}));
		await Promise.all(children);
		assert.deepEqual(reports.map(r => [r.tag, r.count, r.foreign]), [
			['alpha', 300, 0],
			['beta', 300, 0],
		]);
	});

	test('each client has its own reply topic', async () => {
		const other = await stack.connect();
		assert.notEqual(other.replyTopic, stack.client.replyTopic);
		assert.ok(stack.client.replyTopic.startsWith('ml.pipeline.reply.'));
	});
});

describe('requests wait in Kafka while no runner is up', () => {
	test('calls sent with no runner running are all answered once a runner starts', async () => {
		const requestTopic = uniqueName('norunner');
		const client = await PipelineClient.connect({brokers, requestTopic, requestPartitions: 4});
		let runner: RunnerProcess | undefined;
		try {
			const calls = Array.from({length: 50}, async (_, n) => client.invoke('tagged', {tag: 'queued', n}, {timeoutMs: 120_000}));
			let settled = 0;
			for (const call of calls) {
				void call.then(() => settled++, () => settled++);
			}

			await new Promise(resolve => setTimeout(resolve, 1500));
			assert.equal(settled, 0, 'nothing can answer before a runner exists');
			runner = await RunnerProcess.start({pipelines: [fixturePipelines], brokers, requestTopic, group: `${requestTopic}.runners`, extraArgs: ['--partitions', '4']});
			const results = (await Promise.all(calls)) as Array<{n: number}>;
			assert.deepEqual(results.map(r => r.n), Array.from({length: 50}, (_, n) => n));
		} finally {
			await client.close();
			await runner?.stop();
		}
	});

	test('calls survive a runner that is stopped and replaced', async () => {
		const requestTopic = uniqueName('replaced');
		const group = `${requestTopic}.runners`;
		const client = await PipelineClient.connect({brokers, requestTopic, requestPartitions: 4});
		const start = async () => RunnerProcess.start({pipelines: [fixturePipelines], brokers, requestTopic, group, extraArgs: ['--partitions', '4']});
		let runner = await start();
		try {
			assert.equal(await client.invoke('echo', {value: 'first'}), 'first');
			const exit = await runner.stop();
			assert.equal(exit.exitCode, 0);
			const pending = Array.from({length: 20}, async (_, n) => client.invoke('tagged', {tag: 'after', n}, {timeoutMs: 120_000}));
			runner = await start();
			assert.equal((await Promise.all(pending)).length, 20);
		} finally {
			await client.close();
			await runner.stop();
		}
	});
});
