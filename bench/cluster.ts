/**
 * The cluster rung (issue 15): the mlbridge no-op against the three-node cluster (replication factor 3,
 * min.insync.replicas 2; client and runner produce with acks=all) beside the same against the single
 * dev broker (acks=all too, one replica), in interleaved rounds, so the cost of replication is a ratio.
 * A cluster that is down is started (scripts/cluster/start.sh, ~20 s) and stopped again after the rung
 * (left running, it held ports 29092–29292 and made the next test run's cluster scenarios fail) unless
 * BENCH_CLUSTER_START=0, then the rung is skipped with the reason printed. Knobs: BENCH_CLUSTER_ROUNDS, _LAT_CALLS, _SECONDS,
 * _CONCURRENCY.
 */
import {execFileSync} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import {connect} from 'node:net';
import path from 'node:path';
import {PipelineClient, RunnerProcess} from '../dist/src/index.js';
import {here, root} from './systems.js';

export type ClusterConfig = {rounds: number; latCalls: number; seconds: number; concurrency: number};
type Round = {p50: number; p99: number; perSecond: number};
type Target = 'single' | 'cluster';
export type ClusterResults = {
	config: ClusterConfig;
	skipped?: string;
	targets: Partial<Record<Target, {rounds: Round[]; median: Round}>>;
	errors: string[];
};

const clusterBrokers = ['127.0.0.1:29092', '127.0.0.1:29192', '127.0.0.1:29292'];
const singleBrokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');

export function clusterConfig(smoke: boolean): ClusterConfig {
	const env = (name: string, full: number, smokeValue: number) => Number(process.env[name] ?? (smoke ? smokeValue : full));
	return {
		rounds: env('BENCH_CLUSTER_ROUNDS', 3, 1),
		latCalls: env('BENCH_CLUSTER_LAT_CALLS', 500, 50),
		seconds: env('BENCH_CLUSTER_SECONDS', 3, 0.5),
		concurrency: env('BENCH_CLUSTER_CONCURRENCY', 128, 32),
	};
}

async function answers(address: string): Promise<boolean> {
	const [host, port] = address.split(':');
	return new Promise(resolve => {
		const socket = connect(Number(port), host!, () => {
			socket.end();
			resolve(true);
		});
		socket.setTimeout(1000, () => {
			socket.destroy();
			resolve(false);
		});
		socket.on('error', () => {
			resolve(false);
		});
	});
}

/** Why the cluster cannot be used (`skipped`), else whether this rung started it (`started`). */
async function ensureCluster(): Promise<{skipped?: string; started: boolean}> {
	if ((await Promise.all(clusterBrokers.map(answers))).every(Boolean)) return {started: false};
	if (process.env['BENCH_CLUSTER_START'] === '0') return {skipped: 'the cluster is down and BENCH_CLUSTER_START=0 (npm run cluster:start)', started: false};
	try {
		console.log('cluster rung: starting the three-node cluster (npm run cluster:start)');
		execFileSync('bash', [path.join(root, 'scripts', 'cluster', 'start.sh')], {stdio: ['ignore', 'inherit', 'inherit'], timeout: 180_000});
		return {started: true};
	} catch (error) {
		stopCluster(); // a node or two may be up
		return {skipped: `the cluster could not be started: ${String(error).split('\n')[0]}`, started: false};
	}
}

function stopCluster(): void {
	try {
		execFileSync('bash', [path.join(root, 'scripts', 'cluster', 'stop.sh')], {stdio: ['ignore', 'ignore', 'inherit'], timeout: 120_000});
	} catch (error) {
		console.log(`cluster rung: stopping the cluster failed: ${String(error).split('\n')[0]}`);
	}
}

type Pair = {client: PipelineClient; runner: RunnerProcess};

