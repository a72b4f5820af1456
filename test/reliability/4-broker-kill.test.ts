/**
 * Scenario 4: the broker is killed with kill -9 under load and restarted 10 s later. This runs on
 * a second broker that the test starts and stops itself (127.0.0.1:19092), never the shared one.
 * Every pending call settles, with a result or a typed error, within its deadline; once the
 * broker is back, client and runners reconnect by themselves and new calls succeed.
 */
import assert from 'node:assert/strict';
import {after, test} from 'node:test';
import {monitorEventLoopDelay} from 'node:perf_hooks';
import {secondBroker} from '../helpers/second-broker.js';
import {
	alive,
	createFleet,
	duplicateExecutions,
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

const broker = secondBroker();
const perSecond = pick(20, 50);
const outageSeconds = 10;
const callTimeoutMs = pick(30_000, 60_000);
const afterCalls = pick(200, 2000);

let fleet: Fleet | undefined;
after(async () => {
	await fleet?.close();
	await broker.stop(true).catch((error: unknown) => {
		log(`second broker stop: ${String(error)}`);
	});
});

test(`4: broker kill -9 under ${perSecond} calls/s, restarted after ${outageSeconds} s`, {timeout: 900_000}, async () => {
	const began = Date.now();
	// A call can only settle late if this process's event loop stalls; the stall is logged to tell the two apart.
	const loopDelay = monitorEventLoopDelay({resolution: 20});
	loopDelay.enable();
	log(`starting a second broker on ${broker.brokers.join(',')} (${broker.runDir})`);
	await broker.start();
	fleet = await createFleet('broker', {brokers: broker.brokers});
	await fleet.start();
	await fleet.start();
	const client = await fleet.connect();
	const failFast = await fleet.connect({whenBrokerDown: 'fail'});
	const before = new Ledger('b');
	let phase: 'before' | 'down' | 'restarting' | 'back' = 'before';
	let done = false;
	const load = steadyLoad(perSecond, () => done, () => {
		void before.call(client, 'rel_tag', {tag: `${before.nextTag()}-${phase}`, ms: 20}, callTimeoutMs);
	});
	await sleep(8000);
	const pid = await broker.kill9();
	const killedAt = Date.now();
	phase = 'down';
	log(`kill -9 broker pid ${pid}; ${before.size} calls sent, ${before.settled} settled`);
	// The other documented mode: a client told to fail while the broker is down.
	const failing = new Ledger('f');
	await sleep(2000);
	for (let i = 0; i < 20; i++) {
		void failing.call(failFast, 'rel_tag', {tag: failing.nextTag()}, callTimeoutMs);
	}

	await sleep(outageSeconds * 1000 - 2000);
	phase = 'restarting';
	log(`restarting the broker after ${((Date.now() - killedAt) / 1000).toFixed(1)} s`);
	await broker.start();
	phase = 'back';
	const backAt = Date.now();
	log(`broker back after ${((backAt - killedAt) / 1000).toFixed(1)} s of outage`);
	await sleep(5000);
	done = true;
	await load;

	// New calls succeed once the broker is back: wait for the first success, then a batch must all succeed.
	let probes = 0;
	const recovered = await until(async () => {
		probes++;
		try {
			await client.invoke('rel_tag', {tag: `probe-${probes}`}, {timeoutMs: 10_000});
			return true;
		} catch {
			return false;
		}
	}, 180_000, 500);
	const recoveredAfterS = (Date.now() - backAt) / 1000;
	log(`first successful call ${recoveredAfterS.toFixed(1)} s after the broker was back (${probes} probes)`);
	const fresh = new Ledger('a');
	await Promise.all(Array.from({length: afterCalls}, async () => fresh.call(client, 'rel_tag', {tag: fresh.nextTag(), ms: 5}, 60_000)));
	await before.drain();
	await failing.drain();
	const f = failing.summary();
	log(`whenBrokerDown "fail" client, calls made during the outage: ${JSON.stringify(f)}`);
	const s = before.summary();
	const a = fresh.summary();
	const lag = await waitForZeroLag(fleet.brokers, fleet.group, fleet.requestTopic, 120_000);
	const runnersAlive = fleet.live.every(r => alive(r.pid));
	const duplicates = duplicateExecutions(fleet.execLog);
	const byPhase: Record<string, {ok: number; failed: number}> = {};
	for (const e of before.entries()) {
		const p = e.tag.split('-').at(-1)!;
		byPhase[p] ??= {ok: 0, failed: 0};
		byPhase[p][e.ok ? 'ok' : 'failed']++;
	}

	log(`during load: ${JSON.stringify(s)} by phase ${JSON.stringify(byPhase)}`);
	loopDelay.disable();
	log(`this process's longest event-loop stall: ${(loopDelay.max / 1e6).toFixed(0)} ms`);
	if (s.late > 0) {
		log(`late calls:\n${before.lateOnes()}`);
	}

	log(`after recovery: ${JSON.stringify(a)}; runners alive ${runnersAlive}; lag ${lag}; duplicate executions ${duplicates}`);
	const passed = f.lost === 0 && f.late === 0 && f.untyped === 0 && s.lost === 0 && s.late === 0 && s.wrong === 0 && s.untyped === 0 && recovered && a.ok === afterCalls && runnersAlive && lag === 0;
	recordResult({
		scenario: '4 broker kill -9, back after 10 s',
		calls: s.calls + a.calls + f.calls,
		lost: s.lost + a.lost + f.lost,
		wrong: s.wrong + a.wrong + f.wrong,
		duplicates,
		failed: s.failed + a.failed + f.failed,
		seconds: (Date.now() - began) / 1000,
		notes: `whenBrokerDown fail: ${Object.entries(f.errors).map(([k, n]) => `${k} ${n}`).join(', ') || 'no failures'}; failures are typed: ${Object.entries(s.errors).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}; first success ${recoveredAfterS.toFixed(0)} s after restart; ${a.ok}/${afterCalls} after; lag ${lag}`,
		passed,
	});
	assert.equal(s.lost, 0, 'every pending call settles');
	assert.equal(s.late, 0, 'no call settles after its deadline + margin');
	assert.equal(s.untyped, 0, `every failure is a typed MlbridgeError: ${JSON.stringify(s.errors)}`);
	assert.equal(s.wrong, 0, 'no call resolves with another call\'s result');
	assert.equal(f.lost + f.late + f.untyped, 0, `whenBrokerDown "fail": every call settles in time with a typed error or a result: ${JSON.stringify(f)}`);
	assert.ok(recovered, 'a call succeeds once the broker is back');
	assert.equal(a.ok, afterCalls, `calls after recovery all succeed: ${JSON.stringify(a.errors)}\n${fresh.failures()}`);
	assert.ok(runnersAlive, 'the runners survive the outage');
	assert.equal(lag, 0, 'the runner group\'s lag is back to 0');
});
