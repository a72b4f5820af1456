/**
 * Scenario 1: runners SIGKILLed at random moments under load and restarted. Every call succeeds
 * with its own result; executions repeated by re-delivery are counted and printed.
 */
import assert from 'node:assert/strict';
import {after, test} from 'node:test';
import {
	createFleet,
	duplicateExecutions,
	explainDuplicates,
	executions,
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
const killsPerRunner = pick(1, 3);
const totalCalls = pick(1500, 10_000);
const loadSeconds = pick(40, 240);
const timeoutMs = pick(180_000, 300_000);

let fleet: Fleet | undefined;
after(async () => fleet?.close());

test(`1: ${totalCalls} calls over ${runnerCount} runners, each SIGKILLed ${killsPerRunner}x and restarted`, {timeout: (loadSeconds + 600) * 1000}, async () => {
	const began = Date.now();
	fleet = await createFleet('sigkill');
	const slots = [];
	for (let i = 0; i < runnerCount; i++) {
		slots.push(await fleet.start());
	}

	const client = await fleet.connect();
	const ledger = new Ledger('k');
	const loadStart = Date.now();
	let done = false;
	const load = steadyLoad(totalCalls / loadSeconds, () => done || ledger.size >= totalCalls, () => {
		void ledger.call(client, 'rel_tag', {tag: ledger.nextTag(), ms: Math.random() < 0.1 ? 500 : 5}, timeoutMs);
	});

	// Random moments within the load window; the slot cycles so every runner dies killsPerRunner times.
	const moments = Array.from({length: runnerCount * killsPerRunner}, () => (0.1 + Math.random() * 0.75) * loadSeconds * 1000).sort((a, b) => a - b);
	let kills = 0;
	for (const [k, at] of moments.entries()) {
		await sleep(Math.max(0, loadStart + at - Date.now()));
		const slot = k % runnerCount;
		const victim = slots[slot]!;
		log(`SIGKILL runner pid ${victim.pid} (slot ${slot}) at ${((Date.now() - loadStart) / 1000).toFixed(1)} s, ${ledger.size} calls sent, ${ledger.settled} settled`);
		await fleet.kill(victim);
		kills++;
		slots[slot] = await fleet.start();
		log(`restarted slot ${slot} as pid ${slots[slot]!.pid} at ${((Date.now() - loadStart) / 1000).toFixed(1)} s`);
	}

	await load;
	done = true;
	await ledger.drain();
	const s = ledger.summary();
	const lag = await waitForZeroLag(fleet.brokers, fleet.group, fleet.requestTopic);
	const counts = executions(fleet.execLog);
	const duplicates = duplicateExecutions(fleet.execLog);
	const causes = explainDuplicates(fleet);
	log(`duplicate executions by cause: ${JSON.stringify(causes.counts)}${causes.examples.map(e => `\n  ${e}`).join('')}`);
	const neverRan = [...ledger.entries()].filter(e => e.ok === true && !counts.has(e.tag)).length;
	log(`summary: ${JSON.stringify(s)} kills=${kills} lag=${lag} duplicate executions=${duplicates} (over ${counts.size} tags) resolved-without-execution=${neverRan}`);
	const passed = s.ok === totalCalls && s.lost === 0 && s.wrong === 0 && s.late === 0 && lag === 0 && kills === runnerCount * killsPerRunner;
	recordResult({
		scenario: '1 SIGKILL runners',
		calls: s.calls,
		lost: s.lost,
		wrong: s.wrong,
		duplicates,
		failed: s.failed,
		seconds: (Date.now() - began) / 1000,
		notes: `${runnerCount} runners, ${kills} SIGKILLs; lag ${lag}; duplicates by cause: ${Object.entries(causes.counts).map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}`,
		passed,
	});
	assert.equal(s.calls, totalCalls);
	assert.equal(s.lost, 0, 'every call settles');
	assert.equal(s.multi, 0);
	assert.equal(s.late, 0, 'no call settles after its deadline + margin');
	assert.equal(s.wrong, 0, 'no call resolves with another call\'s result');
	assert.equal(s.failed, 0, `every call succeeds: ${JSON.stringify(s.errors)}\n${ledger.failures()}`);
	assert.equal(neverRan, 0, 'every resolved call was executed');
	assert.equal(lag, 0, 'the runner group\'s lag is back to 0');
});
