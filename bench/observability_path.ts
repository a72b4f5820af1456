/**
 * The client's own CPU per call (as bench/client_path.ts: in-memory transport, no Kafka) with its
 * tracing in three states, rounds interleaved: `@opentelemetry/api` absent (its import fails),
 * the API present with no provider registered, and an SDK provider sampling every call (spans to
 * a discarding exporter through BatchSpanProcessor). Client metrics are always on.
 * `npm run -s build && node --import tsx bench/observability_path.ts [CALLS] [ROUNDS] [CONCURRENCY]`.
 */
import * as api from '@opentelemetry/api';
import {BasicTracerProvider, BatchSpanProcessor, type SpanExporter} from '@opentelemetry/sdk-trace-base';
import {PipelineClient, createLogger} from '../dist/src/index.js';
import {encodeReply, encodeValue, wireSchemas} from '../dist/src/codec/index.js';
import type {MessageHandler, OutgoingMessage, RecordHandler, TopicSpec, Transport} from '../dist/src/transport/transport.js';
import {payload} from './systems.js';

const [callsArg = '100000', roundsArg = '5', concArg = '256'] = process.argv.slice(2);
const calls = Number(callsArg);
const rounds = Number(roundsArg);
const conc = Number(concArg);

const template = encodeReply({
	id: '00000000-0000-0000-0000-000000000000', status: 'OK', result: encodeValue(payload(100)), resultSchema: wireSchemas.value.ref,
	error: null, progress: null, runner: 'bench/1/abcdef', timings: {receivedAtMs: 1, startedAtMs: 1, finishedAtMs: 1},
});
const idOffset = template.indexOf('00000000-0000-0000-0000-000000000000', 0, 'latin1');
const runnerHeader = {traceparent: Buffer.from('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')};

/** Answers every request in a batch on a later turn, with the runner's traceparent record header. */
class EchoTransport implements Transport {
	#onReply: MessageHandler | undefined;
	#batch: string[] = [];
	async ensureTopics(_specs: readonly TopicSpec[]): Promise<void> {}
	async tail(_topic: string, _groupId: string, _onRecord: RecordHandler): Promise<void> {}
	async send(topic: string, message: OutgoingMessage): Promise<void> {
		this.post(topic, message, () => undefined);
	}

	post(_topic: string, message: OutgoingMessage, _onFailure: (error: unknown) => void): void {
		if (this.#batch.push(message.key) === 1) {
			setImmediate(() => {
				const ids = this.#batch;
				this.#batch = [];
				for (const id of ids) {
					const reply = Buffer.from(template);
					reply.write(id, idOffset, 'latin1');
					this.#onReply!(reply, runnerHeader);
				}
			});
		}
	}

	async consume(_topic: string, _groupId: string, onMessage: MessageHandler): Promise<void> {
		this.#onReply = onMessage;
	}

	async maxMessageBytes(): Promise<number | undefined> {
		return undefined;
	}

	async close(): Promise<void> {}
}

const discard: SpanExporter = {export: (_spans, done) => done({code: 0}), shutdown: async () => undefined};
const provider = new BasicTracerProvider({spanProcessors: [new BatchSpanProcessor(discard, {maxQueueSize: 100_000, maxExportBatchSize: 4096, scheduledDelayMillis: 200})]});
// The API with this provider's tracer, without registering it globally (the other variants share the process).
const sampledApi = {...api, trace: Object.assign(Object.create(api.trace) as typeof api.trace, {getTracer: (name: string) => provider.getTracer(name)})};
const notInstalled = async () => Promise.reject(Object.assign(new Error('not installed'), {code: 'ERR_MODULE_NOT_FOUND'}));

const connect = async (importOtel?: () => Promise<unknown>) =>
	PipelineClient.connect({brokers: ['inproc:1'], logger: createLogger('silent')}, async () => new EchoTransport(), importOtel);
const variants: Array<[string, PipelineClient]> = [
	['no @opentelemetry/api', await connect(notInstalled)],
	['API, no provider', await connect()],
	['SDK, 100% sampled', await connect(async () => sampledApi)],
];

const args = {payload: payload(100)};
async function drive(client: PipelineClient, n: number): Promise<void> {
	let left = n;
	await Promise.all(Array.from({length: conc}, async () => {
		while (left > 0) {
			left--;
			await client.invoke('echo', args);
		}
	}));
}

const us = new Map<string, number[]>(variants.map(([name]) => [name, []]));
for (const [, client] of variants) await drive(client, calls / 4);
for (let r = 0; r < rounds; r++) {
	for (const [name, client] of variants.map((_, i, a) => a[(i + r) % a.length]!)) {
		const cpu0 = process.cpuUsage();
		await drive(client, calls);
		const cpu = process.cpuUsage(cpu0);
		us.get(name)!.push((cpu.user + cpu.system) / calls);
	}
}

for (const [, client] of variants) await client.close();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
const base = median(us.get(variants[0]![0])!);
for (const [name, xs] of us) {
	const m = median(xs);
	console.log(`${name.padEnd(24)} ${m.toFixed(2)} µs/call (${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)})  ×${(m / base).toFixed(2)}  [c=${conc}, 100 B, ${calls} calls × ${rounds}, no Kafka]`);
}
