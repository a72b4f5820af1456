/**
 * The client's own CPU per call, Kafka left out: PipelineClient (invoke, request encoding, pending
 * table, deadline wheel, reply decoding and routing) over an in-memory transport that answers each
 * request with a pre-encoded reply carrying its id. What kafkajs costs is the rest of
 * `bench/client_cpu.ts`'s figure. `node --import tsx bench/client_path.ts [CALLS] [ROUNDS] [CONCURRENCY]`.
 */
import {PipelineClient, createLogger} from '../dist/src/index.js';
import {encodeReply, encodeValue, wireSchemas} from '../dist/src/codec/index.js';
import type {MessageHandler, OutgoingMessage, RecordHandler, TopicSpec, Transport} from '../dist/src/transport/transport.js';
import {payload} from './systems.js';

const [callsArg = '200000', roundsArg = '7', concArg = '256'] = process.argv.slice(2);
const calls = Number(callsArg);
const rounds = Number(roundsArg);
const conc = Number(concArg);

/** Replies as the runner writes them for `echo`: one encoded template, the id swapped in per call. */
const template = encodeReply({
	id: '00000000-0000-0000-0000-000000000000', status: 'OK', result: encodeValue(payload(100)), resultSchema: wireSchemas.value.ref,
	error: null, progress: null, runner: 'bench/1/abcdef', timings: {receivedAtMs: 1, startedAtMs: 1, finishedAtMs: 1},
});
const idOffset = template.indexOf('00000000-0000-0000-0000-000000000000', 0, 'latin1');

class EchoTransport implements Transport {
	#onReply: MessageHandler | undefined;
	#batch: string[] = [];
	async ensureTopics(_specs: readonly TopicSpec[]): Promise<void> {}
	async tail(_topic: string, _groupId: string, _onRecord: RecordHandler): Promise<void> {}
	async send(topic: string, message: OutgoingMessage): Promise<void> {
		this.post(topic, message, () => undefined);
	}

	post(_topic: string, message: OutgoingMessage, _onFailure: (error: unknown) => void): void {
		// Answered in batches on a later turn, as replies arrive from a fetch.
		if (this.#batch.push(message.key) === 1) {
			setImmediate(() => {
				const ids = this.#batch;
				this.#batch = [];
				for (const id of ids) {
					const reply = Buffer.from(template);
					reply.write(id, idOffset, 'latin1');
					this.#onReply!(reply);
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

const client = await PipelineClient.connect({brokers: ['inproc:1'], logger: createLogger('silent')}, async () => new EchoTransport());
const args = {payload: payload(100)};
async function drive(n: number): Promise<void> {
	let left = n;
	await Promise.all(Array.from({length: conc}, async () => {
		while (left > 0) {
			left--;
			await client.invoke('echo', args);
		}
	}));
}

await drive(calls / 2);
const us: number[] = [];
for (let r = 0; r < rounds; r++) {
	const cpu0 = process.cpuUsage();
	await drive(calls);
	const cpu = process.cpuUsage(cpu0);
	us.push((cpu.user + cpu.system) / calls);
}

await client.close();
const sorted = [...us].sort((a, b) => a - b);
console.log(`client path (no Kafka) ${sorted[Math.floor((sorted.length - 1) / 2)]!.toFixed(2)} µs/call (${sorted[0]!.toFixed(2)}–${sorted.at(-1)!.toFixed(2)})  [c=${conc}, 100 B, ${calls} calls × ${rounds}]`);
