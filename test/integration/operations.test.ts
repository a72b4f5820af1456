/**
 * The operations commands against the real broker and real runner processes: `mlbridge status`
 * shows a runner with its pipelines and partitions from its presence record, the record is
 * tombstoned on SIGTERM and goes stale 3 intervals after SIGKILL; `mlbridge gc-replies` deletes the
 * reply topic of a client that closed and keeps a live client's.
 */
import assert from 'node:assert/strict';
import {setTimeout as delay} from 'node:timers/promises';
import {after, before, describe, test} from 'node:test';
import {execa} from 'execa';
import {Kafka, logLevel} from 'kafkajs';
import type {ClusterStatus} from '../../src/operations/cluster-status.js';
import type {ReplyGcResult} from '../../src/operations/reply-topics.js';
import {readRunnerPresence} from '../../src/presence/presence-view.js';
import {brokers, createStack, uniqueName, type Stack} from '../helpers/harness.js';

const intervalSeconds = 0.5;

async function cli(...args: string[]): Promise<{code: number; stdout: string; stderr: string}> {
	const target = args.includes('--brokers') ? [] : ['--brokers', brokers.join(',')];
	const result = await execa('node', ['--import', 'tsx', 'src/cli/main.ts', ...args, ...target], {reject: false, timeout: 60_000});
	return {code: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr)};
}

async function status(stack: Stack): Promise<ClusterStatus> {
	const {code, stdout, stderr} = await cli('status', '--request-topic', stack.requestTopic, '--group', stack.group, '--json');
	assert.equal(code, 0, stderr);
	return JSON.parse(stdout) as ClusterStatus;
}

async function until<T>(what: string, probe: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await probe();
		if (ok(value)) {
			return value;
		}

		assert.ok(Date.now() < deadline, `${what}: not within ${timeoutMs} ms; last: ${JSON.stringify(value)}`);
		await delay(200);
	}
}

describe('mlbridge status and runner presence', () => {
	let stack: Stack;
	before(async () => {
		stack = await createStack('ops', {runners: 0});
	});
	after(async () => {
		await stack.close();
	});

	test('status shows a runner with its pipelines and partitions; SIGTERM tombstones it', {timeout: 120_000}, async () => {
		const runner = await stack.startRunner({extraArgs: ['--partitions', '4', '--presence-interval', String(intervalSeconds)]});
		const id = String((await runner.waitFor('runner.started'))['runner']);
		const pipelines = (await runner.waitFor('runner.started'))['pipelines'] as string[];
		const seen = await until('the runner with all 4 partitions', async () => status(stack), s => s.runners[0]?.callPartitions.length === 4);
		assert.equal(seen.runners.length, 1);
		const [entry] = seen.runners;
		assert.equal(entry!.id, id);
		assert.equal(entry!.pid, runner.pid);
		assert.deepEqual(entry!.pipelines, [...pipelines].sort());
		assert.deepEqual(entry!.callPartitions, [0, 1, 2, 3]);
		assert.equal(entry!.live, true);
		assert.equal(entry!.inCallGroup, true, 'joined with its consumer group member by client.id');
		assert.equal(entry!.intervalMs, intervalSeconds * 1000);
		assert.equal(entry!.metricsUrl, '', 'no --metrics-port: no metrics URL');
		assert.deepEqual(seen.otherMembers.filter(m => m.group === stack.group), []);
		assert.equal(seen.lag.filter(p => p.group === stack.group).length, 4);

		const human = await cli('status', '--request-topic', stack.requestTopic, '--group', stack.group);
		assert.equal(human.code, 0, human.stderr);
		assert.match(human.stdout, /1 runner live/);
		assert.ok(human.stdout.includes(id) && human.stdout.includes('0-3'), human.stdout);

		// served counts calls replied since start.
		await stack.client.invoke('echo', {value: 1});
		await until('served 1', async () => status(stack), s => s.runners[0]?.served === 1);

		assert.equal((await runner.stop()).exitCode, 0);
		const gone = await readRunnerPresence({brokers, requestTopic: stack.requestTopic, includeStale: true});
		assert.deepEqual(gone.map(r => r.id), [], 'a clean stop leaves a tombstone, not a stale record');
	});

	test('a SIGKILLed runner is shown stale after 3 intervals, and absent from the live list', {timeout: 120_000}, async () => {
		const runner = await stack.startRunner({extraArgs: ['--partitions', '4', '--presence-interval', String(intervalSeconds)]});
		const id = String((await runner.waitFor('runner.started'))['runner']);
		await until('the runner live', async () => readRunnerPresence({brokers, requestTopic: stack.requestTopic}), live => live.some(r => r.id === id));
		await runner.kill();
		const killedAt = Date.now();
		const stale = await until('the runner stale', async () => status(stack), s => s.runners.some(r => r.id === id && !r.live), 10_000);
		assert.ok(Date.now() - killedAt >= 2 * intervalSeconds * 1000, 'not stale before its last record aged 3 intervals');
		// Its group membership lasts until the session times out (10 s): presence tells sooner.
		assert.equal(stale.runners.find(r => r.id === id)!.live, false);
		assert.deepEqual((await readRunnerPresence({brokers, requestTopic: stack.requestTopic})).map(r => r.id), []);
		const human = await cli('status', '--request-topic', stack.requestTopic, '--group', stack.group);
		assert.match(human.stdout, /0 runners live, 1 stale/);
	});

	test('status against a broker that does not answer: a typed error and exit 1 within the timeout', async () => {
		const started = Date.now();
		const {code, stdout} = await cli('status', '--brokers', '127.0.0.1:1', '--timeout', '3000', '--json');
		assert.equal(code, 1);
		assert.equal((JSON.parse(stdout) as {error: {code: string}}).error.code, 'BROKER_UNREACHABLE');
		assert.ok(Date.now() - started < 15_000);
	});
});

