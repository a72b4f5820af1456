/**
 * The ladder's per-rung measures (every system, interleaved rounds: bench/run.ts), the pending-calls
 * test and connect → first invoke. The headline ratios come from bench/headline.ts, not from here:
 * these windows are short (every rung, every size) and describe; they do not decide.
 */
import {randomBytes} from 'node:crypto';
import path from 'node:path';
import {PipelineClient, RunnerProcess} from '../dist/src/index.js';
import {histogram, type Sample} from './stats.js';
import {here, type Rung, type System} from './systems.js';
import {latency, withUsage} from './windows.js';

export type LadderConfig = {rounds: number; latCalls: number; workLatCalls: number; warmup: number; thrSeconds: number; pending: number};

export function ladderConfig(smoke: boolean): LadderConfig {
	const env = (name: string, full: number, smokeValue: number) => Number(process.env[name] ?? (smoke ? smokeValue : full));
	return {
		rounds: env('BENCH_ROUNDS', 3, 1),
		latCalls: env('BENCH_LAT_CALLS', 1500, 300),
		workLatCalls: env('BENCH_WORK_LAT_CALLS', 500, 100),
		warmup: env('BENCH_WARMUP', 200, 50),
		thrSeconds: env('BENCH_THR_SECONDS', 1, 0.5),
		pending: env('BENCH_PENDING', 100_000, 2000),
	};
}

export const concurrencies = [1, 16, 256];
const LABEL: Record<number, string> = {100: '100B', 10240: '10KB', 512000: '500KB'};

/** Closed loop: `conc` workers calling back to back for `seconds`; calls per second. */
async function throughput(system: System, conc: number, size: number, seconds: number) {
	// A short warm-up at this concurrency, so connection set-up and JIT are not counted.
	const warmEnd = performance.now() + Math.min(300, seconds * 200);
	await Promise.all(Array.from({length: conc}, async () => {
		while (performance.now() < warmEnd) await system.call(size);
	}));
	let done = 0;
	const start = performance.now();
	const end = start + seconds * 1000;
	await Promise.all(Array.from({length: conc}, async () => {
		while (performance.now() < end) {
			await system.call(size);
			done++;
		}
	}));
	return {calls: done, perSecond: done / ((performance.now() - start) / 1000)};
}

export async function measureRung(rung: Rung, system: System, cfg: LadderConfig): Promise<Sample> {
	const s: Sample = {};
	const work = rung.name.includes('work_');
	const lat = await withUsage(system, async () => latency(system, work ? cfg.workLatCalls : cfg.latCalls, rung.payloads ? 100 : 0, cfg.warmup));
	for (const [k, v] of Object.entries(lat.result)) s[`lat.${k}`] = v;
	for (const conc of concurrencies) {
		const t = await withUsage(system, async () => throughput(system, conc, rung.payloads ? 100 : 0, cfg.thrSeconds));
		s[`thr.c${conc}`] = t.result.perSecond;
		if (conc === 256) {
			s['cpu.client.msPerCall'] = t.clientCpuMs / t.result.calls;
			s['cpu.server.msPerCall'] = t.serverCpuMs / t.result.calls;
			if (t.brokerCpuMs !== undefined) {
				s['cpu.broker.msPerCall'] = t.brokerCpuMs / t.result.calls;
				s['cpu.total.msPerCall'] = (t.clientCpuMs + t.serverCpuMs + t.brokerCpuMs) / t.result.calls;
			}

			s['rss.client.mb'] = t.clientRssMb;
			s['rss.server.mb'] = t.serverRssMb;
		}
	}

	if (rung.payloads) {
		// 500 KB also at concurrency 16: the transport caps each record batch below the broker's
		// max.message.bytes, so concurrent 500 KB requests go out as separate batches.
		for (const [size, conc] of [[10_240, 16], [512_000, 1], [512_000, 16]] as const) {
			const t = await throughput(system, conc, size, cfg.thrSeconds);
			s[`thr.c${conc}.${LABEL[size]}`] = t.perSecond;
		}
	}

	return s;
}

export type PendingResult = Awaited<ReturnType<typeof pendingTest>>;

/** Calls sent while no runner listens stay pending in the client; then a runner answers them all. */
export async function pendingTest(n: number) {
	const requestTopic = `bench.pending.${randomBytes(4).toString('hex')}`;
	const gc = (globalThis as {gc?: () => void}).gc;
	const client = await PipelineClient.connect({requestTopic});
	const timersBefore = process.getActiveResourcesInfo().filter(r => r === 'Timeout').length;
	gc?.();
	const before = process.memoryUsage();
	const h = histogram();
	let errors = 0;
	const t0 = performance.now();
	const calls: Array<Promise<void>> = [];
	for (let i = 0; i < n; i++) {
		const t = performance.now();
		calls.push(client.invoke('noop', {}, {timeoutMs: 300_000}).then(() => h.recordValue(Math.max(1, (performance.now() - t) * 1000)), () => void errors++));
	}

	const issueMs = performance.now() - t0;
	await new Promise(resolve => setTimeout(resolve, 500));
	gc?.();
	const after = process.memoryUsage();
	const timersDuring = process.getActiveResourcesInfo().filter(r => r === 'Timeout').length;
	const tRunner = performance.now();
	const runner = await RunnerProcess.start({pipelines: [path.join(here, 'pipelines.py')], requestTopic, group: `${requestTopic}.runners`});
	await Promise.all(calls);
	const drainMs = performance.now() - tRunner;
	await client.close();
	await runner.stop();
	const out = {
		calls: n, errors, issueMs, drainMs, drainPerSecond: n / (drainMs / 1000),
		heapBytesPerCall: (after.heapUsed - before.heapUsed) / n, rssBytesPerCall: (after.rss - before.rss) / n,
		timersBefore, timersDuring, gcExposed: gc !== undefined,
		latP50ms: h.getValueAtPercentile(50) / 1000, latP99ms: h.getValueAtPercentile(99) / 1000, latMaxMs: h.maxValue / 1000,
	};
	h.destroy();
	return out;
}

export async function connectToFirstInvoke() {
	const requestTopic = `bench.connect.${randomBytes(4).toString('hex')}`;
	const runner = await RunnerProcess.start({pipelines: [path.join(here, 'pipelines.py')], requestTopic, group: `${requestTopic}.runners`});
	try {
		const t0 = performance.now();
		const client = await PipelineClient.connect({requestTopic});
		const t1 = performance.now();
		await client.invoke('noop', {});
		const t2 = performance.now();
		await client.close();
		return {connectMs: t1 - t0, connectToFirstInvokeMs: t2 - t0};
	} finally {
		await runner.stop();
	}
}