async function startPair(brokers: string[]): Promise<Pair> {
	const requestTopic = `bench.cluster.${randomBytes(4).toString('hex')}`;
	const runner = await RunnerProcess.start({pipelines: [path.join(here, 'pipelines.py')], requestTopic, group: `${requestTopic}.runners`, brokers, startTimeoutMs: 120_000});
	const client = await PipelineClient.connect({requestTopic, brokers, connectTimeoutMs: 30_000});
	await client.invoke('noop', {}, {timeoutMs: 60_000});
	return {client, runner};
}

async function measure({client}: Pair, cfg: ClusterConfig): Promise<Round> {
	const lat: number[] = [];
	for (let i = 0; i < cfg.latCalls; i++) {
		const t = performance.now();
		await client.invoke('noop', {}, {timeoutMs: 30_000});
		lat.push(performance.now() - t);
	}

	lat.sort((a, b) => a - b);
	let done = 0;
	const end = performance.now() + cfg.seconds * 1000;
	const began = performance.now();
	await Promise.all(Array.from({length: cfg.concurrency}, async () => {
		while (performance.now() < end) {
			await client.invoke('noop', {}, {timeoutMs: 30_000});
			done++;
		}
	}));
	return {p50: lat[Math.floor(lat.length * 0.5)]!, p99: lat[Math.min(lat.length - 1, Math.floor(lat.length * 0.99))]!, perSecond: done / ((performance.now() - began) / 1000)};
}

const median = (rounds: Round[]): Round => {
	const mid = (k: keyof Round) => rounds.map(r => r[k]).sort((a, b) => a - b)[Math.floor(rounds.length / 2)]!;
	return {p50: mid('p50'), p99: mid('p99'), perSecond: mid('perSecond')};
};

export async function clusterRung(cfg: ClusterConfig): Promise<ClusterResults> {
	const results: ClusterResults = {config: cfg, targets: {}, errors: []};
	const {skipped, started} = await ensureCluster();
	if (skipped) {
		results.skipped = skipped;
		return results;
	}

	const pairs = new Map<Target, Pair>();
	try {
		pairs.set('single', await startPair(singleBrokers));
		pairs.set('cluster', await startPair(clusterBrokers));
		const rounds = new Map<Target, Round[]>([['single', []], ['cluster', []]]);
		for (let r = 0; r < cfg.rounds; r++) {
			const order: Target[] = r % 2 === 0 ? ['single', 'cluster'] : ['cluster', 'single'];
			for (const target of order) rounds.get(target)!.push(await measure(pairs.get(target)!, cfg));
		}

		for (const [target, list] of rounds) results.targets[target] = {rounds: list, median: median(list)};
	} catch (error) {
		results.errors.push(String(error));
	} finally {
		for (const {client, runner} of pairs.values()) {
			await client.close().catch(() => undefined);
			await runner.stop().catch(() => undefined);
		}

		if (started) stopCluster();
	}

	return results;
}

export function reportCluster(r: ClusterResults): void {
	console.log(`\ncluster (issue 15): no-op, one runner, acks=all on both sides; median of ${r.config.rounds} interleaved round(s); latency c1 × ${r.config.latCalls}, throughput c${r.config.concurrency} × ${r.config.seconds} s`);
	if (r.skipped) {
		console.log(`  skipped: ${r.skipped}`);
		return;
	}

	const single = r.targets.single?.median;
	for (const [target, label] of [['single', 'single broker (1 replica)'], ['cluster', 'three brokers (RF 3, min.insync 2)']] as const) {
		const m = r.targets[target]?.median;
		if (!m) continue;
		const ratio = single ? `${(m.perSecond / single.perSecond).toFixed(2)}× thr, ${(m.p50 / single.p50).toFixed(2)}× p50` : '';
		console.log(`  ${label.padEnd(36)} p50 ${m.p50.toFixed(2).padStart(7)} ms  p99 ${m.p99.toFixed(2).padStart(7)} ms  ${m.perSecond.toFixed(0).padStart(7)} calls/s  ${ratio}`);
	}
}
