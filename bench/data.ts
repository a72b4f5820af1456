/**
 * The data rung (issue 14): tensors and Arrow tables through mlbridge's echo, against a raw-bytes
 * floor of the same sizes (bench/data_floor.py: the request bytes straight back) and against the
 * same numbers through the generic Value list encoding; and 500 KB of plain bytes (the ladder's
 * 500 KB rung) beside its floor. Closed-loop throughput at concurrency 1 and 16, in interleaved
 * rounds; ratios taken within the run. CPU per call too — this Node process (client), the worker
 * (the runner, or the floor's echo) and the broker JVM — since on a shared 2-core machine calls/s
 * move with everyone else's load and CPU time far less. Topics are created with
 * max.message.bytes = 16 MiB (4 MB payloads are past Kafka's 1 MiB default).
 *
 * Knobs: BENCH_DATA_ROUNDS (2), BENCH_DATA_SECONDS (2 per measurement), BENCH_DATA_CASES (comma-separated
 * parts of case names to run only those, e.g. `tensor,bytes`).
 */
import {randomBytes} from 'node:crypto';
import path from 'node:path';
import {Kafka, logLevel} from 'kafkajs';
import {createLogger, loadArrow, PipelineClient, RunnerProcess, Tensor, type WireValue} from '../dist/src/index.js';
import {KafkajsTransport} from '../dist/src/transport/kafkajs-transport.js';
import {cpuMs, here, kafkaBrokerPids, payload, root, runnerMallocEnv, spawnReady, stopChild} from './systems.js';

const brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');
const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
const python = process.env['MLBRIDGE_PYTHON'] ?? path.join(root, '.venv/bin/python');

export type DataConfig = {rounds: number; seconds: number; tableRows: number};

export function dataConfig(smoke: boolean): DataConfig {
	const env = (name: string, full: number, smokeValue: number) => Number(process.env[name] ?? (smoke ? smokeValue : full));
	return {rounds: env('BENCH_DATA_ROUNDS', 2, 1), seconds: env('BENCH_DATA_SECONDS', 2, 0.5), tableRows: env('BENCH_DATA_ROWS', 100_000, 100_000)};
}

/** CPU µs per call in one measurement: this process, the worker (runner or echo), the broker. */
export type CallCpu = {client: number; worker: number; broker: number};
type Row = {name: string; bytes: number; concurrency: number; perSecond: number[]; floorPerSecond: number[]; cpu: CallCpu[]; floorCpu: CallCpu[]};
export type DataResults = {config: DataConfig; rows: Row[]; errors: string[]};

type Measured = {perSecond: number; cpu: CallCpu};
type Caller = (concurrency: number, seconds: number) => Promise<Measured>;

async function closedLoop(call: () => Promise<unknown>, concurrency: number, seconds: number, workerPids: () => number[]): Promise<Measured> {
	// Both systems run in this one process, beside the other cases' payloads (4 MB tensors, 100,000-row
	// tables): a window must not pay for the collection the previous window's garbage needs.
	// (`npm run bench` runs with --expose-gc.)
	(globalThis as {gc?: () => void}).gc?.();
	const end = performance.now() + seconds * 1000;
	let done = 0;
	const started = performance.now();
	const cpu0 = process.cpuUsage();
	const [worker0, broker0] = [cpuMs(workerPids()), cpuMs(kafkaBrokerPids())];
	await Promise.all(Array.from({length: concurrency}, async () => {
		while (performance.now() < end) {
			await call();
			done++;
		}
	}));
	const wall = performance.now() - started;
	const cpu = process.cpuUsage(cpu0);
	const per = (ms: number) => (ms * 1000) / Math.max(1, done);
	return {
		perSecond: done / (wall / 1000),
		cpu: {client: (cpu.user + cpu.system) / Math.max(1, done), worker: per(cpuMs(workerPids()) - worker0), broker: per(cpuMs(kafkaBrokerPids()) - broker0)},
	};
}

