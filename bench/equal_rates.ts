/**
 * Latency at equal rates (issue 19): every system at the same fixed rates, open loop, latency from each
 * call's intended send time, and CPU per call of client, worker and broker; plus the cost of doing
 * nothing (an idle client and runner, and the broker they load). Each (round, system) runs in a
 * process of its own (bench/rate_child.ts), so the client CPU is that system's alone.
 *
 * A peer whose best closed-loop throughput in this run is below a rate is measured once instead at
 * 90% of that throughput (the `max` point) and not above (`saturation` holds the peers only).
 */
import {spawn} from 'node:child_process';
import path from 'node:path';
import * as hdr from 'hdr-histogram-js';
import type {ChildRequest, IdleResult, PointResult, RatePoint} from './rate_child.js';
import {fmt, halfRangePct, median, printTable} from './stats.js';
import {cpuMs, here, kafkaBrokerPids, root} from './systems.js';

const envList = (name: string, fallback: string) => (process.env[name] ?? fallback).split(',').filter(Boolean);
const envNumber = (name: string, full: number, smokeValue: number, smoke: boolean) => Number(process.env[name] ?? (smoke ? smokeValue : full));

export type EqualRatesConfig = {
	rungs: string[]; rates: number[]; rounds: number; minCalls: number; minSeconds: number; maxSeconds: number; warmup: number;
	idleSeconds: number; idleRounds: number; idleSettle: number;
};

export function equalRatesConfig(smoke: boolean, peers: boolean): EqualRatesConfig {
	return {
		rungs: envList('BENCH_EQ_RUNGS', smoke ? 'mlbridge' : peers ? 'floor,mlbridge,bullmq,celery' : 'floor,mlbridge'),
		rates: envList('BENCH_EQ_RATES', smoke ? '100,1000' : '100,300,1000,3000').map(Number),
		rounds: envNumber('BENCH_EQ_ROUNDS', 2, 1, smoke),
		minCalls: envNumber('BENCH_EQ_CALLS', 1000, 50, smoke),
		minSeconds: envNumber('BENCH_EQ_MIN_SECONDS', 2, 0.5, smoke),
		maxSeconds: envNumber('BENCH_EQ_MAX_SECONDS', 10, 1, smoke),
		warmup: envNumber('BENCH_EQ_WARMUP', 300, 50, smoke),
		idleSeconds: envNumber('BENCH_IDLE_SECONDS', 8, 1, smoke),
		idleRounds: envNumber('BENCH_IDLE_ROUNDS', 2, 1, smoke),
		idleSettle: smoke ? 0.5 : 3,
	};
}

export type EqualRatePoint = {
	label: string; rate: number; actual: number; calls: number; errors: number; rounds: number;
	/** Pooled over rounds, ms from the intended send time. */
	p50: number; p90: number; p99: number; max: number;
	p50Rounds: number[]; p99Rounds: number[];
	/** µs of CPU per call, median over rounds; `clientIdle` etc. are not subtracted. */
	cpu: {client: number; worker: number; broker: number | undefined; sum: number | undefined};
};
export type IdleCost = {
	rounds: number; seconds: number;
	/** ms of CPU per second: the connected client, its idle runner, the broker with them (minus `brokerBase`). */
	client: number; runner: number; broker: number; brokerBase: number;
	perRound: Array<IdleResult & {brokerBaseMsPerS: number}>;
};
export type EqualRatesResults = {config: EqualRatesConfig; saturation: Record<string, number>; systems: Record<string, EqualRatePoint[]>; idle?: IdleCost; errors: string[]};

/** Run one child; resolves with what it printed after `result `. */
export async function runChild<T>(request: ChildRequest, env: Record<string, string> = {}): Promise<T> {
	const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'rate_child.ts'), JSON.stringify(request)], {cwd: root, env: {...process.env, ...env}, stdio: ['ignore', 'pipe', 'pipe']});
	let out = '';
	let err = '';
	child.stdout.on('data', (d: Buffer) => void (out += d.toString()));
	child.stderr.on('data', (d: Buffer) => void (err = (err + d.toString()).slice(-2000)));
	const code = await new Promise<number | null>(resolve => child.once('exit', resolve));
	const line = out.split('\n').find(l => l.startsWith('result '));
	if (line === undefined) throw new Error(`${request.mode} ${request.rung}: exit ${code}: ${err.trim()}`);
	return JSON.parse(line.slice('result '.length)) as T;
}

