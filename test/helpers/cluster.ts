/**
 * The three-node dev cluster (scripts/cluster/) from tests: start it, find a partition's leader and
 * the active controller, kill or stop one node and bring it back. Nodes are the scripts' node ids
 * 1..3 on 127.0.0.1:29092/29192/29292 (MLBRIDGE_CLUSTER_BASE_PORT moves them).
 */
import {execFile} from 'node:child_process';
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {promisify} from 'node:util';
import {Kafka, logLevel} from 'kafkajs';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const scripts = path.join(root, 'scripts', 'cluster');
const basePort = Number(process.env['MLBRIDGE_CLUSTER_BASE_PORT'] ?? 29_092);
const clusterDir = process.env['MLBRIDGE_CLUSTER_DIR'] ?? path.join(root, '.cache', 'kafka', 'cluster');

export const clusterNodes = [1, 2, 3] as const;
export const clusterBrokers = clusterNodes.map(i => `127.0.0.1:${basePort + 100 * (i - 1)}`);

/** `npm run cluster:start`: idempotent, starts only the nodes that are down, returns once all three answer. */
export async function startCluster(): Promise<void> {
	await run('bash', [path.join(scripts, 'start.sh')], {cwd: root, timeout: 300_000});
}

/** Whether any node of the cluster answers on its port now (a test stops only what it started). */
export async function clusterRunning(): Promise<boolean> {
	const {createConnection} = await import('node:net');
	const answers = await Promise.all(clusterBrokers.map(async address => new Promise<boolean>(resolve => {
		const [host, port] = address.split(':');
		const socket = createConnection({host, port: Number(port)});
		socket.setTimeout(1000);
		socket.once('connect', () => {
			socket.destroy();
			resolve(true);
		});
		socket.once('error', () => resolve(false));
		socket.once('timeout', () => {
			socket.destroy();
			resolve(false);
		});
	})));
	return answers.some(Boolean);
}

/** `npm run cluster:stop`. */
export async function stopCluster(): Promise<void> {
	await run('bash', [path.join(scripts, 'stop.sh')], {cwd: root, timeout: 120_000});
}

/** Signal one node (SIGKILL by default) and wait until its process is gone. */
export async function killNode(node: number, signal: 'KILL' | 'TERM' = 'KILL'): Promise<number> {
	const pid = Number(readFileSync(path.join(clusterDir, `node${node}`, 'broker.pid'), 'utf8').trim());
	await run('bash', [path.join(scripts, 'kill-node.sh'), String(node), signal], {cwd: root, timeout: 120_000});
	return pid;
}

/** The node id of the active controller (the KRaft quorum leader). */
export async function activeController(): Promise<number> {
	const {stdout} = await run('bash', [path.join(scripts, 'controller.sh')], {cwd: root, timeout: 60_000});
	return Number(stdout.trim());
}

/** Each partition's leader and end offset on `topic`, busiest (highest end offset) first. */
export async function partitionLeaders(topic: string): Promise<Array<{partition: number; leader: number; end: number}>> {
	const kafka = new Kafka({clientId: 'mlbridge-cluster-test', brokers: clusterBrokers, logLevel: logLevel.NOTHING, retry: {retries: 3}});
	const admin = kafka.admin();
	await admin.connect();
	try {
		const {topics} = await admin.fetchTopicMetadata({topics: [topic]});
		const ends = new Map((await admin.fetchTopicOffsets(topic)).map(o => [o.partition, Number(o.high)]));
		return (topics[0]?.partitions ?? [])
			.map(p => ({partition: p.partitionId, leader: p.leader, end: ends.get(p.partitionId) ?? 0}))
			.sort((a, b) => b.end - a.end);
	} finally {
		await admin.disconnect();
	}
}

/** Wait until every partition of `topic` has all three replicas in sync again (after a node came back). */
export async function waitFullIsr(topic: string, timeoutMs = 120_000): Promise<boolean> {
	const kafka = new Kafka({clientId: 'mlbridge-cluster-test', brokers: clusterBrokers, logLevel: logLevel.NOTHING, retry: {retries: 3}});
	const admin = kafka.admin();
	await admin.connect();
	try {
		const end = Date.now() + timeoutMs;
		while (Date.now() < end) {
			try {
				const {topics} = await admin.fetchTopicMetadata({topics: [topic]});
				if ((topics[0]?.partitions ?? []).every(p => p.isr.length === clusterNodes.length)) {
					return true;
				}
			} catch {
				// A metadata answer from a node still starting: ask again.
			}

			await new Promise(resolve => {
				setTimeout(resolve, 500);
			});
		}

		return false;
	} finally {
		await admin.disconnect();
	}
}
