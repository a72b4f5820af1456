/**
 * One system in a process of its own, for the measures where the client's CPU must be this system's
 * alone (in the ladder's process every other system's client idles beside it, ~20 ms/s each, which
 * at 100 calls/s would be 0.2 ms "per call" of someone else's fetch loop). Spawned by
 * bench/equal_rates.ts with one JSON argument; prints one `result {...}` line.
 *
 * - `{"mode":"rates","rung":"mlbridge","points":[{"rate":100,"seconds":10,"label":"100"}],"warmup":300}`:
 *   open loop at each rate in turn (bench/open-loop.ts, timer pacing, latency from the intended send
 *   time), with the CPU of this process, the worker(s) and the broker over each point; the latency
 *   histogram comes back encoded, so the parent pools rounds.
 * - `{"mode":"idle","rung":"mlbridge","seconds":10,"settle":3}`: connected, nothing sent; CPU per
 *   second of this process, the worker(s) and the broker.
 *
 * Settings under study (env, bench-only, so that both sides of a knob run from one tree):
 * `BENCH_CLIENT_FETCH_WAIT_MS` / `BENCH_CLIENT_MIN_BYTES` override kafkajs's `maxWaitTimeInMs` /
 * `minBytes` for every consumer this process creates; `BENCH_RUNNER_ARGS` (systems.ts) adds runner flags.
 */
import * as hdr from 'hdr-histogram-js';
import {Kafka} from 'kafkajs';
import {openLoop} from './open-loop.js';
import {peerRungs, stopRedis} from './peers.js';
import {kafkaRungs, type System} from './systems.js';
import {withUsage} from './windows.js';

export type RatePoint = {rate: number; seconds: number; label: string};
export type ChildRequest =
	| {mode: 'rates'; rung: string; points: RatePoint[]; warmup: number}
	| {mode: 'idle'; rung: string; seconds: number; settle: number};
export type PointResult = RatePoint & {
	actual: number; calls: number; errors: number; histogram: string;
	clientCpuMs: number; workerCpuMs: number; brokerCpuMs: number | undefined;
};
export type IdleResult = {seconds: number; clientMsPerS: number; workerMsPerS: number; brokerMsPerS: number | undefined};

const wait = Number(process.env['BENCH_CLIENT_FETCH_WAIT_MS'] ?? Number.NaN);
const minBytes = Number(process.env['BENCH_CLIENT_MIN_BYTES'] ?? Number.NaN);
if (Number.isFinite(wait) || Number.isFinite(minBytes)) {
	type ConsumerFn = (this: Kafka, options: Record<string, unknown>) => unknown;
	const proto = Kafka.prototype as unknown as {consumer: ConsumerFn};
	const original = proto.consumer;
	proto.consumer = function (options) {
		return original.call(this, {
			...options,
			...(Number.isFinite(wait) ? {maxWaitTimeInMs: wait} : {}),
			...(Number.isFinite(minBytes) ? {minBytes} : {}),
		});
	};
}

async function rates(system: System, points: RatePoint[], warmup: number): Promise<PointResult[]> {
	if (warmup > 0) await openLoop(system, 200, warmup / 200);
	const out: PointResult[] = [];
	for (const point of points) {
		const u = await withUsage(system, async () => openLoop(system, point.rate, point.seconds, 'timer', 100, true));
		const r = u.result;
		const histogram = hdr.encodeIntoCompressedBase64(r.histogram!);
		r.histogram!.destroy();
		out.push({
			...point, actual: r.actual, calls: Math.round(point.rate * point.seconds), errors: r.errors, histogram,
			clientCpuMs: u.clientCpuMs, workerCpuMs: u.serverCpuMs, brokerCpuMs: u.brokerCpuMs,
		});
	}

	return out;
}

async function idle(system: System, seconds: number, settle: number): Promise<IdleResult> {
	await system.call(100);
	await new Promise(resolve => setTimeout(resolve, settle * 1000));
	const u = await withUsage(system, async () => new Promise(resolve => setTimeout(resolve, seconds * 1000)));
	return {seconds, clientMsPerS: u.clientCpuMs / seconds, workerMsPerS: u.serverCpuMs / seconds, brokerMsPerS: u.brokerCpuMs === undefined ? undefined : u.brokerCpuMs / seconds};
}

const request = JSON.parse(process.argv[2] ?? '{}') as ChildRequest;
const rung = [...kafkaRungs, ...peerRungs].find(r => r.name === request.rung);
if (rung === undefined) throw new Error(`no rung ${request.rung}`);
const system = await rung.start();
try {
	const result = request.mode === 'rates' ? await rates(system, request.points, request.warmup) : await idle(system, request.seconds, request.settle);
	console.log(`result ${JSON.stringify(result)}`);
} finally {
	await system.stop();
	await stopRedis();
}
