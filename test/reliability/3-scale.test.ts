/**
 * Scenario 3: scale out from 1 to 4 runners and back to 1 under load. No call may fail, and the
 * work spreads over the runners (each result carries the pid of the runner that ran it).
 */
import assert from 'node:assert/strict';
import {after, test} from 'node:test';
import type {RunnerProcess} from '../../src/index.js';
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

const perSecond = pick(40, 80);
const stepSeconds = pick(5, 30);
const timeoutMs = 120_000;

let fleet: Fleet | undefined;
after(async () => fleet?.close());

test(`3: scale 1 → 4 → 1 runners under ${perSecond} calls/s`, {timeout: 900_000}, async () => {
	const began = Date.now();
	fleet = await createFleet('scale');
	const runners: RunnerProcess[] = [await fleet.start()];
	const client = await fleet.connect();
	const ledger = new Ledger('s');
	let done = false;
	const load = steadyLoad(perSecond, () => done, () => {
		void ledger.call(client, 'rel_tag', {tag: ledger.nextTag(), ms: 20}, timeoutMs);
	});
	await sleep(stepSeconds * 1000);
	while (runners.length < 4) {
		const runner = await fleet.start();
		runners.push(runner);
		log(`scaled out to ${runners.length} (pid ${runner.pid}); ${ledger.size} calls sent`);
		await sleep(stepSeconds * 1000);
	}

	const exitCodes: Array<number | undefined> = [];
	while (fleet.live.length > 1) {
		const victim = fleet.live[fleet.live.length - 1]!;
		exitCodes.push(await fleet.stop(victim));
		log(`scaled in to ${fleet.live.length} (stopped pid ${victim.pid}); ${ledger.size} calls sent`);
		await sleep(stepSeconds * 1000);
	}

	done = true;
	await load;
	await ledger.drain();
	const s = ledger.summary();
	const lag = await waitForZeroLag(fleet.brokers, fleet.group, fleet.requestTopic);
	const perPid = new Map<number, number>();
	for (const value of ledger.values()) {
		const pid = (value as {pid: number}).pid;
		perPid.set(pid, (perPid.get(pid) ?? 0) + 1);
	}

	const perRunner = runners.map(r => perPid.get(r.pid!) ?? 0);
	const duplicates = duplicateExecutions(fleet.execLog);
	const causes = explainDuplicates(fleet);
	log(`duplicate executions by cause: ${JSON.stringify(causes.counts)}${causes.examples.map(e => `\n  ${e}`).join('')}`);
	log(`calls per runner (in start order, pids ${runners.map(r => r.pid).join(', ')}): ${perRunner.join(', ')}`);
	log(`summary: ${JSON.stringify(s)} lag=${lag} duplicate executions=${duplicates}`);
	const passed = s.failed === 0 && s.lost === 0 && s.wrong === 0 && s.late === 0 && lag === 0 && perRunner.every(n => n > 0);
	recordResult({
		scenario: '3 scale 1→4→1',
		calls: s.calls,
		lost: s.lost,
		wrong: s.wrong,
		duplicates,
		failed: s.failed,
		seconds: (Date.now() - began) / 1000,
		notes: `calls per runner ${perRunner.join('/')}; lag ${lag}; duplicates by cause: ${Object.entries(causes.counts).map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}`,
		passed,
	});
	assert.equal(s.lost, 0, 'every call settles');
	assert.equal(s.late, 0, 'no call settles after its deadline + margin');
	assert.equal(s.wrong, 0, 'no call resolves with another call\'s result');
	assert.equal(s.failed, 0, `no call fails: ${JSON.stringify(s.errors)}\n${ledger.failures()}`);
	assert.ok(perRunner.every(n => n > 0), `every runner served calls: ${perRunner.join(', ')}`);
	assert.deepEqual(exitCodes, exitCodes.map(() => 0), 'each runner stops cleanly on SIGTERM');
	assert.equal(lag, 0, 'the runner group\'s lag is back to 0');
});
