import {
	type Admin,
	type Consumer,
	Kafka,
	type Producer,
	type RetryOptions,
} from 'kafkajs';
import type {Logger} from '../logging/logger.js';
import {applyKafkajsIdleFix} from './kafkajs-idle-fix.js';
import {kafkajsLevel, kafkajsLogCreator} from './kafkajs-log.js';
import {authorizationError, securityError} from './connect-errors.js';
import {createSocketFactory, type SocketProblem} from './kafkajs-socket.js';
import {Murmur2Partitioner} from './murmur2-partitioner.js';
import {SendBatcher} from './send-batcher.js';
import type {KafkaSecurityOptions} from './security-options.js';
import {TailPositions} from './tail-positions.js';
import type {MessageHandler, OutgoingMessage, RecordHandler, TopicSpec, Transport} from './transport.js';

export type KafkajsTransportOptions = {
	readonly brokers: readonly string[];
	readonly clientId: string;
	readonly logger: Logger;
	readonly connectionTimeoutMs: number;
	readonly retry: RetryOptions;
	/** TLS and SASL; absent: PLAINTEXT. */
	readonly security?: KafkaSecurityOptions | undefined;
	/**
	 * Replication factor of the topics this transport creates; absent: min(3, brokers in the
	 * cluster), so a three-broker cluster gets RF 3 and a dev broker RF 1.
	 */
	readonly replicationFactor?: number | undefined;
};

/** The Transport over kafkajs: one producer, one admin, and one consumer per consumed topic. */
export class KafkajsTransport implements Transport {
	readonly #kafka: Kafka;
	readonly #producer: Producer;
	readonly #admin: Admin;
	readonly #batcher: SendBatcher;
	readonly #consumers: Consumer[] = [];
	/** Read positions of each tail(), by tailKey(topic, groupId). */
	readonly #tails = new Map<string, TailPositions>();
	readonly #logger: Logger;
	readonly #replicationFactor: number | undefined;
	/** The SASL user, named in AuthorizationError. */
	readonly #principal: string | undefined;
	/** The first unfixable socket failure (TLS) while connect() runs; connect() ends on it. */
	#onProblem: ((problem: SocketProblem) => void) | undefined;

