/**
 * Smoke test of the three-node cluster (scripts/cluster/start.sh): all three nodes up, every topic
 * mlbridge creates on either side has three replicas, and calls make the round trip with acks=all.
 *
 * Gated: runs only with MLBRIDGE_CLUSTER_TESTS=1 (starting three JVMs costs ~15 s and ~1.2 GB);
 * starts the cluster if it is not running and stops it again afterwards in that case.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import path from 'node:path';
import {after, before, describe, test} from 'node:test';
import {execa} from 'execa';
import {Kafka, logLevel} from 'kafkajs';
import {PipelineClient, RunnerProcess} from '../../src/index.js';
import {fixturePipelines, fixturesDir, uniqueName} from '../helpers/harness.js';

const enabled = process.env['MLBRIDGE_CLUSTER_TESTS'] === '1';
const root = path.join(fixturesDir, '..', '..');
const clusterBrokers = ['127.0.0.1:29092', '127.0.0.1:29192', '127.0.0.1:29292'];

async function listening(address: string): Promise<boolean> {
	const [host, port] = address.split(':');
	return new Promise(resolve => {
		const socket = net.connect({host, port: Number(port)}, () => {
			socket.destroy();
			resolve(true);
		});
		socket.on('error', () => resolve(false));
	});
}

async function clusterScript(name: string): Promise<void> {
	const result = await execa('bash', [path.join(root, 'scripts', 'cluster', name)], {reject: false, all: true, timeout: 300_000});
	if (result.exitCode !== 0) {
		throw new Error(`cluster ${name} failed (${result.exitCode}):\n${result.all}`);
	}
}

describe('a three-node cluster (replication factor 3, min.insync.replicas 2)', {skip: enabled ? false : 'set MLBRIDGE_CLUSTER_TESTS=1 to run'}, () => {
	let startedHere = false;
	const requestTopic = uniqueName('cluster');
	const catalogTopic = `${requestTopic}.catalog`;
	const admin = new Kafka({clientId: 'cluster-test', brokers: clusterBrokers, logLevel: logLevel.NOTHING}).admin();

	before(async () => {
		startedHere = !(await listening(clusterBrokers[0]!));
		const started = Date.now();
		await clusterScript('start.sh');
		console.log(`cluster: ${startedHere ? `started in ${((Date.now() - started) / 1000).toFixed(1)} s` : 'already running'}`);
		await admin.connect();
	});

	after(async () => {
		await admin.disconnect();
		if (startedHere) {
			await clusterScript('stop.sh');
		}
	});

	test('all three brokers registered', async () => {
		const cluster = await admin.describeCluster();
		assert.deepEqual(cluster.brokers.map(b => b.nodeId).sort(), [1, 2, 3]);
	});

	test('a call round trip; every topic the runner and the client created has 3 replicas', async () => {
		const runner = await RunnerProcess.start({
			pipelines: [fixturePipelines],
			brokers: clusterBrokers,
			requestTopic,
			group: `${requestTopic}.runners`,
			extraArgs: ['--partitions', '3'],
			env: {MLBRIDGE_CATALOG_TOPIC: catalogTopic},
		});
		const client = await PipelineClient.connect({brokers: clusterBrokers, requestTopic, catalogTopic});
		try {
			const results = await Promise.all(Array.from({length: 20}, async (_, n) => client.invoke('tagged', {tag: 'rf3', n})));
			assert.equal(results.length, 20);
			const topics = [requestTopic, `${requestTopic}.dlq`, catalogTopic, `${requestTopic}.jobs`, `${requestTopic}.jobs.state`, client.replyTopic];
			const {topics: metadata} = await admin.fetchTopicMetadata({topics});
			for (const topic of metadata) {
				for (const partition of topic.partitions) {
					assert.equal(partition.replicas.length, 3, `${topic.name}[${partition.partitionId}] replicas ${partition.replicas.join(',')}`);
					assert.equal(partition.isr.length, 3, `${topic.name}[${partition.partitionId}] in sync ${partition.isr.join(',')}`);
				}
			}
		} finally {
			await client.close();
			await runner.stop();
		}
	});
});
