/**
 * `npm run bench` — in this order:
 * 1. idle cost (bench/equal_rates.ts): an idle client and runner, and the broker they load, before
 *    anything else of the bench connects;
 * 2. the ladder (bench/ladder.ts): floor (raw Kafka echo) → +avro → mlbridge (noop, work_1ms,
 *    work_10ms) → peers (BullMQ, Celery on a local redis-server), interleaved rounds;
 * 3. the headline (bench/headline.ts): mlbridge against the floor, paired windows, many rounds;
 * 4. equal rates (bench/equal_rates.ts): every system open loop at the same rates, each in a process
 *    of its own;
 * 5. pending calls and connect → first invoke, then the jobs, Java, observability, data and cluster
 *    rungs (bench/jobs.ts, java_rung.ts, observability.ts, data.ts, cluster.ts, their BENCH_* knobs).
 * Writes bench/results/<date>-bench-<commit>.{json,png} (and latest.{json,png}) with the date, the
 * commit and the machine; `npm run bench:tables -- FILE` puts its tables into README.md.
 *
 * Knobs (env; `--smoke` lowers them all): ladder BENCH_ROUNDS=3 BENCH_LAT_CALLS=1500
 * BENCH_WORK_LAT_CALLS=500 BENCH_WARMUP=200 BENCH_THR_SECONDS=1 BENCH_PENDING=100000; headline
 * BENCH_HEAD_ROUNDS=12 BENCH_HEAD_CALLS=30000 BENCH_HEAD_LAT_CALLS=1500; equal rates
 * BENCH_EQ_RATES=100,300,1000,3000 BENCH_EQ_ROUNDS=2 BENCH_EQ_CALLS=1000 BENCH_EQ_RUNGS; idle
 * BENCH_IDLE_SECONDS=8 BENCH_IDLE_ROUNDS=2; BENCH_PEERS=1 BENCH_CHART=1; BENCH_RUNGS=floor,mlbridge,...
 * runs only the named rungs and phases (`idle`, `equal`, `jobs`, `java`, `observability`, `data`,
 * `cluster`; the headline runs whenever floor and mlbridge both do).
 * --smoke: a few hundred calls per rung, no peers, no chart; exit 1 only if something fails.
 */
