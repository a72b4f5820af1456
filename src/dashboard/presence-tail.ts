import {randomBytes} from 'node:crypto';
import type {Admin, Consumer, Kafka} from 'kafkajs';
import {decodePresenceRecord, isLive, type PresenceRecord, presenceTopicFor} from '../presence/presence-record.js';
import type {RunnerPresence} from '../presence/presence-view.js';
import type {PresenceView} from './cluster-view.js';

/** A runner silent for longer than this is no longer listed (it was killed long ago). */
const staleShownMs = 15 * 60_000;
/** Bound on reading what the topic held when the tail started. */
const catchUpMs = 5000;

/**
 * The presence topic `<requestTopic>.runners` kept live by one consumer of the dashboard's own
 * (never committing): every read answers from memory, where `readRunnerPresence()` would join a
 * group per call. Started once the topic exists (the first runner that publishes creates it).
 */
export class PresenceTail {
	readonly #kafka: Kafka;
	readonly #admin: Admin;
	readonly #topic: string;
	readonly #group = `mlbridge-dashboard-presence-${randomBytes(4).toString('hex')}`;
	readonly #records = new Map<string, PresenceRecord>();
	#consumer: Consumer | undefined;
	#starting: Promise<void> | undefined;

	constructor(kafka: Kafka, admin: Admin, requestTopic: string) {
		this.#kafka = kafka;
		this.#admin = admin;
		this.#topic = presenceTopicFor(requestTopic);
	}

	get topic(): string {
		return this.#topic;
	}

	/** The runners' last records: live ones, and silent ones for a while (killed without a tombstone). */
	async read(nowMs = Date.now()): Promise<PresenceView> {
		if (this.#consumer === undefined) {
			if (!(await this.#admin.listTopics()).includes(this.#topic)) {
				return {topic: this.#topic, available: false, problem: `topic ${this.#topic} does not exist yet (no runner that publishes its presence has started)`, runners: []};
			}

			this.#starting ??= this.#start().catch((error: unknown) => {
				this.#starting = undefined;
				throw error;
			});
			await this.#starting;
		}

		const runners: RunnerPresence[] = [];
		for (const record of this.#records.values()) {
			const ageMs = nowMs - record.updatedAtMs;
			const live = isLive(record, nowMs);
			if (live || ageMs < staleShownMs) {
				runners.push({...record, ageMs, live});
			}
		}

		return {topic: this.#topic, available: true, runners: runners.sort((a, b) => a.id.localeCompare(b.id))};
	}

	async close(): Promise<void> {
		const consumer = this.#consumer;
		this.#consumer = undefined;
		if (consumer !== undefined) {
			await consumer.disconnect().catch(() => undefined);
			await this.#admin.deleteGroups([this.#group]).catch(() => undefined);
		}
	}

	/** Read from the beginning; resolves once what was there is read (bounded), then keeps reading. */
	async #start(): Promise<void> {
		const ends = new Map((await this.#admin.fetchTopicOffsets(this.#topic)).map(p => [p.partition, Number(p.high)]));
		const consumer = this.#kafka.consumer({groupId: this.#group, maxWaitTimeInMs: 200, allowAutoTopicCreation: false});
		const read = new Map<number, number>();
		let caughtUp: () => void = () => undefined;
		const done = new Promise<void>(resolve => {
			caughtUp = resolve;
		});
		const check = (): void => {
			if ([...ends].every(([partition, end]) => end === 0 || (read.get(partition) ?? 0) >= end)) {
				caughtUp();
			}
		};

		await consumer.connect();
		await consumer.subscribe({topic: this.#topic, fromBeginning: true});
		await consumer.run({
			autoCommit: false,
			eachMessage: async ({partition, message}) => {
				this.#apply(message.key, message.value);
				read.set(partition, Number(message.offset) + 1);
				check();
			},
		});
		this.#consumer = consumer;
		check();
		let timer: NodeJS.Timeout | undefined;
		await Promise.race([done, new Promise(resolve => {
			timer = setTimeout(resolve, catchUpMs);
		})]).finally(() => clearTimeout(timer));
	}

	#apply(key: Buffer | null, value: Buffer | null): void {
		if (key === null) {
			return;
		}

		const id = key.toString('utf8');
		if (value === null) {
			this.#records.delete(id);
			return;
		}

		try {
			this.#records.set(id, decodePresenceRecord(value));
		} catch {
			// A record of another schema (a newer runner) says nothing this dashboard can read.
		}
	}
}