describe('mlbridge gc-replies', () => {
	let stack: Stack;
	before(async () => {
		stack = await createStack('gcr', {runners: 1});
	});
	after(async () => {
		await stack.close();
	});

	test('deletes the reply topic of a client that closed; keeps a live client\'s', {timeout: 120_000}, async () => {
		// A prefix of its own: the broker is shared with other tests' clients.
		const prefix = `${uniqueName('gcr')}.reply.`;
		const gone = await stack.connect({replyTopicPrefix: prefix, deleteReplyTopicOnClose: false});
		const live = await stack.connect({replyTopicPrefix: prefix});
		await gone.invoke('echo', {value: 'a'});
		await live.invoke('echo', {value: 'b'});
		const goneTopic = gone.replyTopic;
		await gone.close();

		// Its newest record is seconds old: not idle for an hour.
		const recent = await cli('gc-replies', '--prefix', prefix, '--idle', '1h', '--json');
		assert.equal(recent.code, 0, recent.stderr);
		assert.deepEqual((JSON.parse(recent.stdout) as ReplyGcResult).deleted, []);

		const dry = JSON.parse((await cli('gc-replies', '--prefix', prefix, '--idle', '0', '--dry-run', '--json')).stdout) as ReplyGcResult;
		assert.deepEqual(dry.topics.map(t => [t.topic, t.action]).sort(), [[goneTopic, 'delete'], [live.replyTopic, 'keep']].sort());
		assert.deepEqual(dry.deleted, []);
		assert.deepEqual(dry.topics.find(t => t.topic === live.replyTopic)!.readers, [live.replyTopic]);

		const run = await cli('gc-replies', '--prefix', prefix, '--idle', '0');
		assert.equal(run.code, 0, run.stderr);
		assert.match(run.stdout, /deleted 1 of 2 reply topics/);
		const kafka = new Kafka({clientId: 'ops-test', brokers, logLevel: logLevel.NOTHING});
		const admin = kafka.admin();
		await admin.connect();
		try {
			const topics = await admin.listTopics();
			assert.ok(!topics.includes(goneTopic), 'the closed client\'s topic is deleted');
			assert.ok(topics.includes(live.replyTopic), 'the live client\'s topic is kept');
		} finally {
			await admin.disconnect();
		}

		assert.deepEqual(await live.invoke('echo', {value: 'still here'}), 'still here');
	});
});