export function pointsFor(cfg: EqualRatesConfig, saturation: number | undefined): RatePoint[] {
	const seconds = (rate: number) => Math.min(cfg.maxSeconds, Math.max(cfg.minSeconds, cfg.minCalls / rate));
	const points: RatePoint[] = [];
	for (const rate of cfg.rates) {
		if (saturation === undefined || rate <= 0.9 * saturation) {
			points.push({rate, seconds: seconds(rate), label: String(rate)});
			continue;
		}

		const max = Math.max(1, Math.round(0.9 * saturation));
		if (!points.some(p => p.rate >= max)) points.push({rate: max, seconds: seconds(max), label: 'max'});
		break;
	}

	return points;
}

export async function equalRates(cfg: EqualRatesConfig, saturation: Map<string, number>, log = console.log): Promise<EqualRatesResults> {
	const errors: string[] = [];
	const got = new Map<string, PointResult[][]>();
	for (let round = 0; round < cfg.rounds; round++) {
		for (const [i] of cfg.rungs.entries()) {
			const rung = cfg.rungs[(i + round) % cfg.rungs.length]!;
			const points = pointsFor(cfg, saturation.get(rung));
			try {
				const t = performance.now();
				const r = await runChild<PointResult[]>({mode: 'rates', rung, points, warmup: cfg.warmup});
				(got.get(rung) ?? got.set(rung, []).get(rung)!).push(r);
				log(`equal rates ${round + 1}/${cfg.rounds} ${rung.padEnd(9)} ${r.map(p => `${p.label === 'max' ? `max ${p.rate}` : p.rate}/s → p50 ${fmt(decodeP(p.histogram, 50))} p99 ${fmt(decodeP(p.histogram, 99))} ms`).join('; ')} (${((performance.now() - t) / 1000).toFixed(0)} s)`);
			} catch (error) {
				errors.push(`equal rates ${rung} round ${round + 1}: ${String(error)}`);
				log(`✗ equal rates ${rung} round ${round + 1}: ${String(error)}`);
			}
		}
	}

	const systems: Record<string, EqualRatePoint[]> = {};
	for (const [rung, rounds] of got) {
		const labels = [...new Set(rounds.flat().map(p => p.label))];
		systems[rung] = labels.map(label => summarisePoint(label, rounds.map(r => r.find(p => p.label === label)).filter((p): p is PointResult => p !== undefined)));
	}

	return {config: cfg, saturation: Object.fromEntries(saturation), systems, errors};
}

function decodeP(encoded: string, q: number): number {
	const h = hdr.decodeFromCompressedBase64(encoded);
	const v = h.getValueAtPercentile(q) / 1000;
	h.destroy();
	return v;
}

function summarisePoint(label: string, rounds: PointResult[]): EqualRatePoint {
	const pooled = hdr.build({lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: 3});
	for (const r of rounds) {
		const h = hdr.decodeFromCompressedBase64(r.histogram);
		pooled.add(h);
		h.destroy();
	}

	const perCall = (f: (r: PointResult) => number | undefined) => {
		const xs = rounds.map(r => {
			const v = f(r);
			return v === undefined ? undefined : (v * 1000) / r.calls;
		}).filter((x): x is number => x !== undefined);
		return xs.length === 0 ? undefined : median(xs);
	};

	const client = perCall(r => r.clientCpuMs)!;
	const worker = perCall(r => r.workerCpuMs)!;
	const broker = perCall(r => r.brokerCpuMs);
	const out: EqualRatePoint = {
		label, rate: rounds[0]!.rate, actual: median(rounds.map(r => r.actual)), calls: rounds.reduce((n, r) => n + r.calls, 0),
		errors: rounds.reduce((n, r) => n + r.errors, 0), rounds: rounds.length,
		p50: pooled.getValueAtPercentile(50) / 1000, p90: pooled.getValueAtPercentile(90) / 1000, p99: pooled.getValueAtPercentile(99) / 1000, max: pooled.maxValue / 1000,
		p50Rounds: rounds.map(r => decodeP(r.histogram, 50)), p99Rounds: rounds.map(r => decodeP(r.histogram, 99)),
		cpu: {client, worker, broker, sum: broker === undefined ? undefined : client + worker + broker},
	};
	pooled.destroy();
	return out;
}

