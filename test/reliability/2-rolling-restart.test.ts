/**
 * Scenario 2: a rolling restart — each of 3 runners SIGTERMed in turn (graceful: finish in-flight
 * calls, commit, leave) and replaced, under steady load. No call may fail.
 */
import assert from 'node:assert/strict';
import {after, test} from 'node:test';
import {
	createFleet,
	duplicateExecutions,
	explainDuplicates,
	type Fleet,
	Ledger,
	log,
	pick,
	recordResult,
	sleep,
	steadyLoad,
	waitForZeroLag,
} from '../helpers/reliability.js';

const runnerCount = 3;
const perSecond = pick(30, 60);
const pipelineMs = pick(50, 100);
const settleSeconds = pick(4, 20);
const rounds = pick(1, 3);
const timeoutMs = 120_000;

let fleet: Fleet | undefined;
after(async () => fleet?.close());

test(`2: rolling SIGTERM restart of ${runnerCount} runners under ${perSecond} calls/s`, {timeout: 900_000 * rounds}, async () => {
	const began = Date.now();
	fleet = await createFleet('rolling');
	const slots = [];
	for (let i = 0; i < runnerCount; i++) {
		slots.push(await fleet.start());
	}

	const client = await fleet.connect();
	const ledger = new Ledger('r');
	let done = false;
	const load = steadyLoad(perSecond, () => done, () => {
		void ledger.call(client, 'rel_tag', {tag: ledger.nextTag(), ms: Math.random() < 0.05 ? 3000 : pipelineMs}, timeoutMs);
	});
	const exitCodes: Array<number | undefined> = [];
	await sleep(settleSeconds * 1000);
	for (let round = 0; round < rounds; round++) {
		for (let slot = 0; slot < runnerCount; slot++) {
			const old = slots[slot]!;
			log(`SIGTERM runner pid ${old.pid} (slot ${slot}); ${ledger.size} calls sent, ${ledger.settled} settled`);
			const exitCode = await fleet.stop(old);
			const stopping = old.events.find(e => e.event === 'runner.stopping');
			const stopped = old.events.find(e => e.event === 'runner.stopped');
			log(`  exit ${exitCode}; stopping ${JSON.stringify(stopping)}; stopped ${JSON.stringify(stopped)}`);
			exitCodes.push(exitCode);
			slots[slot] = await fleet.start();
			log(`  replaced by pid ${slots[slot]!.pid}`);
			await sleep(settleSeconds * 1000);
		}
	}

	done = true;
	await load;
	await ledger.drain();
	const s = ledger.summary();
	const lag = await waitForZeroLag(fleet.brokers, fleet.group, fleet.requestTopic);
	const duplicates = duplicateExecutions(fleet.execLog);
	const causes = explainDuplicates(fleet);
	log(`duplicate executions by cause: ${JSON.stringify(causes.counts)}${causes.examples.map(e => `\n  ${e}`).join('')}`);
	log(`summary: ${JSON.stringify(s)} exit codes ${JSON.stringify(exitCodes)} lag=${lag} duplicate executions=${duplicates}`);
	const passed = (causes.counts['stopped (SIGTERM)'] ?? 0) === 0 && s.failed === 0 && s.lost === 0 && s.wrong === 0 && s.late === 0 && lag === 0 && exitCodes.every(c => c === 0);
	recordResult({
		scenario: '2 rolling SIGTERM restart',
		calls: s.calls,
		lost: s.lost,
		wrong: s.wrong,
		duplicates,
		failed: s.failed,
		seconds: (Date.now() - began) / 1000,
		notes: `${exitCodes.length} graceful restarts, exit codes ${[...new Set(exitCodes)].join('/')}; lag ${lag}; duplicates by cause: ${Object.entries(causes.counts).map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}`,
		passed,
	});
	assert.equal(s.lost, 0, 'every call settles');
	assert.equal(s.late, 0, 'no call settles after its deadline + margin');
	assert.equal(s.wrong, 0, 'no call resolves with another call\'s result');
	assert.equal(s.failed, 0, `no call fails: ${JSON.stringify(s.errors)}\n${ledger.failures()}`);
	assert.deepEqual(exitCodes, exitCodes.map(() => 0), 'each runner stops cleanly on SIGTERM');
	assert.equal(causes.counts['stopped (SIGTERM)'] ?? 0, 0, 'a graceful stop finishes and commits its calls: none runs again elsewhere');
	assert.equal(lag, 0, 'the runner group\'s lag is back to 0');
});
