import {decodeRequest, decodeValue, encodeReply, encodeValue, wireSchemas, type ReplyEnvelope, type RequestEnvelope} from '../../src/codec/index.js';
import type {MessageHandler, OutgoingMessage, RecordHandler, TailRecord, TopicSpec, Transport} from '../../src/transport/transport.js';

export type FakeBehaviour = {
	/** Throw this from send() (a kafkajs-like error) while it returns true. */
	failSend?: (attempt: number) => unknown;
	/** Answer a request; undefined = never answer. */
	answer?: (request: RequestEnvelope, args: unknown) => Array<Omit<ReplyEnvelope, 'id'> & {id?: string}> | undefined;
	maxMessageBytes?: number;
};

/** A Transport that runs an in-memory "runner": for unit tests of the client's own logic only. */
export class FakeTransport implements Transport {
	readonly sent: Array<{topic: string; message: OutgoingMessage}> = [];
	readonly behaviour: FakeBehaviour;
	closedWith: readonly string[] | undefined;
	#onReply: MessageHandler | undefined;
	#sendAttempts = 0;

	constructor(behaviour: FakeBehaviour = {}) {
		this.behaviour = behaviour;
	}

	async ensureTopics(_specs: readonly TopicSpec[]): Promise<void> {}

	/** Records of the tailed (catalogue) topic, in order, including what the client produced to it. */
	readonly tailed: TailRecord[] = [];
	#tailTopic: string | undefined;
	#onTailRecord: RecordHandler | undefined;

	async tail(topic: string, _groupId: string, onRecord: RecordHandler): Promise<void> {
		this.#tailTopic = topic;
		this.#onTailRecord = onRecord;
		for (const record of this.tailed) onRecord(record);
	}

	/** Append a record to the tailed topic, as a runner publishing to the catalogue would. */
	appendTailed(record: TailRecord): void {
		this.tailed.push(record);
		this.#onTailRecord?.(record);
	}

	post(topic: string, message: OutgoingMessage, onFailure: (error: unknown) => void): void {
		this.send(topic, message).catch(onFailure);
	}

	async send(topic: string, message: OutgoingMessage): Promise<void> {
		if (topic === this.#tailTopic) {
			this.appendTailed({key: message.key, value: message.value});
			return;
		}

		this.#sendAttempts++;
		const failure = this.behaviour.failSend?.(this.#sendAttempts);
		if (failure !== undefined) {
			throw failure;
		}

		this.sent.push({topic, message});
		const request = decodeRequest(message.value);
		// Typed arguments (another argsSchema) are handed over as their Avro body.
		const args = request.argsSchema === wireSchemas.value.ref ? decodeValue(request.args) : request.args;
		const replies = this.behaviour.answer?.(request, args) ?? [];
		setImmediate(() => {
			for (const reply of replies) {
				this.deliver({...reply, id: reply.id ?? request.id});
			}
		});
	}

	deliver(reply: ReplyEnvelope): void {
		this.deliverRaw(encodeReply(reply));
	}

	/** Put any bytes on the client's reply topic. */
	deliverRaw(bytes: Buffer): void {
		this.#onReply?.(bytes);
	}

	async consume(_topic: string, _groupId: string, onMessage: MessageHandler): Promise<void> {
		this.#onReply = onMessage;
	}

	async maxMessageBytes(): Promise<number | undefined> {
		return this.behaviour.maxMessageBytes;
	}

	async close(deleteTopics: readonly string[] = []): Promise<void> {
		this.closedWith = deleteTopics;
	}
}

const timings = {receivedAtMs: 0, startedAtMs: 0, finishedAtMs: 0};

export function okReply(value: unknown): Omit<ReplyEnvelope, 'id'> {
	return {status: 'OK', result: encodeValue(value), resultSchema: wireSchemas.value.ref, error: null, progress: null, runner: 'fake', timings};
}

export function progressReply(current: number, total: number | null, message: string): Omit<ReplyEnvelope, 'id'> {
	return {status: 'PROGRESS', result: Buffer.alloc(0), resultSchema: '', error: null, progress: {current, total, message}, runner: 'fake', timings};
}
