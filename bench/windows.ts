/**
 * Measurement windows shared by the bench: closed-loop throughput by calls (with a time cap, for the
 * slow peers), closed-loop latency at concurrency 1, and CPU of client, worker and broker around a
 * window (/proc, 10 ms ticks).
 */
import {readFileSync} from 'node:fs';
import {histogram, type Histogram} from './stats.js';
import type {System} from './systems.js';

/**
 * Closed loop: `conc` callers back to back until `calls` calls are done or `maxSeconds` have
 * passed, whichever comes first. Calls per second over the calls done.
 */
export async function drive(system: System, calls: number, conc: number, size = 100, maxSeconds = Number.POSITIVE_INFINITY) {
	let left = calls;
	let done = 0;
	const start = performance.now();
	const end = start + maxSeconds * 1000;
	await Promise.all(Array.from({length: Math.min(conc, calls)}, async () => {
		while (left > 0 && performance.now() < end) {
			left--;
			await system.call(size);
			done++;
		}
	}));
	const seconds = (performance.now() - start) / 1000;
	return {calls: done, seconds, perSecond: done / seconds};
}

/** Closed loop at concurrency 1: `calls` timed calls after `warmup`, into `h` (µs). */
export async function latencyInto(h: Histogram, system: System, calls: number, size: number, warmup: number): Promise<Histogram> {
	for (let i = 0; i < warmup; i++) await system.call(size);
	for (let i = 0; i < calls; i++) {
		const t = process.hrtime.bigint();
		await system.call(size);
		h.recordValue(Number(process.hrtime.bigint() - t) / 1000);
	}

	return h;
}

export function percentiles(h: Histogram) {
	const ms = (us: number) => us / 1000;
	return {
		p50: ms(h.getValueAtPercentile(50)), p90: ms(h.getValueAtPercentile(90)), p99: ms(h.getValueAtPercentile(99)),
		p999: ms(h.getValueAtPercentile(99.9)), max: ms(h.maxValue), count: h.totalCount,
	};
}

export async function latency(system: System, calls: number, size: number, warmup: number) {
	const h = await latencyInto(histogram(), system, calls, size, warmup);
	const out = percentiles(h);
	h.destroy();
	return out;
}

export function procStat(pid: number): {cpuMs: number; rssMb: number} | undefined {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		const cpuMs = ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // CLK_TCK 100
		const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
		return {cpuMs, rssMb: rssKb / 1024};
	} catch {
		return undefined;
	}
}

/** CPU ms and RSS of `pids` between two readings (undefined when none could be read). */
function usageBetween(before: Array<ReturnType<typeof procStat>>, after: Array<ReturnType<typeof procStat>>) {
	let cpuMs = 0;
	let rssMb = 0;
	let seen = 0;
	for (const [i, a] of before.entries()) {
		const b = after[i];
		if (a !== undefined && b !== undefined) {
			cpuMs += b.cpuMs - a.cpuMs;
			rssMb += b.rssMb;
			seen++;
		}
	}

	return seen === 0 ? undefined : {cpuMs, rssMb};
}

export type Usage = {clientCpuMs: number; serverCpuMs: number; brokerCpuMs: number | undefined; clientRssMb: number; serverRssMb: number};

/**
 * CPU ms used over `fn` by this process (the client), the system's worker processes (runner, echo,
 * Python worker) and its broker (the Kafka JVM, or redis-server for the peers); RSS at the end.
 */
export async function withUsage<T>(system: Pick<System, 'serverPids' | 'brokerPids'>, fn: () => Promise<T>): Promise<{result: T} & Usage> {
	const workers = system.serverPids();
	const brokers = system.brokerPids();
	const c0 = process.cpuUsage();
	const w0 = workers.map(procStat);
	const b0 = brokers.map(procStat);
	const result = await fn();
	const c1 = process.cpuUsage(c0);
	const worker = usageBetween(w0, workers.map(procStat));
	const broker = usageBetween(b0, brokers.map(procStat));
	return {
		result, clientCpuMs: (c1.user + c1.system) / 1000, serverCpuMs: worker?.cpuMs ?? 0, brokerCpuMs: broker?.cpuMs,
		clientRssMb: process.memoryUsage().rss / 2 ** 20, serverRssMb: worker?.rssMb ?? 0,
	};
}
