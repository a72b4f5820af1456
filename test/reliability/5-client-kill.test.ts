/**
 * Scenario 5: a client process is SIGKILLed with calls in flight. The runners finish its calls and
 * reply to a topic nobody reads any more, without failing; other clients carry on unaffected.
 */
import assert from 'node:assert/strict';
import {createInterface} from 'node:readline';
import {after, test} from 'node:test';
import {execa} from 'execa';
import {Kafka, logLevel} from 'kafkajs';
import {
	alive,
	createFleet,
	duplicateExecutions,
	executions,
	type Fleet,
	Ledger,
	log,
	pick,
	recordResult,
	sleep,
	steadyLoad,
	until,
	waitForZeroLag,
} from '../helpers/reliability.js';

const childCalls = pick(40, 400);
const childSeconds = 1;
const perSecond = pick(20, 50);
const timeoutMs = 120_000;

let fleet: Fleet | undefined;
let orphanTopic: string | undefined;
after(async () => {
	await fleet?.close();
	if (fleet !== undefined && orphanTopic !== undefined) {
		const admin = new Kafka({clientId: 'mlbridge-reliability-cleanup', brokers: fleet.brokers, logLevel: logLevel.NOTHING}).admin();
		await admin.connect();
		await admin.deleteTopics({topics: [orphanTopic]}).catch(() => undefined);
		await admin.disconnect();
	}
});

test(`5: a client process SIGKILLed with ${childCalls} calls in flight`, {timeout: 600_000}, async () => {
	const began = Date.now();
	fleet = await createFleet('clientkill');
	const runners = [await fleet.start(), await fleet.start()];
	const client = await fleet.connect();
	const ledger = new Ledger('p');
	let done = false;
	const load = steadyLoad(perSecond, () => done, () => {
		void ledger.call(client, 'rel_tag', {tag: ledger.nextTag(), ms: 20}, timeoutMs);
	});

	const child = execa('node', ['--import', 'tsx', 'test/helpers/reliability-client.ts', fleet.requestTopic, fleet.brokers.join(','), String(childCalls), String(childSeconds)], {
		stdout: 'pipe',
		stderr: 'inherit',
		buffer: false,
		reject: false,
	});
	const lines = createInterface({input: child.stdout!})[Symbol.asyncIterator]();
	const ready = JSON.parse(String((await lines.next()).value)) as {replyTopic: string};
	orphanTopic = ready.replyTopic;
	const sent = JSON.parse(String((await lines.next()).value)) as {sent: number};
	assert.equal(sent.sent, childCalls);
	const childTags = Array.from({length: childCalls}, (_, i) => `child-${i + 1}`);
	// Kill it once some of its calls are running and most are not done.
	assert.ok(await until(() => childTags.some(t => executions(fleet!.execLog).has(t)), 60_000, 100), 'the child\'s calls start');
	child.kill('SIGKILL');
	const exit = await child;
	const ranBeforeKill = childTags.filter(t => executions(fleet!.execLog).has(t)).length;
	log(`SIGKILLed client pid ${child.pid} (signal ${exit.signal}) with ${childCalls - ranBeforeKill} of its ${childCalls} calls not started yet`);

	// The runners still serve every call addressed to the dead client.
	const allRan = await until(() => childTags.every(t => executions(fleet!.execLog).has(t)), 120_000, 500);
	// And a client connecting now is served too.
	const late = new Ledger('n');
	const other = await fleet.connect();
	await Promise.all(Array.from({length: 50}, async () => late.call(other, 'rel_tag', {tag: late.nextTag()}, timeoutMs)));
	done = true;
	await load;
	await ledger.drain();
	const s = ledger.summary();
	const n = late.summary();
	const lag = await waitForZeroLag(fleet.brokers, fleet.group, fleet.requestTopic);
	const runnersAlive = runners.every(r => alive(r.pid));
	const crashed = runners.flatMap(r => r.events.filter(e => e.event === 'runner.crashed' || e.event === 'runner.stopped'));
	const replyFailures = runners.flatMap(r => r.events.filter(e => e.event === 'reply.failed')).length;
	const duplicates = duplicateExecutions(fleet.execLog);
	log(`other client: ${JSON.stringify(s)}; new client: ${JSON.stringify(n)}; dead client's calls all executed ${allRan}; reply.failed ${replyFailures}; runners alive ${runnersAlive}; lag ${lag}`);
	const passed = s.failed === 0 && s.lost === 0 && s.wrong === 0 && n.ok === 50 && allRan && runnersAlive && crashed.length === 0 && lag === 0;
	recordResult({
		scenario: '5 client process SIGKILLed',
		calls: s.calls + n.calls + childCalls,
		lost: s.lost + n.lost,
		wrong: s.wrong + n.wrong,
		duplicates,
		failed: s.failed + n.failed,
		seconds: (Date.now() - began) / 1000,
		notes: `${childCalls} calls of the killed client all served (${ranBeforeKill} had started); other clients' calls: ${s.ok + n.ok} ok; lag ${lag}`,
		passed,
	});
	assert.equal(exit.signal, 'SIGKILL');
	assert.ok(allRan, 'the runners serve every call of the dead client');
	assert.ok(runnersAlive, 'the runners are alive');
	assert.deepEqual(crashed, [], 'no runner crashed or stopped');
	assert.equal(s.lost, 0);
	assert.equal(s.late, 0);
	assert.equal(s.wrong, 0, 'the other client never sees the dead client\'s replies');
	assert.equal(s.failed, 0, `the other client's calls all succeed: ${JSON.stringify(s.errors)}\n${ledger.failures()}`);
	assert.equal(n.ok, 50, `a new client is served: ${JSON.stringify(n.errors)}`);
	assert.equal(lag, 0, 'the runner group\'s lag is back to 0');
});
