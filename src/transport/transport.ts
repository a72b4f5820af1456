/**
 * The few things mlbridge needs from Kafka. The client depends on this interface only, so kafkajs
 * (unmaintained since 2023) can be swapped without touching the client.
 */
export type OutgoingMessage = {
	readonly key: string;
	readonly value: Buffer;
	readonly headers?: Readonly<Record<string, string>>;
};

export type TopicSpec = {
	readonly topic: string;
	readonly numPartitions: number;
	readonly config?: Readonly<Record<string, string>>;
};

/** A consumed record's Kafka headers, as kafkajs hands them over (a repeated key: an array). */
export type RecordHeaders = Readonly<Record<string, Buffer | string | ReadonlyArray<Buffer | string> | undefined>>;

/** `headers`: the record's headers (the runner's `traceparent` on replies), when it has any. */
export type MessageHandler = (value: Buffer, headers?: RecordHeaders) => void;

/** A record of a tailed topic: tombstones (`value: null`) included. */
export type TailRecord = {readonly key: string | null; readonly value: Buffer | null};

export type RecordHandler = (record: TailRecord) => void;

export interface Transport {
	/** Create the topics that do not exist yet; existing ones are left as they are. */
	ensureTopics(specs: readonly TopicSpec[]): Promise<void>;
	/** Produce one message; sends made in the same event-loop turn travel in one request. */
	send(topic: string, message: OutgoingMessage): Promise<void>;
	/**
	 * `send` without a promise: `onFailure` runs if the message cannot be produced. For the
	 * client's per-call path, where a promise (and the microtasks that settle it) per call only to
	 * hear about a failure costs CPU on every call.
	 */
	post(topic: string, message: OutgoingMessage, onFailure: (error: unknown) => void): void;
	/** Read `topic` from its beginning; resolves once the topic's partitions are assigned to us. */
	consume(topic: string, groupId: string, onMessage: MessageHandler): Promise<void>;
	/**
	 * Read every record of `topic` from its beginning, tombstones included, as a consumer group of
	 * its own that never commits (a compacted topic such as the catalogue). Resolves once the
	 * records present when it was called have been handed to `onRecord`; keeps reading after that.
	 */
	tail(topic: string, groupId: string, onRecord: RecordHandler): Promise<void>;
	/**
	 * Resolves true once the tail of `topic` this transport runs under `groupId` has handed over
	 * every record written before the call (each partition's end offset, taken now), false when
	 * `timeoutMs` passed first. Read-your-writes for a tailed topic: after `send` resolved, this
	 * sees the record. Optional, for in-memory transports: without it, readers of a tailed topic
	 * trust what tail() read before it resolved.
	 */
	tailCaughtUp?(topic: string, groupId: string, timeoutMs: number): Promise<boolean>;
	/** The topic's `max.message.bytes`, or undefined when it cannot be read. */
	maxMessageBytes(topic: string): Promise<number | undefined>;
	/** Stop consuming, delete `deleteTopics` (best effort), then disconnect. */
	close(deleteTopics?: readonly string[]): Promise<void>;
}