/** The floor: a kafkajs transport (mlbridge's) sending `size` random bytes to data_floor.py and awaiting them back. */
async function startFloor(): Promise<{measure(size: number): Caller; stop(): Promise<void>}> {
	const tag = randomBytes(4).toString('hex');
	const requestTopic = `bench.data.raw.${tag}`;
	const replyTopic = `${requestTopic}.reply`;
	const transport = await KafkajsTransport.connect({brokers, clientId: `bench-data-${tag}`, logger: createLogger('warn'), connectionTimeoutMs: 3000, retry: {retries: 5, initialRetryTime: 100, maxRetryTime: 2500}});
	const big = {'max.message.bytes': String(MAX_MESSAGE_BYTES)};
	await transport.ensureTopics([{topic: requestTopic, numPartitions: 4, config: big}, {topic: replyTopic, numPartitions: 1, config: {...big, 'retention.ms': '3600000'}}]);
	const pending = new Map<string, () => void>();
	await transport.consume(replyTopic, `${replyTopic}.g`, value => {
		const id = value.toString('latin1', 0, 12);
		pending.get(id)?.();
		pending.delete(id);
	});
	const echo = await spawnReady(python, [path.join(here, 'data_floor.py'), '--brokers', brokers.join(','), '--request-topic', requestTopic, '--group', `${requestTopic}.g`], runnerMallocEnv);
	let seq = 0;
	return {
		measure: size => async (concurrency, seconds) => {
			const body = randomBytes(size);
			return closedLoop(async () => {
				const id = (seq++).toString(36).padStart(12, '0');
				const value = Buffer.from(body);
				value.write(id, 0, 'latin1');
				await new Promise<void>((resolve, reject) => {
					pending.set(id, resolve);
					transport.send(requestTopic, {key: id, value, headers: {'reply-to': replyTopic}}).catch(reject);
				});
			}, concurrency, seconds, () => [echo.pid!]);
		},
		async stop() {
			await stopChild(echo);
			await transport.close();
		},
	};
}

/** mlbridge: a client and a runner (bench/pipelines.py's echo) on a 16 MiB request topic. */
async function startMlbridge(): Promise<{client: PipelineClient; pid: number; stop(): Promise<void>}> {
	const requestTopic = `bench.data.${randomBytes(4).toString('hex')}`;
	const admin = new Kafka({brokers, clientId: 'bench-data-admin', logLevel: logLevel.NOTHING}).admin();
	await admin.connect();
	await admin.createTopics({waitForLeaders: true, topics: [{topic: requestTopic, numPartitions: 4, configEntries: [{name: 'max.message.bytes', value: String(MAX_MESSAGE_BYTES)}]}]});
	const runner = await RunnerProcess.start({
		pipelines: [path.join(here, 'pipelines.py')], requestTopic, group: `${requestTopic}.runners`, brokers,
		env: {MLBRIDGE_MAX_MESSAGE_BYTES: String(MAX_MESSAGE_BYTES)},
	});
	let client: PipelineClient | undefined;
	try {
		client = await retryingWhileTopicsSettle(async () => PipelineClient.connect({requestTopic, brokers, defaultTimeoutMs: 120_000}));
		const replyTopic = client.replyTopic;
		await retryingWhileTopicsSettle(async () => admin.alterConfigs({validateOnly: false, resources: [{type: 2, name: replyTopic, configEntries: [{name: 'max.message.bytes', value: String(MAX_MESSAGE_BYTES)}]}]}));
	} catch (error) {
		// A child process left running would keep the whole benchmark from exiting.
		await client?.close().catch(() => undefined);
		await runner.stop();
		throw error;
	} finally {
		await admin.disconnect();
	}

	return {
		client,
		pid: runner.pid!,
		async stop() {
			await client.close();
			await runner.stop();
		},
	};
}

