/**
 * The systems the ladder measures. Each starts its own server-side process(es) and exposes one
 * `call(size)` that resolves when the echoed reply is back in this process.
 */
import {type ChildProcess, spawn} from 'node:child_process';
import {randomBytes, randomUUID} from 'node:crypto';
import {readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {createInterface} from 'node:readline';
import {fileURLToPath} from 'node:url';
import {PipelineClient, RunnerProcess, createLogger} from '../dist/src/index.js';
import {decodeReply, decodeValue, encodeRequest, encodeValue, wireSchemas} from '../dist/src/codec/index.js';
import {KafkajsTransport} from '../dist/src/transport/kafkajs-transport.js';
import {Kafka, logLevel, Partitioners} from 'kafkajs';
import {SendBatcher} from '../dist/src/transport/send-batcher.js';
import type {OutgoingMessage} from '../dist/src/transport/transport.js';

export const here = path.dirname(fileURLToPath(import.meta.url));
export const root = path.resolve(here, '..');
const brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');
const mainPython = process.env['MLBRIDGE_PYTHON'] ?? path.join(root, '.venv/bin/python');
export const benchPython = path.join(here, '.venv/bin/python');

export type System = {
	/** Send one call carrying `size` bytes of payload (0 = none); resolves with the reply. */
	call(size: number): Promise<unknown>;
	/** Server-side process ids: runner, echo or Python worker (for CPU and RSS). */
	serverPids(): number[];
	/** The broker's process ids: the Kafka JVM, or redis-server for the peers (CPU only). */
	brokerPids(): number[];
	stop(): Promise<void>;
};

const isKafka = (pid: number) => {
	try {
		return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('kafka.Kafka');
	} catch {
		return false;
	}
};

/** CPU ms (user + system, all threads) of `pids` since they started; 0 for one that is gone. */
export function cpuMs(pids: number[]): number {
	let ms = 0;
	for (const pid of pids) {
		try {
			const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
			const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
			ms += ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // CLK_TCK 100
		} catch {
			// exited
		}
	}

	return ms;
}

let kafkaPid: number | undefined;
/**
 * The local Kafka broker's JVM (`npm run broker:start` writes its pid file; otherwise the only
 * `kafka.Kafka` process on this machine). Empty when the broker is elsewhere: its CPU is then not
 * measured. On a shared machine the JVM also serves everyone else's traffic: read its CPU per call
 * from a quiet run.
 */
export function kafkaBrokerPids(): number[] {
	if (kafkaPid !== undefined && isKafka(kafkaPid)) return [kafkaPid];
	const runDir = process.env['MLBRIDGE_BROKER_RUN_DIR'] ?? path.join(process.env['MLBRIDGE_CACHE_DIR'] ?? path.join(root, '.cache'), 'kafka', 'run');
	try {
		const pid = Number(readFileSync(path.join(runDir, 'broker.pid'), 'utf8').trim());
		if (pid > 0 && isKafka(pid)) return [(kafkaPid = pid)];
	} catch {
		// no pid file: look for the process
	}

	const found = readdirSync('/proc').filter(d => /^\d+$/.test(d)).map(Number).filter(isKafka);
	if (found.length === 1) return [(kafkaPid = found[0]!)];
	return [];
}

/** +avro rungs: per-call wall-clock legs [to echo, in echo, back] in ms (for diagnosis). */
export const legs: Array<[number, number, number]> = [];

export type Rung = {name: string; group: string; payloads: boolean; start(): Promise<System>};

const payloadCache = new Map<number, Buffer>();
export function payload(size: number): Buffer {
	let p = payloadCache.get(size);
	if (p === undefined) {
		p = randomBytes(size);
		payloadCache.set(size, p);
	}

	return p;
}

/** Spawn a child process and resolve once it prints `ready` on stdout. */
/**
 * The allocator settings the runner gives itself at start (python-runner/mlbridge_runner/malloc_tuning.py,
 * through mallopt), given to the floors' echo processes through glibc's environment so that a ratio
 * compares the same allocator, not a tuned runner with an untuned floor.
 */
export const runnerMallocEnv: Record<string, string> = {MALLOC_MMAP_THRESHOLD_: String(64 * 1024 * 1024), MALLOC_TRIM_THRESHOLD_: String(256 * 1024 * 1024)};

export async function spawnReady(cmd: string, args: string[], env: Record<string, string> = {}, timeoutMs = 60_000): Promise<ChildProcess> {
	const child = spawn(cmd, args, {cwd: root, env: {...process.env, ...env}, stdio: ['ignore', 'pipe', 'pipe']});
	let stderr = '';
	child.stderr!.on('data', (d: Buffer) => {
		stderr = (stderr + d.toString()).slice(-4000);
	});
	await new Promise<void>((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`${path.basename(args[0] ?? cmd)} not ready after ${timeoutMs} ms: ${stderr}`)), timeoutMs);
		child.once('exit', code => {
			clearTimeout(timer);
			reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${stderr}`));
		});
		createInterface({input: child.stdout!}).on('line', line => {
			if (line.trim() === 'ready') {
				clearTimeout(timer);
				resolve();
			}
		});
	});
	child.removeAllListeners('exit');
	return child;
}

export async function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
	if (child.exitCode !== null || child.signalCode !== null) {
		return;
	}

	const exited = new Promise<void>(resolve => child.once('exit', () => resolve()));
	child.kill('SIGTERM');
	const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
	await exited;
	clearTimeout(timer);
}

/** floor (raw bytes) and +avro (our envelope codecs on both sides), over the mlbridge transport. */
/**
 * A kafkajs reply consumer with the transport's settings, but `autoCommit: false`: kafkajs otherwise
 * sends an OffsetCommit and awaits it after every batch before fetching again (runner.js), a
 * round trip a per-client reply topic read from the beginning by a one-off group does not need.
 */
async function consumeNoCommit(topic: string, groupId: string, onMessage: (value: Buffer) => void) {
	const kafka = new Kafka({clientId: groupId, brokers, logLevel: logLevel.NOTHING});
	const consumer = kafka.consumer({groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 200, sessionTimeout: 10_000, heartbeatInterval: 1000});
	const assigned = new Promise<void>(resolve => {
		const stop = consumer.on(consumer.events.GROUP_JOIN, event => {
			if ((event.payload.memberAssignment[topic] ?? []).length > 0) {
				stop();
				resolve();
			}
		});
	});
	await consumer.connect();
	await consumer.subscribe({topic, fromBeginning: true});
	await consumer.run({
		autoCommit: false,
		eachBatchAutoResolve: true,
		eachBatch: async ({batch}) => {
			for (const m of batch.messages) if (m.value !== null) onMessage(m.value);
		},
	});
	await assigned;
	return consumer;
}

type Variant = {replyCommit?: boolean; maxInFlight?: number; acks?: number};

function kafkaEcho(mode: 'raw' | 'avro', variant: Variant = {}): () => Promise<System> {
	const replyCommit = variant.replyCommit ?? true;
	return async () => {
		const tag = randomBytes(4).toString('hex');
		const requestTopic = `bench.${mode}.${tag}`;
		const replyTopic = `bench.${mode}.reply.${tag}`;
		// The transport mlbridge's client uses (kafkajs, acks=all, its send batching, its consumer
		// settings): the floor differs from mlbridge only by what mlbridge adds on top.
		const transport = await KafkajsTransport.connect({
			brokers,
			clientId: `bench-${mode}-${tag}`,
			logger: createLogger('warn'),
			connectionTimeoutMs: 3000,
			retry: {retries: 5, initialRetryTime: 100, maxRetryTime: 2500},
		});
		await transport.ensureTopics([
			{topic: requestTopic, numPartitions: 12},
			{topic: replyTopic, numPartitions: 1, config: {'retention.ms': '3600000'}},
		]);
		const pending = new Map<string, (v: unknown) => void>();
		const sentAt = new Map<string, number>();
		let seq = 0;
		const consume = replyCommit
			? async (t: string, g: string, f: (v: Buffer) => void) => transport.consume(t, g, f).then(() => undefined)
			: async (t: string, g: string, f: (v: Buffer) => void) => {
				const c = await consumeNoCommit(t, g, f);
				extraStops.push(async () => c.disconnect());
			};
		const extraStops: Array<() => Promise<void>> = [];
		if (mode === 'raw') {
			await consume(replyTopic, `${replyTopic}.g`, value => {
				const id = value.toString('latin1', 0, 12);
				const resolve = pending.get(id);
				pending.delete(id);
				resolve?.(value);
			});
		} else {
			await consume(replyTopic, `${replyTopic}.g`, value => {
				const reply = decodeReply(value);
				const sent = sentAt.get(reply.id);
				sentAt.delete(reply.id);
				if (sent !== undefined && legs.length < 1_000_000) {
					// Wall-clock legs (ms): client → echo, in the echo, echo → client.
					legs.push([reply.timings.receivedAtMs - sent, reply.timings.finishedAtMs - reply.timings.receivedAtMs, Date.now() - reply.timings.finishedAtMs]);
				}

				const resolve = pending.get(reply.id);
				pending.delete(reply.id);
				resolve?.(decodeValue(reply.result));
			});
		}

		const echo = await spawnReady(mainPython, [path.join(here, 'floor_echo.py'), '--mode', mode, '--brokers', brokers.join(','), '--request-topic', requestTopic, '--group', `${requestTopic}.g`], {PYTHONPATH: path.join(root, 'python-runner'), ...runnerMallocEnv});
		const headers = {'reply-to': replyTopic};
		// Variants: mlbridge's SendBatcher over a plain kafkajs producer with other in-flight / acks.
		let send = (topic: string, message: OutgoingMessage) => transport.send(topic, message);
		if (variant.maxInFlight !== undefined || variant.acks !== undefined) {
			const producer = new Kafka({clientId: `${requestTopic}.p`, brokers, logLevel: logLevel.NOTHING}).producer({allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner});
			await producer.connect();
			extraStops.push(async () => producer.disconnect());
			const batcher = new SendBatcher(async batch => {
				await producer.sendBatch({acks: variant.acks ?? -1, topicMessages: [...batch].map(([topic, messages]) => ({topic, messages: messages.map(m => ({key: m.key, value: m.value, headers: m.headers}))}))});
			}, {maxInFlight: variant.maxInFlight ?? 2});
			send = (topic, message) => batcher.enqueue(topic, message);
		}
		return {
			call(size: number) {
				if (mode === 'raw') {
					const id = (seq++).toString(36).padStart(12, '0');
					const value = Buffer.allocUnsafe(Math.max(12, size));
					payload(Math.max(12, size)).copy(value);
					value.write(id, 0, 'latin1');
					return new Promise((resolve, reject) => {
						pending.set(id, resolve);
						send(requestTopic, {key: id, value, headers}).catch(reject);
					});
				}

				const id = randomUUID();
				const now = Date.now();
				const value = encodeRequest({
					id, pipeline: 'echo', args: encodeValue(size > 0 ? {payload: payload(size)} : {}), argsSchema: wireSchemas.value.ref,
					replyTo: replyTopic, deadlineMs: now + 30_000, attempt: 1, sentAtMs: now, headers: {},
				});
				sentAt.set(id, now);
				return new Promise((resolve, reject) => {
					pending.set(id, resolve);
					send(requestTopic, {key: id, value}).catch(reject);
				});
			},
			serverPids: () => [echo.pid!],
			brokerPids: kafkaBrokerPids,
			async stop() {
				await stopChild(echo);
				for (const stop of extraStops) await stop();
				await transport.close([requestTopic, replyTopic]);
			},
		};
	};
}

/**
 * The real client and runner; `pipeline` null = `echo` with the payload (mlbridge's no-op). Rungs
 * of one `slot` share one runner and one client (they differ only by pipeline); `python` is the
 * interpreter the runner starts with (the `mlbridge-alt` experiment points it at a wrapper that
 * puts another python-runner tree first on PYTHONPATH, for interleaved A/B runs).
 */
const shared = new Map<string, {system: Promise<{client: PipelineClient; runner: RunnerProcess}>; users: number; requestTopic: string}>();
function mlbridge(pipeline: string | null, slot = 'main', python = mainPython): () => Promise<System> {
	return async () => {
		let s = shared.get(slot);
		const requestTopic = s?.requestTopic ?? `bench.mlbridge.${randomBytes(4).toString('hex')}`;
		if (s === undefined) {
			s = {
				users: 0,
				requestTopic,
				system: (async () => {
					const runner = await RunnerProcess.start({
						pipelines: [path.join(here, 'pipelines.py')], requestTopic, group: `${requestTopic}.runners`, brokers, python,
						// A runner setting under study (bench/rate_child.ts), e.g. `--fetch-wait-max-ms 100`.
						extraArgs: process.env['BENCH_RUNNER_ARGS']?.split(' ').filter(Boolean) ?? [],
					});
					const client = await PipelineClient.connect({requestTopic, brokers});
					return {client, runner};
				})(),
			};
			shared.set(slot, s);
		}

		const mine = s;
		mine.users++;
		const {client, runner} = await mine.system;
		return {
			call: (size: number) =>
				pipeline === null ? client.invoke('echo', size > 0 ? {payload: payload(size)} : {}) : client.invoke(pipeline, {}),
			serverPids: () => [runner.pid!],
			brokerPids: kafkaBrokerPids,
			async stop() {
				if (--mine.users === 0) {
					shared.delete(slot);
					await client.close();
					await runner.stop();
					// A broker that keeps every run's 12-partition topics gets slower run after run.
					const admin = new Kafka({clientId: 'bench-cleanup', brokers, logLevel: logLevel.NOTHING}).admin();
					await admin.connect();
					await admin.deleteTopics({topics: [requestTopic, `${requestTopic}.dlq`], timeout: 5000}).catch(() => undefined);
					await admin.disconnect();
				}
			},
		};
	};
}

export const kafkaRungs: Rung[] = [
	{name: 'floor', group: 'kafka', payloads: true, start: kafkaEcho('raw')},
	{name: '+avro', group: 'kafka', payloads: true, start: kafkaEcho('avro')},
	{name: 'mlbridge', group: 'kafka', payloads: true, start: mlbridge(null)},
	{name: 'mlbridge work_1ms', group: 'kafka', payloads: false, start: mlbridge('work_1ms')},
	{name: 'mlbridge work_10ms', group: 'kafka', payloads: false, start: mlbridge('work_10ms')},
];

/** Not in the default ladder (name them in BENCH_RUNGS): settings experiments for the report. */
export const experimentRungs: Rung[] = [
	{name: 'floor-nocommit', group: 'experiment', payloads: true, start: kafkaEcho('raw', {replyCommit: false})},
	{name: '+avro-nocommit', group: 'experiment', payloads: true, start: kafkaEcho('avro', {replyCommit: false})},
	{name: '+avro-inflight8', group: 'experiment', payloads: true, start: kafkaEcho('avro', {maxInFlight: 8})},
	{name: '+avro-acks1', group: 'experiment', payloads: true, start: kafkaEcho('avro', {acks: 1})},
	// BENCH_ALT_PYTHON: e.g. a script `PYTHONPATH=/tmp/base/python-runner exec .venv/bin/python "$@"`.
	{name: 'mlbridge-alt', group: 'experiment', payloads: true, start: mlbridge(null, 'alt', process.env['BENCH_ALT_PYTHON'] ?? mainPython)},
];