/**
 * CPU per second of doing nothing: the broker alone first (what the rest of the machine makes it do),
 * then a connected mlbridge client and its runner, idle, in a process of their own; the broker's
 * figure is the difference. Rounds alternate the two, so drift in the broker's other load falls on both.
 */
export async function idleCost(cfg: EqualRatesConfig, env: Record<string, string> = {}, log = console.log): Promise<IdleCost> {
	const perRound: IdleCost['perRound'] = [];
	for (let round = 0; round < cfg.idleRounds; round++) {
		const pids = kafkaBrokerPids();
		const b0 = cpuMs(pids);
		await new Promise(resolve => setTimeout(resolve, cfg.idleSeconds * 1000));
		const brokerBaseMsPerS = (cpuMs(pids) - b0) / cfg.idleSeconds;
		const r = await runChild<IdleResult>({mode: 'idle', rung: 'mlbridge', seconds: cfg.idleSeconds, settle: cfg.idleSettle}, env);
		perRound.push({...r, brokerBaseMsPerS});
		log(`idle ${round + 1}/${cfg.idleRounds}: client ${fmt(r.clientMsPerS, 1)} ms/s, runner ${fmt(r.workerMsPerS, 1)} ms/s, broker ${fmt(r.brokerMsPerS, 1)} ms/s (alone ${fmt(brokerBaseMsPerS, 1)})`);
	}

	const m = (f: (r: IdleCost['perRound'][number]) => number) => median(perRound.map(f));
	return {
		rounds: cfg.idleRounds, seconds: cfg.idleSeconds,
		client: m(r => r.clientMsPerS), runner: m(r => r.workerMsPerS), broker: m(r => (r.brokerMsPerS ?? 0) - r.brokerBaseMsPerS), brokerBase: m(r => r.brokerBaseMsPerS),
		perRound,
	};
}

export function reportEqualRates(r: EqualRatesResults): void {
	console.log('\nequal rates: 100 B calls sent open loop at the same rates for every system (max = 90% of its best closed-loop throughput here, where that is lower);');
	console.log('latency from each call\'s intended send time, pooled over rounds (p50 per round in brackets); CPU µs per call, median over rounds, each system\'s client in a process of its own');
	const rows = [['system', 'rate/s', 'sent/s', 'calls', 'p50 ms', 'p99 ms', 'max ms', 'p50 per round', 'client µs', 'worker µs', 'broker µs', 'sum µs', 'errors']];
	for (const [name, points] of Object.entries(r.systems)) {
		for (const p of points) {
			rows.push([
				name, p.label === 'max' ? `max ${p.rate}` : String(p.rate), fmt(p.actual, 0), String(p.calls), fmt(p.p50), fmt(p.p99), fmt(p.max, 1),
				`${p.p50Rounds.map(x => fmt(x, 1)).join(' ')} ±${halfRangePct(p.p50Rounds).toFixed(0)}%`,
				fmt(p.cpu.client, 0), fmt(p.cpu.worker, 0), fmt(p.cpu.broker, 0), fmt(p.cpu.sum, 0), String(p.errors),
			]);
		}
	}

	printTable(rows);
	if (r.idle) {
		const i = r.idle;
		console.log(`\nidle (connected, nothing sent; median of ${i.rounds} × ${i.seconds} s): client ${fmt(i.client, 1)} ms CPU/s, runner ${fmt(i.runner, 1)} ms/s, broker +${fmt(i.broker, 1)} ms/s over its ${fmt(i.brokerBase, 1)} ms/s without them`);
	}
}