async function table(rows: number) {
	const arrow = await import('apache-arrow');
	await loadArrow();
	const ids = new BigInt64Array(rows);
	const xs = new Float64Array(rows);
	const hosts: string[] = [];
	for (let i = 0; i < rows; i++) {
		ids[i] = BigInt(i);
		xs[i] = Math.sin(i);
		hosts.push(`host-${i % 50}`);
	}
	const t = new arrow.Table({id: arrow.makeVector(ids), x: arrow.makeVector(xs), host: arrow.vectorFromArray(hosts, new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32()))});
	return {table: t, bytes: arrow.tableToIPC(t, 'stream').length, generic: {id: Array.from(ids, Number), x: Array.from(xs), host: hosts}};
}

export async function dataRung(cfg: DataConfig): Promise<DataResults> {
	const errors: string[] = [];
	const floor = await startFloor();
	const ml = await startMlbridge().catch(async (error: unknown) => {
		await floor.stop();
		throw error;
	});
	try {
		const f64k = new Float32Array(16 * 1024).map((_, i) => Math.sin(i));
		const f4m = new Float32Array(1024 * 1024).map((_, i) => Math.sin(i));
		const t = await table(cfg.tableRows);
		const echo = (payload: WireValue) => async () => ml.client.invoke('echo', {payload});
		const cases: Array<{name: string; bytes: number; concurrency: number; call: () => Promise<unknown>}> = [];
		for (const c of [1, 16]) {
			cases.push({name: 'tensor FP32 64 KB', bytes: f64k.byteLength, concurrency: c, call: echo(new Tensor(f64k))});
			cases.push({name: 'generic list 64 KB', bytes: f64k.byteLength, concurrency: c, call: echo(Array.from(f64k))});
			cases.push({name: 'tensor FP32 4 MB', bytes: f4m.byteLength, concurrency: c, call: echo(new Tensor(f4m))});
			cases.push({name: `Arrow table ${cfg.tableRows} rows`, bytes: t.bytes, concurrency: c, call: echo(t.table as unknown as WireValue)});
		}
		for (const c of [1, 16]) cases.push({name: 'bytes 500 KB', bytes: 512_000, concurrency: c, call: echo(payload(512_000))});
		cases.push({name: 'generic list 4 MB', bytes: f4m.byteLength, concurrency: 1, call: echo(Array.from(f4m))});
		cases.push({name: `generic columns ${cfg.tableRows} rows`, bytes: t.bytes, concurrency: 1, call: echo(t.generic)});
		const only = process.env['BENCH_DATA_CASES']?.split(',').filter(Boolean);
		if (only !== undefined) cases.splice(0, cases.length, ...cases.filter(c => only.some(part => c.name.includes(part))));
		const rows: Row[] = cases.map(c => ({name: c.name, bytes: c.bytes, concurrency: c.concurrency, perSecond: [], floorPerSecond: [], cpu: [], floorCpu: []}));
		// Warm-up: both sides' code paths and topic metadata. A topic just created can still answer
		// "does not host this topic-partition" for a moment on a loaded machine: retried, not fatal.
		for (const c of cases) await retryingWhileTopicsSettle(c.call);
		await retryingWhileTopicsSettle(async () => floor.measure(64)(1, 0.05));
		const runnerPids = () => [ml.pid];
		for (let round = 0; round < cfg.rounds; round++) {
			for (const [i, c] of cases.entries()) {
				try {
					// Interleaved: each case right after its floor, so both see the same machine load.
					const f = await floor.measure(c.bytes)(c.concurrency, cfg.seconds);
					const m = await closedLoop(c.call, c.concurrency, cfg.seconds, runnerPids);
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

async function retryingWhileTopicsSettle<T>(call: () => Promise<T>): Promise<T> {
	for (let attempt = 1; ; attempt++) {
		try {
			return await call();
		} catch (error) {
			const retriable = (error as {retriable?: boolean}).retriable === true || /does not host this topic-partition|leader/i.test(String(error));
			if (!retriable || attempt >= 20) {
				throw error;
			}

			await new Promise(resolve => setTimeout(resolve, 500));
		}
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
