import {decodeRequest, decodeValue, encodeReply, encodeValue, wireSchemas, type ReplyEnvelope, type RequestEnvelope} from '../../src/codec/index.js';
import type {MessageHandler, OutgoingMessage, RecordHandler, TailRecord, TopicSpec, Transport} from '../../src/transport/transport.js';

export type FakeBehaviour = {
	/** Throw this from send() (a kafkajs-like error) while it returns true. */
	failSend?: (attempt: number) => unknown;
	/** Answer a request; undefined = never answer. */
	answer?: (request: RequestEnvelope, args: unknown) => Array<Omit<ReplyEnvelope, 'id'> & {id?: string}> | undefined;
	maxMessageBytes?: number;
	/**
	 * Hold records appended to a log topic (the job state topic) until tailCaughtUp() is called, as
	 * a consumer lagging behind the broker would: proves a reader syncs before it concludes.
	 */
	lagLogs?: boolean;
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

	/** Tailed topics other than the catalogue: the job state topic. */
	readonly #logs = new Map<string, {records: TailRecord[]; handler: RecordHandler | undefined; delivered: number}>();
	tailCaughtUpCalls = 0;

	async tail(topic: string, _groupId: string, onRecord: RecordHandler): Promise<void> {
		if (!this.#isLog(topic)) {
			this.#tailTopic = topic;
			this.#onTailRecord = onRecord;
			for (const record of this.tailed) onRecord(record);
			return;
		}

		const log = this.#log(topic);
		log.handler = onRecord;
		this.#deliver(log, true);
	}

	async tailCaughtUp(topic: string, _groupId: string, _timeoutMs: number): Promise<boolean> {
		this.tailCaughtUpCalls++;
		const log = this.#logs.get(topic);
		if (log !== undefined) this.#deliver(log, true);
		return true;
	}

	/** Every record appended to a log topic (the job state topic), delivered or not. */
	records(topic: string): readonly TailRecord[] {
		return this.#log(topic).records;
	}

	/** Append a record to a log topic, as a runner writing the job state would. */
	append(topic: string, record: TailRecord): void {
		const log = this.#log(topic);
		log.records.push(record);
		this.#deliver(log, false);
	}

	/** The job state topic (`*.jobs.state`) and any topic appended to; the other tailed topic is the catalogue. */
	#isLog(topic: string): boolean {
		return this.#logs.has(topic) || topic.endsWith('.jobs.state');
	}

	#log(topic: string): {records: TailRecord[]; handler: RecordHandler | undefined; delivered: number} {
		let log = this.#logs.get(topic);
		if (log === undefined) {
			log = {records: [], handler: undefined, delivered: 0};
			this.#logs.set(topic, log);
		}

		return log;
	}

	#deliver(log: {records: TailRecord[]; handler: RecordHandler | undefined; delivered: number}, catchUp: boolean): void {
		if (log.handler === undefined || (this.behaviour.lagLogs === true && !catchUp)) return;
		while (log.delivered < log.records.length) log.handler(log.records[log.delivered++]!);
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
		if (this.#isLog(topic)) {
			this.append(topic, {key: message.key, value: message.value});
			return;
		}

		if (topic.endsWith('.jobs')) {
			return;
		}
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
