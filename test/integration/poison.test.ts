/**
 * Poison messages: a call whose pipeline kills the runner process (os._exit(137) here; a segfault or
 * the OOM killer look the same to Kafka) under thread isolation. Two runners in one group, each
 * restarted when it dies. The call must end in PoisonMessageError after at most 3 deliveries, with
 * a dead letter of reason `poison`; the other calls on the same partition are all answered; the
 * runners keep serving.
 */
import assert from 'node:assert/strict';
import {mkdtempSync, readFileSync, existsSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {after, test} from 'node:test';
import {Kafka, logLevel} from 'kafkajs';
import {PipelineClient, PoisonMessageError, RunnerProcess} from '../../src/index.js';
import {brokers, fixturesDir, uniqueName} from '../helpers/harness.js';

const pipelines = path.join(fixturesDir, 'poison_pipelines.py');
const cleanups: Array<() => Promise<unknown>> = [];
after(async () => {
	for (const cleanup of cleanups.reverse()) {
		await cleanup().catch(() => undefined);
	}
});

test('a call that kills its runner is dead-lettered as poison after ≤3 deliveries; the rest are answered', {timeout: 240_000}, async () => {
	const requestTopic = uniqueName('poison');
	const execLog = path.join(mkdtempSync(path.join(tmpdir(), 'mlbridge-poison-')), 'exec.log');
	const deaths: Array<number | undefined> = [];
	let supervising = true;
	const live = new Set<RunnerProcess>();
	// A supervisor: each runner that dies is replaced, as systemd or Kubernetes would.
	const supervise = async (): Promise<void> => {
		const runner = await RunnerProcess.start({
			pipelines: [pipelines],
			brokers,
			requestTopic,
			group: `${requestTopic}.runners`,
			concurrency: 4,
			env: {MLBRIDGE_EXEC_LOG: execLog},
			extraArgs: ['--isolation', 'thread', '--partitions', '1', '--max-deliveries', '3'],
			waitUntilAssigned: false,
		});
		live.add(runner);
		void runner.exited.then(exit => {
			live.delete(runner);
			if (supervising) {
				deaths.push(exit.exitCode);
				void supervise();
			}
		});
	};

	cleanups.push(async () => {
		supervising = false;
		await Promise.all([...live].map(async runner => runner.stop()));
	});
	await supervise();
	await supervise();
	const client = await PipelineClient.connect({brokers, requestTopic, requestPartitions: 1});
	cleanups.push(async () => client.close());

	const echo = (tag: string) => client.invoke('poison_echo', {tag, ms: 50}, {timeoutMs: 200_000}) as Promise<{tag: string}>;
	const before = Array.from({length: 6}, async (_, n) => echo(`before-${n}`));
	const poison = client.invoke('poison_exit', {tag: 'fatal'}, {timeoutMs: 200_000});
	const afterwards = Array.from({length: 6}, async (_, n) => echo(`after-${n}`));
	const began = Date.now();

	const failure = await poison.then(() => undefined, (error: unknown) => error);
	assert.ok(failure instanceof PoisonMessageError, `the caller gets PoisonMessageError, got ${String(failure)}`);
	assert.equal(failure.code, 'POISON_MESSAGE');
	const results = await Promise.all([...before, ...afterwards]);
	assert.deepEqual(
		results.map(r => r.tag).sort(),
		[...Array.from({length: 6}, (_, n) => `before-${n}`), ...Array.from({length: 6}, (_, n) => `after-${n}`)].sort(),
		'every other call on the partition is answered (0 lost)',
	);
	const fatalRuns = existsSync(execLog) ? readFileSync(execLog, 'utf8').split('\n').filter(line => line.startsWith('fatal ')).length : 0;
	assert.ok(fatalRuns >= 2 && fatalRuns <= 3, `runners started the fatal call ${fatalRuns} times (at most 3)`);
	assert.equal(deaths.length, fatalRuns, 'each start of the fatal call cost one runner, no more');
	assert.ok(deaths.every(code => code === 137), `runners died of the call: ${deaths.join(',')}`);

	// The runners keep serving.
	assert.equal((await echo('later')).tag, 'later');

	// The dead letter, with reason poison and the original request's offset.
	const kafka = new Kafka({clientId: 'mlbridge-poison-test', brokers, logLevel: logLevel.NOTHING});
	const consumer = kafka.consumer({groupId: `${requestTopic}.dlq-reader`});
	await consumer.connect();
	cleanups.push(async () => consumer.disconnect());
	await consumer.subscribe({topic: `${requestTopic}.dlq`, fromBeginning: true});
	const reasons: string[] = [];
	const seen = new Promise<void>(resolve => {
		void consumer.run({
			eachMessage: async ({message}) => {
				reasons.push(String(message.headers?.['mlbridge.dlq.reason']));
				if (reasons.includes('poison')) {
					resolve();
				}
			},
		});
	});
	await Promise.race([seen, new Promise(resolve => setTimeout(resolve, 30_000))]);
	assert.deepEqual(reasons, ['poison'], 'one dead letter, reason poison');
	console.log(`# poison: ${fatalRuns} deliveries, ${deaths.length} runner deaths, verdict after ${Date.now() - began} ms`);
});
