/**
 * Who is alive: the presence topic `<requestTopic>.runners` read from its beginning to the end
 * offsets taken at the start (compacted: the newest record per runner, a tombstone for a runner
 * that stopped cleanly). A runner whose last record is older than 3 of its publish periods was
 * killed, froze or lost the broker: it is "stale". Used by `mlbridge status` and the dashboard.
 */
import {randomBytes} from 'node:crypto';
import {type Admin, Kafka, logLevel} from 'kafkajs';
import {BrokerUnreachableError} from '../errors/invocation-errors.js';
import {withDeadline} from '../operations/deadline.js';
import {TailPositions} from '../transport/tail-positions.js';
import {kafkajsSecurityFromEnv} from '../transport/security-env.js';
import {PresenceReadTimeoutError} from './presence-errors.js';
import {decodePresenceRecord, isLive, type PresenceRecord, presenceTopicFor} from './presence-record.js';

/** A runner's last presence record, judged at the time of reading. */
export type RunnerPresence = PresenceRecord & {
	/** now - updatedAtMs (reader's clock against the runner's: skew shows up here). */
	readonly ageMs: number;
	/** now - updatedAtMs < 3 * intervalMs. */
	readonly live: boolean;
};

export type PresenceReadOptions = {
	readonly brokers: readonly string[];
	/** The runners' request topic; the presence topic is `<requestTopic>.runners`. */
	readonly requestTopic: string;
	/** Give up (BrokerUnreachableError / PresenceReadTimeoutError) after this long. Default 10 000. */
	readonly timeoutMs?: number;
	/** Also return runners whose records are stale (killed without a tombstone). Default false. */
	readonly includeStale?: boolean;
	/** A kafkajs instance to use instead of one made from `brokers` (e.g. with TLS/SASL settings). */
	readonly kafka?: Kafka;
	/** Milliseconds since the epoch; default Date.now. */
	readonly now?: () => number;
};

const defaultTimeoutMs = 10_000;

/**
 * The runners on the presence topic, sorted by id: live ones only unless `includeStale`. An
 * empty list when the topic does not exist yet (no runner of this version ever started).
 */
export async function readRunnerPresence(options: PresenceReadOptions): Promise<RunnerPresence[]> {
	const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
	const topic = presenceTopicFor(options.requestTopic);
	const kafka = options.kafka ?? new Kafka({
		clientId: 'mlbridge-presence',
		brokers: [...options.brokers],
		...kafkajsSecurityFromEnv(), // TLS and SASL from the runner's variables (docs/production.md)
		logLevel: logLevel.NOTHING,
		connectionTimeout: Math.min(3000, timeoutMs),
		retry: {retries: 2, initialRetryTime: 100, maxRetryTime: 1000},
	});
	const deadline = Date.now() + timeoutMs;
	const admin = kafka.admin();
	try {
		await withDeadline(admin.connect(), deadline, () => new BrokerUnreachableError(options.brokers, new Error(`no answer within ${timeoutMs} ms`)))
			.catch((error: unknown) => {
				throw error instanceof BrokerUnreachableError ? error : new BrokerUnreachableError(options.brokers, error);
			});
		const records = await readTopic(kafka, admin, topic, deadline, timeoutMs);
		const now = (options.now ?? Date.now)();
		return [...records.values()]
			.map((record): RunnerPresence => ({...record, ageMs: now - record.updatedAtMs, live: isLive(record, now)}))
			.filter(runner => runner.live || options.includeStale === true)
			.sort((a, b) => a.id.localeCompare(b.id));
	} finally {
		await admin.disconnect().catch(() => undefined);
	}
}

/** runner id → its newest record, tombstoned runners left out. */
async function readTopic(kafka: Kafka, admin: Admin, topic: string, deadline: number, timeoutMs: number): Promise<Map<string, PresenceRecord>> {
	const records = new Map<string, PresenceRecord>();
	const timeout = (): Error => new PresenceReadTimeoutError(topic, timeoutMs);
	if (!(await withDeadline(admin.listTopics(), deadline, timeout)).includes(topic)) {
		return records;
	}

	const ends = new Map<number, bigint>();
	for (const {partition, high, low} of await withDeadline(admin.fetchTopicOffsets(topic), deadline, timeout)) {
		if (BigInt(high) > BigInt(low)) {
			ends.set(partition, BigInt(high));
		}
	}

	if (ends.size === 0) {
		return records;
	}

	// kafkajs reads only through a group: one of our own, never committing, deleted afterwards.
	const groupId = `mlbridge-presence-${randomBytes(6).toString('hex')}`;
	const consumer = kafka.consumer({groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 100, sessionTimeout: 10_000, heartbeatInterval: 1000});
	const positions = new TailPositions();
	consumer.on(consumer.events.END_BATCH_PROCESS, ({payload}) => {
		if (payload.topic === topic) {
			positions.advance(payload.partition, BigInt(String(payload.lastOffset)));
		}
	});
	try {
		await withDeadline(consumer.connect(), deadline, timeout);
		await consumer.subscribe({topic, fromBeginning: true});
		await consumer.run({
			autoCommit: false,
			eachBatchAutoResolve: true,
			eachBatch: async ({batch}) => {
				for (const message of batch.messages) {
					apply(records, message.key, message.value);
				}
			},
		});
		if (!(await positions.waitFor(ends, Math.max(0, deadline - Date.now())))) {
			throw timeout();
		}

		return records;
	} finally {
		await consumer.disconnect().catch(() => undefined);
		await admin.deleteGroups([groupId]).catch(() => undefined);
	}
}

function apply(records: Map<string, PresenceRecord>, key: Buffer | null, value: Buffer | null): void {
	if (key === null) {
		return;
	}

	const id = key.toString('utf8');
	if (value === null) {
		records.delete(id);
		return;
	}

	try {
		records.set(id, decodePresenceRecord(value));
	} catch {
		// A record of another schema (a newer runner, a stray producer) says nothing we can read.
	}
}