	private constructor(options: KafkajsTransportOptions) {
		applyKafkajsIdleFix();
		this.#logger = options.logger;
		this.#replicationFactor = options.replicationFactor;
		this.#principal = options.security?.sasl?.username;
		const security = options.security ?? {};
		this.#kafka = new Kafka({
			clientId: options.clientId,
			brokers: [...options.brokers],
			connectionTimeout: options.connectionTimeoutMs,
			retry: options.retry,
			...(security.ssl === undefined || security.ssl === false ? {} : {ssl: security.ssl}),
			...(security.sasl === undefined ? {} : {sasl: {...security.sasl}}),
			socketFactory: createSocketFactory(problem => {
				this.#logger.debug('transport.socket_problem', {broker: problem.broker, problem: problem.problem, error: String(problem.error)});
				this.#onProblem?.(problem);
			}),
			logLevel: kafkajsLevel(options.logger),
			logCreator: kafkajsLogCreator(options.logger),
		});
		this.#producer = this.#kafka.producer({
			allowAutoTopicCreation: false,
			createPartitioner: Murmur2Partitioner,
		});
		this.#admin = this.#kafka.admin();
		this.#batcher = new SendBatcher(async batch => {
			await this.#producer.sendBatch({
				acks: -1,
				topicMessages: [...batch].map(([topic, messages]) => ({
					topic,
					messages: messages.map(m => ({key: m.key, value: m.value, headers: m.headers})),
				})),
			});
		});
	}

	/**
	 * Rejects with AuthenticationError or TlsError as soon as the credentials are refused or a TLS
	 * failure is seen (kafkajs would retry those as connection errors), else with kafkajs's error.
	 */
	static async connect(options: KafkajsTransportOptions): Promise<KafkajsTransport> {
		const transport = new KafkajsTransport(options);
		let problem: SocketProblem | undefined;
		const unfixable = new Promise<never>((_, reject) => {
			transport.#onProblem = seen => {
				problem ??= seen;
				reject(new Error(`${seen.problem} on ${seen.broker}`));
			};
		});
		unfixable.catch(() => undefined);
		try {
			await Promise.race([Promise.all([transport.#producer.connect(), transport.#admin.connect()]), unfixable]);
			if (transport.#replicationFactor === undefined) {
				const {brokers} = await transport.#admin.describeCluster();
				transport.#defaultReplication = Math.min(3, brokers.length);
			}
		} catch (error) {
			await transport.close();
			throw securityError(error, options.brokers, options.security ?? {}, problem) ?? error;
		} finally {
			transport.#onProblem = undefined;
		}

		return transport;
	}

	/** min(3, brokers) as seen at connect, when no replication factor was given. */
	#defaultReplication = 1;

	async ensureTopics(specs: readonly TopicSpec[]): Promise<void> {
		const existing = new Set(await this.#admin.listTopics());
		const missing = specs.filter(spec => !existing.has(spec.topic));
		if (missing.length === 0) {
			return;
		}

		try {
			await this.#admin.createTopics({
				waitForLeaders: true,
				topics: missing.map(spec => ({
					topic: spec.topic,
					numPartitions: spec.numPartitions,
					replicationFactor: this.#replicationFactor ?? this.#defaultReplication,
					configEntries: Object.entries(spec.config ?? {}).map(([name, value]) => ({name, value})),
				})),
			});
		} catch (error) {
			// Another client or runner may have created it between listTopics and createTopics.
			if (!isTopicExists(error)) {
				throw authorizationError(error, {names: missing.map(spec => spec.topic), operation: 'create'}, this.#principal) ?? error;
			}
		}
	}

	send(topic: string, message: OutgoingMessage): Promise<void> {
		return this.#batcher.enqueue(topic, message);
	}

	post(topic: string, message: OutgoingMessage, onFailure: (error: unknown) => void): void {
		this.#batcher.post(topic, message, onFailure);
	}

	async consume(topic: string, groupId: string, onMessage: MessageHandler): Promise<void> {
		const {consumer, stopped} = this.#consumer(topic, groupId);
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
			// The reply topic is this client's alone, read from the start and deleted on close:
			// committing its offsets buys nothing, and kafkajs waits for each commit before the
			// next fetch (measured: 0.2–0.7 ms of every round trip).
			autoCommit: false,
			eachBatchAutoResolve: true,
			eachBatch: async ({batch}) => {
				for (const message of batch.messages) {
					if (message.value === null) {
						continue;
					}

					try {
						onMessage(message.value, message.headers);
					} catch (error) {
						// A bad reply must not make kafkajs re-deliver the whole batch forever.
						this.#logger.error('reply.handler_failed', {topic, error: String(error)});
					}
				}
			},
		});
		await Promise.race([assigned, stopped]);
	}

	async tail(topic: string, groupId: string, onRecord: RecordHandler): Promise<void> {
		// The end of each partition now: caught up once the last offset before it was handed over.
		const ends = await this.#endOffsets(topic);
		const positions = new TailPositions();
		this.#tails.set(tailKey(topic, groupId), positions);
		const {consumer, stopped} = this.#consumer(topic, groupId);
		// Emitted also for batches that held only transaction markers or compacted-away records,
		// so an end offset that no record carries is still reached.
		consumer.on(consumer.events.END_BATCH_PROCESS, ({payload}) => {
			if (payload.topic === topic) {
				positions.advance(payload.partition, BigInt(String(payload.lastOffset)));
			}
		});
		await consumer.connect();
		await consumer.subscribe({topic, fromBeginning: true});
		await consumer.run({
			autoCommit: false,
			eachBatchAutoResolve: true,
			eachBatch: async ({batch}) => {
				for (const message of batch.messages) {
					try {
						onRecord({key: message.key === null ? null : message.key.toString('utf8'), value: message.value});
					} catch (error) {
						this.#logger.error('tail.handler_failed', {topic, error: String(error)});
					}
				}
			},
		});
		await Promise.race([positions.waitFor(ends, Infinity), stopped]);
	}

	async tailCaughtUp(topic: string, groupId: string, timeoutMs: number): Promise<boolean> {
		const positions = this.#tails.get(tailKey(topic, groupId));
		if (positions === undefined) {
			return false;
		}

		const started = Date.now();
		let timer: NodeJS.Timeout | undefined;
		const ends = await Promise.race([
			this.#endOffsets(topic),
			new Promise<undefined>(resolve => {
				timer = setTimeout(() => resolve(undefined), timeoutMs);
			}),
		]).finally(() => clearTimeout(timer));
		return ends !== undefined && positions.waitFor(ends, timeoutMs - (Date.now() - started));
	}

	/** partition → end offset, for the partitions that hold anything (a tail reads nothing of the others). */
	async #endOffsets(topic: string): Promise<Map<number, bigint>> {
		const ends = new Map<number, bigint>();
		for (const {partition, high, low} of await this.#topicOffsets(topic)) {
			if (BigInt(high) > BigInt(low)) {
				ends.set(partition, BigInt(high));
			}
		}

		return ends;
	}

	/**
	 * The topic's offsets. A topic another process (a runner) created a moment ago has partitions
	 * without a leader yet, and kafkajs does not retry that here: measured, fetching 5 ms after a
	 * creation fails 9 times in 10. So those errors are retried for a few seconds.
	 */
	async #topicOffsets(topic: string): Promise<Array<{partition: number; high: string; low: string}>> {
		for (let attempt = 0; ; attempt++) {
			try {
				return await this.#admin.fetchTopicOffsets(topic);
			} catch (error) {
				const type = (error as {type?: unknown} | undefined)?.type;
				if (attempt >= 10 || typeof type !== 'string' || !leaderlessErrors.has(type)) {
					throw error;
				}

				await new Promise(resolve => setTimeout(resolve, Math.min(500, 50 * 2 ** attempt)));
			}
		}
	}

	/**
	 * A consumer closed by close(); crashes logged. `stopped` rejects when kafkajs gives up on it
	 * (a crash without restart, e.g. an ACL refusing the group or the topic), so nobody waits for an
	 * assignment that will never come.
	 */
	#consumer(topic: string, groupId: string): {consumer: Consumer; stopped: Promise<never>} {
		const consumer = this.#kafka.consumer({
			groupId,
			allowAutoTopicCreation: false,
			maxWaitTimeInMs: 200,
			sessionTimeout: 10_000,
			heartbeatInterval: 1000,
			retry: {retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 100, maxRetryTime: 2000},
		});
		this.#consumers.push(consumer);
		let giveUp: (error: unknown) => void = () => undefined;
		const stopped = new Promise<never>((_, reject) => {
			giveUp = reject;
		});
		stopped.catch(() => undefined);
		consumer.on(consumer.events.CRASH, event => {
			// kafkajs restarts the consumer itself after retriable errors; say so only when it gives up.
			const level = event.payload.restart ? 'info' : 'error';
			this.#logger[level]('transport.consumer_crashed', {topic, restart: event.payload.restart, error: String(event.payload.error)});
			if (!event.payload.restart) {
				const error: unknown = event.payload.error;
				const onTopic = (error as {type?: unknown} | null)?.type === 'TOPIC_AUTHORIZATION_FAILED';
				giveUp(authorizationError(error, {names: [onTopic ? topic : groupId], operation: 'read'}, this.#principal) ?? this.#coordinatorHint(error, groupId));
			}
		});
		return {consumer, stopped};
	}

	/**
	 * kafkajs drops the FindCoordinator answer ("group authorization failed" included) and says only
	 * "Failed to find group coordinator": name both causes it may stand for.
	 */
	#coordinatorHint(error: unknown, groupId: string): unknown {
		if ((error as {name?: unknown} | null)?.name !== 'KafkaJSGroupCoordinatorNotFound') {
			return error;
		}

		const who = this.#principal === undefined ? '' : ` to User:${this.#principal}`;
		return new Error(`No coordinator for consumer group ${groupId}: the brokers are unreachable, or an ACL denies Read on group ${groupId}${who}`, {cause: error});
	}

	async maxMessageBytes(topic: string): Promise<number | undefined> {
		try {
			const result = await this.#admin.describeConfigs({
				includeSynonyms: false,
				resources: [{type: 2, name: topic, configNames: ['max.message.bytes']}],
			});
			const value = result.resources[0]?.configEntries.find(e => e.configName === 'max.message.bytes')?.configValue;
			return value === undefined ? undefined : Number(value);
		} catch {
			return undefined;
		}
	}

	async close(deleteTopics: readonly string[] = []): Promise<void> {
		this.#tails.clear();
		const consumers = this.#consumers.splice(0);
		this.#report(await Promise.allSettled(consumers.map(async consumer => consumer.disconnect())));
		if (deleteTopics.length > 0) {
			// After the consumers left, so none of them logs errors about a topic that vanished.
			this.#report(
				await Promise.allSettled([this.#admin.deleteTopics({topics: [...deleteTopics], timeout: 5000})]),
			);
		}

		this.#report(await Promise.allSettled([this.#producer.disconnect(), this.#admin.disconnect()]));
	}

	#report(results: ReadonlyArray<PromiseSettledResult<unknown>>): void {
		for (const result of results) {
			if (result.status === 'rejected') {
				this.#logger.debug('transport.close_step_failed', {error: String(result.reason)});
			}
		}
	}
}

/** What a partition without a leader yet answers. */
const leaderlessErrors: ReadonlySet<string> = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'NOT_LEADER_FOR_PARTITION', 'LEADER_NOT_AVAILABLE']);

function tailKey(topic: string, groupId: string): string {
	return `${topic}\u0000${groupId}`;
}

function isTopicExists(error: unknown): boolean {
	if (typeof error !== 'object' || error === null) {
		return false;
	}

	const {type, errors} = error as {type?: unknown; errors?: unknown};
	if (type === 'TOPIC_ALREADY_EXISTS') {
		return true;
	}

	return Array.isArray(errors) && errors.length > 0 && errors.every(e => isTopicExists(e));
}
