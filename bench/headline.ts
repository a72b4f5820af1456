/**
 * The headline (issue 19): mlbridge against the floor in windows long enough and rounds enough that
 * the ratio is steady. Each round runs, for both systems back to back (order alternating, so the
 * machine's slow drift falls on both): a closed-loop throughput window of `thrCalls` calls at 256 in
 * flight (after a short warm-up at that concurrency) with the CPU of client, worker and broker over
 * it, then `latCalls` calls at concurrency 1. A round's ratios pair its two windows; the headline is
 * the median of the rounds' ratios, and its spread the half-width of a ~95% confidence interval of
 * that median (order statistics, no assumption about the noise), in percent of it. Latency
 * percentiles are also pooled over all rounds (`latCalls` × rounds calls per system).
 * bench/README.md ("Steady windows") has how the window and the round count were chosen.
 */
import {histogram, type Histogram, median} from './stats.js';
import type {System} from './systems.js';
import {drive, latencyInto, percentiles, withUsage} from './windows.js';

export type HeadlineConfig = {rounds: number; thrCalls: number; thrWarmup: number; concurrency: number; latCalls: number; latWarmup: number};

export function headlineConfig(smoke: boolean): HeadlineConfig {
	const env = (name: string, full: number, smokeValue: number) => Number(process.env[name] ?? (smoke ? smokeValue : full));
	return {
		rounds: env('BENCH_HEAD_ROUNDS', 12, 2),
		thrCalls: env('BENCH_HEAD_CALLS', 30_000, 1000),
		thrWarmup: env('BENCH_HEAD_WARMUP', 2000, 200),
		concurrency: 256,
		latCalls: env('BENCH_HEAD_LAT_CALLS', 1500, 100),
		latWarmup: env('BENCH_HEAD_LAT_WARMUP', 100, 20),
	};
}

export type HeadlineRound = Record<'floor' | 'mlbridge', {
	perSecond: number; seconds: number; p50: number; p99: number;
	cpu: {client: number; worker: number; broker: number | undefined};
}>;
export type Ratio = {median: number; low: number; high: number; spreadPct: number; rounds: number[]};
export type HeadlineResults = {
	config: HeadlineConfig; rounds: HeadlineRound[];
	/** Per system, pooled over rounds (ms) and the median throughput and CPU (µs per call). */
	systems: Record<'floor' | 'mlbridge', {perSecond: number; p50: number; p90: number; p99: number; p999: number; max: number; count: number; cpu: {client: number; worker: number; broker: number | undefined}}>;
	ratios: {throughput: Ratio; p50: Ratio; p99: Ratio; cpu: Ratio; pooledP50: number; pooledP99: number};
};

/**
 * ~95% distribution-free confidence interval of the median of `xs`: the order statistics at
 * n/2 ∓ 0.98·√n (the normal approximation of the binomial), clamped to the sample.
 */
export function medianInterval(xs: number[]): Ratio {
	const s = [...xs].sort((a, b) => a - b);
	const n = s.length;
	const m = median(s);
	const k = Math.floor(n / 2 - 0.98 * Math.sqrt(n));
	const low = s[Math.max(0, k)]!;
	const high = s[Math.min(n - 1, n - 1 - Math.max(0, k))]!;
	return {median: m, low, high, spreadPct: m === 0 ? 0 : ((high - low) / 2 / m) * 100, rounds: xs};
}

