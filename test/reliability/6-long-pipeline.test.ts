/**
 * Scenario 6: a pipeline that runs far longer than the consumer's max.poll.interval.ms (lowered so
 * CI can prove it in seconds) completes with one execution and no rebalance, while the same
 * runners keep serving short calls.
 */
import assert from 'node:assert/strict';
import {after, test} from 'node:test';
import {
	alive,
	createFleet,
	executions,
	type Fleet,
	Ledger,
	log,
	pick,
	recordResult,
	steadyLoad,
	waitForZeroLag,
} from '../helpers/reliability.js';

const maxPollMs = pick(10_000, 60_000);
const pipelineSeconds = pick(25, 1200);

let fleet: Fleet | undefined;
after(async () => fleet?.close());

test(`6: a ${pipelineSeconds} s pipeline with max.poll.interval.ms ${maxPollMs}`, {timeout: (pipelineSeconds + 600) * 1000}, async () => {
	const began = Date.now();
	fleet = await createFleet('longcall');
	const extraArgs = ['--max-poll-interval-ms', String(maxPollMs)];
	const runners = [await fleet.start({extraArgs}), await fleet.start({extraArgs})];
	const client = await fleet.connect();
	// Both runners have settled their assignment; from here on any revoke or loss is a rebalance.
	const eventsBefore = runners.map(r => r.events.length);
	const long = new Ledger('long');
	const longTag = long.nextTag();
	const longCall = long.call(client, 'rel_sleep', {tag: longTag, seconds: pipelineSeconds}, (pipelineSeconds + 120) * 1000);
	const short = new Ledger('short');
	let done = false;
	void longCall.then(() => {
		done = true;
	});
	const load = steadyLoad(5, () => done, () => {
		void short.call(client, 'rel_tag', {tag: short.nextTag(), ms: 10}, 60_000);
	});
	await longCall;
	done = true;
	await load;
	await short.drain();
	const l = long.summary();
	const s = short.summary();
	const lag = await waitForZeroLag(fleet.brokers, fleet.group, fleet.requestTopic);
	const runs = executions(fleet.execLog).get(longTag) ?? 0;
	const rebalances = runners.flatMap((r, i) => r.events.slice(eventsBefore[i]).filter(e => ['runner.revoked', 'runner.lost', 'runner.assigned'].includes(e.event)));
	const runnersAlive = runners.every(r => alive(r.pid));
	log(`long call: ${JSON.stringify(l)} executions ${runs}; short calls meanwhile: ${JSON.stringify(s)}; rebalance events ${JSON.stringify(rebalances)}; lag ${lag}`);
	const passed = l.ok === 1 && l.wrong === 0 && runs === 1 && rebalances.length === 0 && s.failed === 0 && s.lost === 0 && lag === 0 && runnersAlive;
	recordResult({
		scenario: '6 long pipeline vs max.poll.interval',
		calls: l.calls + s.calls,
		lost: l.lost + s.lost,
		wrong: l.wrong + s.wrong,
		duplicates: Math.max(0, runs - 1),
		failed: l.failed + s.failed,
		seconds: (Date.now() - began) / 1000,
		notes: `${pipelineSeconds} s call, max.poll.interval.ms ${maxPollMs}: ${runs} execution(s), ${rebalances.length} rebalance events; ${s.ok} short calls meanwhile; lag ${lag}`,
		passed,
	});
	assert.equal(l.ok, 1, `the long call succeeds: ${long.failures()}`);
	assert.equal(l.wrong, 0);
	assert.equal(runs, 1, 'the long call runs exactly once');
	assert.deepEqual(rebalances, [], 'no runner.revoked / runner.lost / runner.assigned while it runs');
	assert.equal(s.lost, 0);
	assert.equal(s.wrong, 0);
	assert.equal(s.failed, 0, `short calls meanwhile succeed: ${JSON.stringify(s.errors)}`);
	assert.ok(runnersAlive);
	assert.equal(lag, 0, 'the runner group\'s lag is back to 0');
});
