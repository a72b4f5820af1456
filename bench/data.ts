/**
 * The data rung (issue 14): tensors and Arrow tables through mlbridge's echo, against a raw-bytes
 * floor of the same sizes (bench/data_floor.py: the request bytes straight back) and against the
 * same numbers through the generic Value list encoding; and 500 KB of plain bytes (the ladder's
 * 500 KB rung) beside its floor. Closed-loop throughput at concurrency 1 and 16, in interleaved
 * rounds; ratios taken within the run. CPU per call too — the client process, the worker (the
 * runner, or the floor's echo) and the broker JVM — since on a shared 2-core machine calls/s move
 * with everyone else's load and CPU time far less. Topics are created with max.message.bytes =
 * 16 MiB (4 MB payloads are past Kafka's 1 MiB default).
 *
 * Each system measures in a Node process of its own (bench/data_child.ts; set-up and payloads in
 * bench/data_systems.ts), told case by case which to run, so that the two never share a heap or
 * its collections; this process only interleaves them and keeps the figures.
 *
 * Knobs: BENCH_DATA_ROUNDS (2), BENCH_DATA_SECONDS (2 per measurement), BENCH_DATA_CASES (comma-separated
 * parts of case names to run only those, e.g. `tensor,bytes`).
 */
import {type ChildProcess, spawn} from 'node:child_process';
import path from 'node:path';
import {createInterface} from 'node:readline';
import {type CallCpu, dataCases, type Measured} from './data_systems.js';
import {here, root} from './systems.js';

export type {CallCpu} from './data_systems.js';
export type DataConfig = {rounds: number; seconds: number; tableRows: number};

export function dataConfig(smoke: boolean): DataConfig {
	const env = (name: string, full: number, smokeValue: number) => Number(process.env[name] ?? (smoke ? smokeValue : full));
	return {rounds: env('BENCH_DATA_ROUNDS', 2, 1), seconds: env('BENCH_DATA_SECONDS', 2, 0.5), tableRows: env('BENCH_DATA_ROWS', 100_000, 100_000)};
}

type Row = {name: string; bytes: number; concurrency: number; perSecond: number[]; floorPerSecond: number[]; cpu: CallCpu[]; floorCpu: CallCpu[]};
export type DataResults = {config: DataConfig; rows: Row[]; errors: string[]};

/** A data_child.ts process: `measure` sends it one case and resolves with what it measured. */
type Child = {measure(i: number, seconds: number): Promise<Measured>; stop(): Promise<void>};

async function startChild(system: 'floor' | 'mlbridge', tableRows: number): Promise<Child> {
	const child: ChildProcess = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', path.join(here, 'data_child.ts'), system, String(tableRows)], {
		cwd: root, env: process.env, stdio: ['pipe', 'pipe', 'inherit'],
	});
	const lines = createInterface({input: child.stdout!})[Symbol.asyncIterator]();
	const next = async (what: string): Promise<string> => {
		for (;;) {
			const {value, done} = await lines.next(); // eslint-disable-line no-await-in-loop
			if (done) throw new Error(`data_child ${system} exited before ${what} (exit ${String(child.exitCode)})`);
			if (value.startsWith(`${what} `)) return value.slice(what.length + 1);
		}
	};

	await next('ready');
	return {
		async measure(i, seconds) {
			child.stdin!.write(`${JSON.stringify({case: i, seconds})}\n`);
			const result = JSON.parse(await next('result')) as Measured | {error: string};
			if ('error' in result) throw new Error(result.error);
			return result;
		},
		async stop() {
			child.stdin!.end('stop\n');
			await new Promise(resolve => {
				if (child.exitCode === null) child.once('exit', resolve);
				else resolve(undefined);
			});
		},
	};
}

export async function dataRung(cfg: DataConfig): Promise<DataResults> {
	const errors: string[] = [];
	// The case list only (names, sizes): each child builds its own payloads.
	const cases = await dataCases(cfg.tableRows);
	const floor = await startChild('floor', cfg.tableRows);
	const ml = await startChild('mlbridge', cfg.tableRows).catch(async (error: unknown) => {
		await floor.stop();
		throw error;
	});
	try {
		const rows: Row[] = cases.map(c => ({name: c.name, bytes: c.bytes, concurrency: c.concurrency, perSecond: [], floorPerSecond: [], cpu: [], floorCpu: []}));
		for (let round = 0; round < cfg.rounds; round++) {
			for (const [i, c] of cases.entries()) {
				try {
					// Interleaved: each case right after its floor, so both see the same machine load.
					const f = await floor.measure(i, cfg.seconds);
					const m = await ml.measure(i, cfg.seconds);
					rows[i]!.floorPerSecond.push(f.perSecond);
					rows[i]!.floorCpu.push(f.cpu);
					rows[i]!.perSecond.push(m.perSecond);
					rows[i]!.cpu.push(m.cpu);
				} catch (error) {
					errors.push(`${c.name} c${c.concurrency}: ${String(error)}`);
				}
			}
		}

		return {config: cfg, rows, errors};
	} finally {
		await ml.stop();
		await floor.stop();
	}
}

const median = (xs: number[]) => {
	const s = [...xs].sort((a, b) => a - b);
	return s.length === 0 ? Number.NaN : s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

export function reportData(r: DataResults): void {
	console.log('\nData (issue 14): echo of tensors, tables and bytes vs the raw-bytes floor of the same size, interleaved rounds');
	console.log('calls/s: median (per-round ratio min–max); CPU µs per call, median: client = this Node process, worker = runner or echo, broker = Kafka JVM; cpu ratio = floor (client+worker) / mlbridge (client+worker)');
	const lines = [['payload', 'bytes', 'conc', 'mlbridge/s', 'MB/s', 'floor/s', 'ratio', 'rounds', 'ml client', 'ml worker', 'fl client', 'fl worker', 'ml broker', 'fl broker', 'cpu ratio']];
	for (const row of r.rows) {
		const ml = median(row.perSecond);
		const fl = median(row.floorPerSecond);
		const perRound = row.perSecond.map((x, i) => x / row.floorPerSecond[i]!);
		const m = (xs: CallCpu[], k: keyof CallCpu) => median(xs.map(x => x[k]));
		const own = (xs: CallCpu[]) => median(xs.map(x => x.client + x.worker));
		lines.push([
			row.name, String(row.bytes), `c${row.concurrency}`, ml.toFixed(1), ((ml * row.bytes) / 1e6).toFixed(1), fl.toFixed(1), (ml / fl).toFixed(2),
			perRound.length === 0 ? '—' : `${Math.min(...perRound).toFixed(2)}–${Math.max(...perRound).toFixed(2)}`,
			m(row.cpu, 'client').toFixed(0), m(row.cpu, 'worker').toFixed(0), m(row.floorCpu, 'client').toFixed(0), m(row.floorCpu, 'worker').toFixed(0),
			m(row.cpu, 'broker').toFixed(0), m(row.floorCpu, 'broker').toFixed(0), (own(row.floorCpu) / own(row.cpu)).toFixed(2),
		]);
	}
	const widths = lines[0]!.map((_, i) => Math.max(...lines.map(l => l[i]!.length)));
	for (const l of lines) console.log(l.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  '));
}
