/**
 * Scenario 11: a rolling upgrade that adds a pipeline (issue 17 item 4). Two runners of the old code
 * version serve; runners of the new version (which adds `rel_new`) replace them one by one — the
 * first old one SIGKILLed (it may die between handing a call on and committing it), the second
 * SIGTERMed — under steady load to `rel_tag` (both versions) and to `rel_new` (the new version only,
 * from the moment the first new runner serves). Calls to `rel_new` that land on an old runner's
 * partitions are handed on (docs/protocol.md §14). No call may fail.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import {after, test} from 'node:test';
import {Kafka, logLevel} from 'kafkajs';
import {readRunnerPresence} from '../../src/index.js';
import {fixturesDir} from '../helpers/harness.js';
import {
	createFleet,
	duplicateExecutions,
	type Fleet,
	Ledger,
	log,
	pick,
	recordResult,
	reliabilityPipelines,
	sleep,
	steadyLoad,
	until,
	waitForZeroLag,
} from '../helpers/reliability.js';

const newCode = [reliabilityPipelines, path.join(fixturesDir, 'upgrade_reliability_pipelines.py')];
const perSecond = pick(20, 60);
const pipelineMs = 20;
const settleSeconds = pick(4, 20);
const timeoutMs = 60_000;

let fleet: Fleet | undefined;
after(async () => fleet?.close());

async function requestRecords(f: Fleet): Promise<number> {
	const admin = new Kafka({brokers: f.brokers, clientId: `${f.requestTopic}.admin`, logLevel: logLevel.NOTHING}).admin();
	await admin.connect();
	try {
		const offsets = await admin.fetchTopicOffsets(f.requestTopic);
		return offsets.reduce((sum, p) => sum + Number(p.high), 0);
	} finally {
		await admin.disconnect();
	}
}

/** Until the presence topic shows the runners of `pids`, each owning call partitions. */
async function serving(f: Fleet, pids: number[]): Promise<void> {
	const ok = await until(async () => {
		const live = await readRunnerPresence({brokers: f.brokers, requestTopic: f.requestTopic});
		return pids.every(pid => live.some(r => r.pid === pid && r.callPartitions.length > 0));
	}, 60_000);
	assert.ok(ok, `runners ${pids.join(', ')} serving`);
}

test(`11: rolling upgrade adding a pipeline, old runners SIGKILLed/SIGTERMed, under ${2 * perSecond} calls/s`, {timeout: 600_000}, async () => {
	const began = Date.now();
	fleet = await createFleet('upgrade', {partitions: 6});
	const f = fleet;
	const old1 = await f.start();
	const old2 = await f.start();
	const client = await f.connect();
	const ledger = new Ledger('u');
	let done = false;
	let newServing = false;
	const load = steadyLoad(perSecond, () => done, () => {
		void ledger.call(client, 'rel_tag', {tag: ledger.nextTag(), ms: pipelineMs}, timeoutMs);
	});
	const fresh = steadyLoad(perSecond, () => done, () => {
		if (newServing) void ledger.call(client, 'rel_new', {tag: ledger.nextTag(), ms: pipelineMs}, timeoutMs);
	});
	await sleep(2000);

	const new1 = await f.start({pipelines: newCode});
	await serving(f, [new1.pid!]);
	newServing = true;
	log(`new runner pid ${new1.pid} serves beside old ${old1.pid}, ${old2.pid}: calls to rel_new start`);
	await sleep(settleSeconds * 1000);

	log(`SIGKILL old runner pid ${old1.pid}; ${ledger.size} calls sent, ${ledger.settled} settled`);
	await f.kill(old1);
	const new2 = await f.start({pipelines: newCode});
	log(`  replaced by new runner pid ${new2.pid}`);
	await sleep(settleSeconds * 1000);

	log(`SIGTERM old runner pid ${old2.pid}`);
	const exitCode = await f.stop(old2);
	const new3 = await f.start({pipelines: newCode});
	log(`  exit ${exitCode}; replaced by new runner pid ${new3.pid}`);
	await sleep(settleSeconds * 1000);

	done = true;
	await Promise.all([load, fresh]);
	await ledger.drain();
	const s = ledger.summary();
	const lag = await waitForZeroLag(f.brokers, f.group, f.requestTopic);
	const duplicates = duplicateExecutions(f.execLog);
	const records = await requestRecords(f);
	const handedOn = records - s.calls;
	log(`summary: ${JSON.stringify(s)} lag=${lag} duplicate executions=${duplicates} request records=${records} (≈ ${handedOn} hand-ons)`);
	const passed = s.failed === 0 && s.lost === 0 && s.wrong === 0 && s.late === 0 && lag === 0 && exitCode === 0 && handedOn > 0;
	recordResult({
		scenario: '11 rolling upgrade adding a pipeline',
		calls: s.calls,
		lost: s.lost,
		wrong: s.wrong,
		duplicates,
		failed: s.failed,
		seconds: (Date.now() - began) / 1000,
		notes: `2 old → 3 new runners (1 SIGKILL, 1 SIGTERM); ~${handedOn} calls handed on by old runners; lag ${lag}`,
		passed,
	});
	assert.equal(s.lost, 0, 'every call settles');
	assert.equal(s.late, 0, 'no call settles after its deadline + margin');
	assert.equal(s.wrong, 0, 'no call resolves with another call\'s result');
	assert.equal(s.failed, 0, `no call fails: ${JSON.stringify(s.errors)}\n${ledger.failures()}`);
	assert.ok(handedOn > 0, 'calls to the new pipeline reached old runners and were handed on');
	assert.equal(exitCode, 0, 'the old runner stops cleanly on SIGTERM');
	assert.equal(lag, 0, 'the runner group\'s lag is back to 0');
});
