/**
 * The two systems of the data rung (bench/data.ts), each set up in a process of its own by
 * bench/data_child.ts: the raw-bytes floor (a kafkajs transport and bench/data_floor.py's echo) and
 * mlbridge (a client and a runner echoing bench/pipelines.py's `echo`), the payloads of each case,
 * and the closed loop that measures one case.
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

/** CPU µs per call in one measurement: this process, the worker (runner or echo), the broker. */
export type CallCpu = {client: number; worker: number; broker: number};

export type Measured = {perSecond: number; cpu: CallCpu};
type Caller = (concurrency: number, seconds: number) => Promise<Measured>;

async function closedLoop(call: () => Promise<unknown>, concurrency: number, seconds: number, workerPids: () => number[]): Promise<Measured> {
	// A window must not pay for the collection the previous window's garbage needs (the child runs
	// with --expose-gc).
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


export async function retryingWhileTopicsSettle<T>(call: () => Promise<T>): Promise<T> {
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

/** One case of the rung: its name, payload size and concurrency. */
export type CaseSpec = {name: string; bytes: number; concurrency: number};

/** The cases in order (BENCH_DATA_CASES: parts of names to keep), with what mlbridge sends for each. */
export async function dataCases(tableRows: number): Promise<Array<CaseSpec & {payload: WireValue}>> {
	const f64k = new Float32Array(16 * 1024).map((_, i) => Math.sin(i));
	const f4m = new Float32Array(1024 * 1024).map((_, i) => Math.sin(i));
	const t = await table(tableRows);
	const cases: Array<CaseSpec & {payload: WireValue}> = [];
	for (const c of [1, 16]) {
		cases.push({name: 'tensor FP32 64 KB', bytes: f64k.byteLength, concurrency: c, payload: new Tensor(f64k)});
		cases.push({name: 'generic list 64 KB', bytes: f64k.byteLength, concurrency: c, payload: Array.from(f64k)});
		cases.push({name: 'tensor FP32 4 MB', bytes: f4m.byteLength, concurrency: c, payload: new Tensor(f4m)});
		cases.push({name: `Arrow table ${tableRows} rows`, bytes: t.bytes, concurrency: c, payload: t.table as unknown as WireValue});
	}
	for (const c of [1, 16]) cases.push({name: 'bytes 500 KB', bytes: 512_000, concurrency: c, payload: payload(512_000)});
	cases.push({name: 'generic list 4 MB', bytes: f4m.byteLength, concurrency: 1, payload: Array.from(f4m)});
	cases.push({name: `generic columns ${tableRows} rows`, bytes: t.bytes, concurrency: 1, payload: t.generic});
	const only = process.env['BENCH_DATA_CASES']?.split(',').filter(Boolean);
	return only === undefined ? cases : cases.filter(c => only.some(part => c.name.includes(part)));
}

/** One system, set up and warmed: measures case `i` of `cases` for `seconds`. */
export type Side = {measure(i: number, seconds: number): Promise<Measured>; stop(): Promise<void>};

export async function startSide(system: 'floor' | 'mlbridge', cases: Array<CaseSpec & {payload: WireValue}>): Promise<Side> {
	if (system === 'floor') {
		const floor = await startFloor();
		// Warm-up: code paths and topic metadata (a topic just created can refuse for a moment).
		await retryingWhileTopicsSettle(async () => floor.measure(64)(1, 0.05));
		return {measure: async (i, seconds) => floor.measure(cases[i]!.bytes)(cases[i]!.concurrency, seconds), stop: async () => floor.stop()};
	}

	const ml = await startMlbridge();
	const calls = cases.map(c => async () => ml.client.invoke('echo', {payload: c.payload}));
	for (const call of calls) await retryingWhileTopicsSettle(call);
	return {measure: async (i, seconds) => closedLoop(calls[i]!, cases[i]!.concurrency, seconds, () => [ml.pid]), stop: async () => ml.stop()};
}
