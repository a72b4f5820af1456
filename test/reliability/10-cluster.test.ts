/**
 * Scenario 10: the three-node cluster (npm run cluster:start; the test starts it if it is down):
 * replication factor 3, min.insync.replicas 2, acks=all on both sides. Under steady load,
 *   a) the leader of the busiest request partition is SIGKILLed, then started again;
 *   b) the active controller (KRaft quorum leader) is SIGKILLed, then started again;
 *   c) all three nodes are restarted one after the other (SIGTERM, start, in sync again).
 * Each must end with 0 lost calls, 0 wrong results, 0 failed calls (every call's 30 s deadline
 * leaves room for the client's and runner's retries) and the runner group's lag back to 0.
 */
import assert from 'node:assert/strict';
import {after, before, test} from 'node:test';
import type {PipelineClient} from '../../src/index.js';
import {activeController, clusterBrokers, clusterNodes, clusterRunning, killNode, partitionLeaders, startCluster, stopCluster, waitFullIsr} from '../helpers/cluster.js';
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
	waitForZeroLag,
} from '../helpers/reliability.js';

const perSecond = pick(20, 60);
const callTimeoutMs = 30_000;
const settleSeconds = pick(4, 20);
const downSeconds = pick(5, 30);

let fleet: Fleet | undefined;
// One client for the three scenarios, connected while the cluster is whole: a connect() made while a
// node was just restarted can fail (see the closing note of issue 15), which is not what these measure.
let client: PipelineClient | undefined;
// A cluster this file started is stopped at the end: one left running holds the ports, and the next
// checkout's run (another CI clone) cannot start its own.
let startedHere = false;
before(async () => {
	const t = Date.now();
	startedHere = !(await clusterRunning());
	await startCluster();
	log(`cluster ready (${clusterBrokers.join(',')}) in ${((Date.now() - t) / 1000).toFixed(1)} s`);
	fleet = await createFleet('cluster', {brokers: clusterBrokers, partitions: pick(6, 12)});
	await fleet.start();
	await fleet.start();
	client = await fleet.connect();
});
after(async () => {
	await fleet?.close();
	if (startedHere) {
		await stopCluster().catch((error: unknown) => {
			log(`cluster stop after the scenarios: ${String(error)}`);
		});
		return;
	}

	// Leave the cluster as found running: whole, every node up.
	await startCluster().catch((error: unknown) => {
		log(`cluster restart after the scenarios: ${String(error)}`);
	});
});

/** Run steady load around `disrupt`, then check the ledger, the lag and the runners; records the row. */
async function underLoad(scenario: string, prefix: string, disrupt: (f: Fleet) => Promise<string>): Promise<void> {
	const f = fleet!;
	const began = Date.now();
	const ledger = new Ledger(prefix);
	let done = false;
	const load = steadyLoad(perSecond, () => done, () => {
		void ledger.call(client!, 'rel_tag', {tag: ledger.nextTag(), ms: 10}, callTimeoutMs);
	});
	await sleep(settleSeconds * 1000);
	const what = await disrupt(f);
	await sleep(settleSeconds * 1000);
	done = true;
	await load;
	await ledger.drain();
	const s = ledger.summary();
	const lag = await waitForZeroLag(f.brokers, f.group, f.requestTopic, 120_000);
	const runnersAlive = f.live.every(r => alive(r.pid));
	const duplicates = duplicateExecutions(f.execLog, [...ledger.entries()].map(e => e.tag));
	log(`${scenario}: ${what}; ${JSON.stringify(s)}; lag ${lag}; duplicate executions ${duplicates}`);
	const passed = s.lost === 0 && s.wrong === 0 && s.late === 0 && s.failed === 0 && lag === 0 && runnersAlive;
	recordResult({
		scenario,
		calls: s.calls,
		lost: s.lost,
		wrong: s.wrong,
		duplicates,
		failed: s.failed,
		seconds: (Date.now() - began) / 1000,
		notes: `${what}; ${perSecond} calls/s, 30 s deadlines; failures: ${Object.entries(s.errors).map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}; lag ${lag}`,
		passed,
	});
	assert.equal(s.lost, 0, 'every call settles');
	assert.equal(s.wrong, 0, 'no call resolves with another call\'s result');
	assert.equal(s.late, 0, 'no call settles after its deadline + margin');
	assert.equal(s.failed, 0, `a 30 s deadline covers a failover, so no call fails: ${JSON.stringify(s.errors)}\n${ledger.failures()}`);
	assert.ok(runnersAlive, 'the runners survive');
	assert.equal(lag, 0, 'the runner group\'s lag is back to 0');
}

/** SIGKILL `node`, keep it down, start it again and wait until every replica is back in sync. */
async function killAndRestart(f: Fleet, node: number): Promise<number> {
	const pid = await killNode(node);
	const killedAt = Date.now();
	await sleep(downSeconds * 1000);
	await startCluster();
	const back = (Date.now() - killedAt) / 1000;
	assert.ok(await waitFullIsr(f.requestTopic), `node ${node} back in sync`);
	log(`node ${node} (pid ${pid}) SIGKILLed, started again after ${back.toFixed(1)} s, replicas in sync`);
	return back;
}

test('10a: the leader of the busiest request partition SIGKILLed under load', {timeout: 600_000}, async () => {
	await underLoad('10a cluster: busiest partition leader SIGKILLed', 'a', async f => {
		const [busiest] = await partitionLeaders(f.requestTopic);
		assert.ok(busiest, 'the request topic has partitions');
		const back = await killAndRestart(f, busiest.leader);
		return `partition ${busiest.partition}'s leader node ${busiest.leader} killed, back after ${back.toFixed(0)} s`;
	});
});

test('10b: the active controller SIGKILLed under load', {timeout: 600_000}, async () => {
	await underLoad('10b cluster: active controller SIGKILLed', 'c', async f => {
		const controller = await activeController();
		const back = await killAndRestart(f, controller);
		const next = await activeController();
		return `controller node ${controller} killed (node ${next} took over), back after ${back.toFixed(0)} s`;
	});
});

test('10c: rolling restart of the three nodes under load', {timeout: 600_000}, async () => {
	await underLoad('10c cluster: rolling restart of 3 nodes', 'r', async f => {
		const took: string[] = [];
		for (const node of clusterNodes) {
			const t = Date.now();
			await killNode(node, 'TERM');
			await startCluster();
			assert.ok(await waitFullIsr(f.requestTopic), `node ${node} back in sync`);
			took.push(`${node} ${((Date.now() - t) / 1000).toFixed(0)} s`);
		}

		return `SIGTERM + start per node: ${took.join(', ')}`;
	});
});
