/**
 * Both sides of the fetch-wait knobs (issue 19, item 3): what an idle client, an idle runner and the
 * broker with them cost per second, and latency and CPU per call at low rates, for each variant,
 * variants interleaved over rounds. `node --import tsx bench/knobs.ts [ROUNDS] [VARIANT ...]`, a
 * variant being `label:ENV=VALUE;ENV=VALUE` with the env of bench/rate_child.ts and systems.ts, e.g.
 * `runner500:BENCH_RUNNER_ARGS=--fetch-wait-max-ms 500` or `client1000:BENCH_CLIENT_FETCH_WAIT_MS=1000`;
 * the default list compares the shipped settings with longer waits on either side.
 */
import {runChild} from './equal_rates.js';
import type {IdleResult, PointResult} from './rate_child.js';
import {fmt, median, printTable} from './stats.js';
import {cpuMs, kafkaBrokerPids} from './systems.js';
import * as hdr from 'hdr-histogram-js';

const [roundsArg = '2', ...variantArgs] = process.argv.slice(2);
const variants = (variantArgs.length > 0 ? variantArgs : [
	'shipped:',
	'runner100:BENCH_RUNNER_ARGS=--fetch-wait-max-ms 100',
	'runner500:BENCH_RUNNER_ARGS=--fetch-wait-max-ms 500',
	'client1000:BENCH_CLIENT_FETCH_WAIT_MS=1000',
	'both500/1000:BENCH_RUNNER_ARGS=--fetch-wait-max-ms 500;BENCH_CLIENT_FETCH_WAIT_MS=1000',
]).map(v => {
	const [label, rest = ''] = v.split(/:(.*)/s);
	return {label: label!, env: Object.fromEntries(rest.split(';').filter(Boolean).map(kv => kv.split(/=(.*)/s).slice(0, 2) as [string, string]))};
});
const seconds = Number(process.env['BENCH_KNOB_SECONDS'] ?? 6);
const idleOnly = process.env['BENCH_KNOB_IDLE_ONLY'] === '1';
const points = [{rate: 100, seconds, label: '100'}, {rate: 300, seconds: seconds / 2, label: '300'}, {rate: 1000, seconds: 2, label: '1000'}];
type Got = {idle: Array<IdleResult & {base: number}>; rates: PointResult[][]};
const got = new Map<string, Got>(variants.map(v => [v.label, {idle: [], rates: []}]));
for (let round = 0; round < Number(roundsArg); round++) {
	for (const [i] of variants.entries()) {
		const v = variants[(i + round) % variants.length]!;
		const pids = kafkaBrokerPids();
		const b0 = cpuMs(pids);
		await new Promise(resolve => setTimeout(resolve, seconds * 1000));
		const base = (cpuMs(pids) - b0) / seconds;
		const idle = await runChild<IdleResult>({mode: 'idle', rung: 'mlbridge', seconds, settle: 3}, v.env);
		// BENCH_KNOB_IDLE_ONLY=1: idle only (e.g. the broker's CPU per empty fetch, from 2 ms against 500 ms waits).
		const rates = idleOnly ? [] : await runChild<PointResult[]>({mode: 'rates', rung: 'mlbridge', points, warmup: 300}, v.env);
		got.get(v.label)!.idle.push({...idle, base});
		got.get(v.label)!.rates.push(rates);
		console.log(`round ${round + 1} ${v.label.padEnd(14)} idle client ${fmt(idle.clientMsPerS, 1)} runner ${fmt(idle.workerMsPerS, 1)} broker ${fmt(idle.brokerMsPerS, 1)} (alone ${fmt(base, 1)}) ms/s; ${rates.map(p => `${p.rate}/s p50 ${fmt(p50(p))} ms client ${fmt((p.clientCpuMs * 1000) / p.calls, 0)} µs`).join('; ')}`);
	}
}

function p50(p: PointResult, q = 50): number {
	const h = hdr.decodeFromCompressedBase64(p.histogram);
	const v = h.getValueAtPercentile(q) / 1000;
	h.destroy();
	return v;
}

const rows = [['variant', 'idle client ms/s', 'idle runner ms/s', 'broker + ms/s', ...(idleOnly ? [] : points).flatMap(p => [`${p.rate}/s p50 ms`, `${p.rate}/s p99 ms`, `${p.rate}/s client/worker/broker µs`])]];
for (const v of variants) {
	const g = got.get(v.label)!;
	const cells = [v.label, fmt(median(g.idle.map(x => x.clientMsPerS)), 1), fmt(median(g.idle.map(x => x.workerMsPerS)), 1), fmt(median(g.idle.map(x => (x.brokerMsPerS ?? 0) - x.base)), 1)];
	for (const [i] of (idleOnly ? [] : points).entries()) {
		const ps = g.rates.map(r => r[i]!);
		const per = (f: (p: PointResult) => number | undefined) => fmt(median(ps.map(p => ((f(p) ?? Number.NaN) * 1000) / p.calls)), 0);
		cells.push(fmt(median(ps.map(p => p50(p)))), fmt(median(ps.map(p => p50(p, 99)))), `${per(p => p.clientCpuMs)}/${per(p => p.workerCpuMs)}/${per(p => p.brokerCpuMs)}`);
	}

	rows.push(cells);
}

console.log(`\nmedians of ${roundsArg} interleaved round(s); idle = ${seconds} s connected, nothing sent; broker = its CPU with the client and runner minus its CPU alone just before`);
printTable(rows);