export async function headline(systems: Record<'floor' | 'mlbridge', System>, cfg: HeadlineConfig, log = console.log): Promise<HeadlineResults> {
	const names = ['floor', 'mlbridge'] as const;
	const pooled: Record<string, Histogram> = {floor: histogram(), mlbridge: histogram()};
	const rounds: HeadlineRound[] = [];
	try {
		for (let round = 0; round < cfg.rounds; round++) {
			const order = round % 2 === 0 ? names : [...names].reverse();
			const r = {} as HeadlineRound;
			for (const name of order) {
				const system = systems[name];
				await drive(system, cfg.thrWarmup, cfg.concurrency);
				const u = await withUsage(system, async () => drive(system, cfg.thrCalls, cfg.concurrency));
				const calls = u.result.calls;
				const h = histogram();
				await latencyInto(h, system, cfg.latCalls, 100, cfg.latWarmup);
				pooled[name]!.add(h);
				const p = percentiles(h);
				h.destroy();
				r[name] = {
					perSecond: u.result.perSecond, seconds: u.result.seconds, p50: p.p50, p99: p.p99,
					cpu: {client: (u.clientCpuMs * 1000) / calls, worker: (u.serverCpuMs * 1000) / calls, broker: u.brokerCpuMs === undefined ? undefined : (u.brokerCpuMs * 1000) / calls},
				};
			}

			rounds.push(r);
			log(`headline ${round + 1}/${cfg.rounds}: c256 floor ${r.floor.perSecond.toFixed(0)}/s mlbridge ${r.mlbridge.perSecond.toFixed(0)}/s → ${(r.mlbridge.perSecond / r.floor.perSecond).toFixed(2)}×; c1 p50 ${r.floor.p50.toFixed(2)} / ${r.mlbridge.p50.toFixed(2)} ms, p99 ${r.floor.p99.toFixed(2)} / ${r.mlbridge.p99.toFixed(2)} ms`);
		}

		const sum = (c: HeadlineRound['floor']['cpu']) => (c.broker === undefined ? undefined : c.client + c.worker + c.broker);
		const ratio = (f: (x: HeadlineRound['floor']) => number | undefined) => medianInterval(rounds.map(r => {
			const a = f(r.mlbridge);
			const b = f(r.floor);
			return a === undefined || b === undefined || b === 0 ? Number.NaN : a / b;
		}).filter(Number.isFinite));
		const system = (name: 'floor' | 'mlbridge') => {
			const med = (f: (x: HeadlineRound['floor']) => number | undefined) => {
				const xs = rounds.map(r => f(r[name])).filter((x): x is number => x !== undefined);
				return xs.length === 0 ? undefined : median(xs);
			};

			return {
				perSecond: med(x => x.perSecond)!, ...percentiles(pooled[name]!),
				cpu: {client: med(x => x.cpu.client)!, worker: med(x => x.cpu.worker)!, broker: med(x => x.cpu.broker)},
			};
		};

		const out = {floor: system('floor'), mlbridge: system('mlbridge')};
		return {
			config: cfg, rounds, systems: out,
			ratios: {
				throughput: ratio(x => x.perSecond), p50: ratio(x => x.p50), p99: ratio(x => x.p99), cpu: ratio(x => sum(x.cpu)),
				pooledP50: out.mlbridge.p50 / out.floor.p50, pooledP99: out.mlbridge.p99 / out.floor.p99,
			},
		};
	} finally {
		for (const h of Object.values(pooled)) h.destroy();
	}
}

export function reportHeadline(r: HeadlineResults): void {
	const c = r.config;
	console.log(`\nheadline: mlbridge against the floor, ${c.rounds} interleaved rounds; throughput = ${c.thrCalls} calls at ${c.concurrency} in flight per window, 100 B; latency = ${c.latCalls} calls at concurrency 1 per round (pooled: ${r.systems.floor.count} per system)`);
	for (const name of ['floor', 'mlbridge'] as const) {
		const s = r.systems[name];
		console.log(`  ${name.padEnd(9)} ${s.perSecond.toFixed(0).padStart(6)} calls/s   p50 ${s.p50.toFixed(2)} p90 ${s.p90.toFixed(2)} p99 ${s.p99.toFixed(2)} p99.9 ${s.p999.toFixed(2)} max ${s.max.toFixed(1)} ms   CPU µs/call client ${s.cpu.client.toFixed(0)} worker ${s.cpu.worker.toFixed(0)} broker ${s.cpu.broker?.toFixed(0) ?? '—'}`);
	}
}