import {execFileSync} from 'node:child_process';
import {copyFileSync, existsSync, mkdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {clusterConfig, clusterRung} from './cluster.js';
import {dataConfig, dataRung} from './data.js';
import {equalRates, equalRatesConfig, idleCost, type IdleCost} from './equal_rates.js';
import {headline, headlineConfig, type HeadlineResults} from './headline.js';
import {javaConfig, javaRung} from './java_rung.js';
import {jobsConfig, jobsRung} from './jobs.js';
import {concurrencies, connectToFirstInvoke, ladderConfig, measureRung, pendingTest, type PendingResult} from './ladder.js';
import {observabilityConfig, observabilityRung} from './observability.js';
import {peerRungs, stopRedis} from './peers.js';
import {describe, provenanceEnd, provenanceStart, resultName} from './provenance.js';
import {report, type Results} from './report.js';
import {fmt, type Sample, summarise} from './stats.js';
import {benchPython, experimentRungs, here, kafkaRungs, root, type System} from './systems.js';

const smoke = process.argv.includes('--smoke');

// A peer's client library can leave promises behind when a failed rung is stopped (celery-node's
// result polls reject with CONNECTION_CLOSED once its Redis client disconnects). Log them and go on:
// dying here would lose the other rungs' figures and leave the rungs' worker processes running.
process.on('unhandledRejection', reason => {
	console.error(`unhandled rejection after a failed rung (ignored): ${String(reason)}`);
});
const env = (name: string, full: number, smokeValue: number) => Number(process.env[name] ?? (smoke ? smokeValue : full));
const ladder = ladderConfig(smoke);
const head = headlineConfig(smoke);
const peers = env('BENCH_PEERS', 1, 0) === 1;
const chart = env('BENCH_CHART', 1, 0) === 1;
const eq = equalRatesConfig(smoke, peers);
const selected = process.env['BENCH_RUNGS']?.split(',');
const runs = (phase: string) => !selected || selected.includes(phase);

/** Seconds each phase took (in the result file: where the run's time went). */
const phaseSeconds: Record<string, number> = {};

/** Runs a phase; a failure is recorded and the run goes on. */
async function phase<T>(name: string, failures: string[], fn: () => Promise<T & {errors?: string[]}>): Promise<T | undefined> {
	const t = performance.now();
	try {
		const out = await fn();
		failures.push(...(out.errors ?? []).map(e => `${name}: ${e}`));
		return out;
	} catch (error) {
		failures.push(`${name}: ${String(error)}`);
		console.error(`✗ ${name}: ${String(error)}`);
		return undefined;
	} finally {
		phaseSeconds[name] = (performance.now() - t) / 1000;
	}
}

async function main() {
	let rungs = [...kafkaRungs, ...(peers ? peerRungs : [])];
	if (selected) rungs = [...kafkaRungs, ...peerRungs, ...experimentRungs].filter(r => selected.includes(r.name));
	let provenance = provenanceStart();
	console.log(`mlbridge bench ${smoke ? '(smoke) ' : ''}— ${describe(provenance)}`);
	console.log(`config ${JSON.stringify({ladder, headline: head, equalRates: eq, peers, chart})}`);
	const started = performance.now();
	const failures: string[] = [];

	// 1. Idle cost, while nothing else of the bench is connected to the broker.
	let idle: IdleCost | undefined;
	if (runs('idle')) idle = await phase('idle', failures, async () => idleCost(eq));

	// 2. The ladder.
	const systems = new Map<string, System>();
	for (const rung of rungs) {
		try {
			systems.set(rung.name, await rung.start());
		} catch (error) {
			failures.push(`${rung.name}: start failed: ${String(error)}`);
			console.error(`✗ ${rung.name} failed to start: ${String(error)}`);
		}
	}

	const samples = new Map<string, Sample[]>();
	const live = () => rungs.filter(r => systems.has(r.name));
	const ladderStarted = performance.now();
	let headlineResults: HeadlineResults | undefined;
	try {
		for (let round = 0; round < ladder.rounds; round++) {
			// Interleaved: each round visits every rung, in a rotated order.
			for (const rung of live().map((_, i, a) => a[(i + round) % a.length]!)) {
				const system = systems.get(rung.name)!;
				const t = performance.now();
				try {
					const s = await measureRung(rung, system, ladder);
					(samples.get(rung.name) ?? samples.set(rung.name, []).get(rung.name)!).push(s);
					console.log(`round ${round + 1}/${ladder.rounds} ${rung.name.padEnd(20)} p50 ${fmt(s['lat.p50'])} ms  p99 ${fmt(s['lat.p99'])} ms  c256 ${fmt(s['thr.c256'], 0)}/s  (${((performance.now() - t) / 1000).toFixed(1)} s)`);
				} catch (error) {
					failures.push(`${rung.name}: round ${round + 1}: ${String(error)}`);
					console.error(`✗ ${rung.name} round ${round + 1}: ${String(error)}`);
					systems.delete(rung.name);
					await system.stop().catch(() => undefined);
				}
			}
		}

		phaseSeconds['ladder'] = (performance.now() - ladderStarted) / 1000;
		// 3. The headline, on the ladder's floor and mlbridge systems.
		const floor = systems.get('floor');
		const mlbridge = systems.get('mlbridge');
		if (floor && mlbridge) headlineResults = await phase('headline', failures, async () => headline({floor, mlbridge}, head));
	} finally {
		for (const [name, system] of systems) await system.stop().catch((error: unknown) => console.error(`stop ${name}: ${String(error)}`));
		systems.clear();
		await stopRedis();
	}

	// 4. Equal rates, each system in a process of its own; a peer slower than a rate runs at its own
	// max. Only the peers are capped: one slow ladder round must not cap mlbridge or the floor.
	const saturation = new Map<string, number>();
	for (const [name, s] of samples) {
		if (!peerRungs.some(r => r.name === name)) continue;
		const sum = summarise(s);
		const best = Math.max(...concurrencies.map(c => sum[`thr.c${c}`]?.median ?? 0));
		if (best > 0) saturation.set(name, best);
	}

	const equal = runs('equal') ? await phase('equal rates', failures, async () => equalRates({...eq, rungs: eq.rungs.filter(r => !selected || selected.includes(r) || selected.includes('equal'))}, saturation)) : undefined;
	if (equal && idle) equal.idle = idle;

	// 5. Pending calls, connect, and the rungs of the other issues.
	let pending: PendingResult | undefined;
	const connects: Sample[] = [];
	if (runs('mlbridge')) {
		await phase('mlbridge pending/connect', failures, async () => {
			for (let i = 0; i < (smoke ? 1 : 3); i++) connects.push(await connectToFirstInvoke());
			pending = await pendingTest(ladder.pending);
			return {};
		});
	}

	const jobs = runs('jobs') ? await phase('jobs', failures, async () => jobsRung(jobsConfig(smoke))) : undefined;
	const java = runs('java') ? await phase('java', failures, async () => javaRung(javaConfig(smoke))) : undefined;
	const observability = runs('observability') ? await phase('observability', failures, async () => observabilityRung(observabilityConfig(smoke))) : undefined;
	const data = runs('data') ? await phase('data', failures, async () => dataRung(dataConfig(smoke))) : undefined;
	const cluster = runs('cluster') ? await phase('cluster', failures, async () => clusterRung(clusterConfig(smoke))) : undefined;

	provenance = provenanceEnd(provenance);
	const durationSeconds = (performance.now() - started) / 1000;
	const results: Results & Record<string, unknown> = {
		provenance, when: provenance.when, smoke,
		config: {ladder, headline: head, equalRates: eq, peers, chart},
		machine: provenance.machine,
		rungs: Object.fromEntries([...samples].map(([name, s]) => [name, {summary: summarise(s), rounds: s}])),
		headline: headlineResults, equalRates: equal ?? (idle ? {config: eq, saturation: {}, systems: {}, idle, errors: []} : undefined),
		pending, connect: summarise(connects), jobs, java, observability, data, cluster, failures,
		durationSeconds, phaseSeconds,
	};
	report(results);
	const dir = path.join(here, 'results');
	mkdirSync(dir, {recursive: true});
	const base = smoke ? 'smoke' : resultName(provenance, 'bench');
	const file = path.join(dir, `${base}.json`);
	writeFileSync(file, JSON.stringify(results, null, 2));
	if (!smoke) copyFileSync(file, path.join(dir, 'latest.json'));
	console.log(`\nwrote ${path.relative(root, file)} (${durationSeconds.toFixed(0)} s: ${Object.entries(phaseSeconds).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ')})`);
	if (chart && !smoke) {
		if (existsSync(benchPython)) {
			try {
				const png = path.join(dir, `${base}.png`);
				execFileSync(benchPython, [path.join(here, 'chart.py'), file, png], {stdio: 'inherit'});
				copyFileSync(png, path.join(dir, 'latest.png'));
			} catch (error) {
				console.error(`chart failed: ${String(error)}`);
			}
		} else {
			console.error('no chart: run bench/setup.sh for bench/.venv (matplotlib)');
		}
	}

	if (failures.length > 0) {
		console.error(`\n${failures.length} failure(s):\n  ${failures.join('\n  ')}`);
		process.exitCode = 1;
	}
}

await main();
