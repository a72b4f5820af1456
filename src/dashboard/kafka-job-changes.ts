import {randomBytes} from 'node:crypto';
import type {Admin, Consumer, Kafka} from 'kafkajs';
import {decodeJobRecord} from '../jobs/job-record.js';
import {toJobStatus, type JobStatus} from '../jobs/job-status.js';
import {defaultJobStateTopic} from '../jobs/job-topics.js';
import type {JobChangeHandlers} from './cluster-view.js';

/** How long to wait before trying again when the state topic is missing or the consumer stopped. */
const retryMs = 5000;

/**
 * Every new record of the job state topic as a status, pushed as it arrives: one consumer of the
 * dashboard's own that keeps no index (the client has one). It starts at the end offsets taken
 * before it reports itself live, so the job feed's one read at that moment plus these records
 * miss nothing.
 */
export class KafkaJobChanges {
	readonly #kafka: Kafka;
	readonly #admin: Admin;
	readonly #connect: () => Promise<void>;
	readonly #topic: string;
	readonly #group = `mlbridge-dashboard-jobs-${randomBytes(4).toString('hex')}`;
	#consumer: Consumer | undefined;
	#retry: NodeJS.Timeout | undefined;
	#stopped = false;

	constructor(kafka: Kafka, admin: Admin, connect: () => Promise<void>, requestTopic: string) {
		this.#kafka = kafka;
		this.#admin = admin;
		this.#connect = connect;
		this.#topic = defaultJobStateTopic(requestTopic);
	}

	/** Start (once); returns the stop. */
	watch(handlers: JobChangeHandlers): () => void {
		this.#stopped = false;
		void this.#start(handlers);
		return () => {
			void this.close();
		};
	}

	async close(): Promise<void> {
		this.#stopped = true;
		clearTimeout(this.#retry);
		const consumer = this.#consumer;
		this.#consumer = undefined;
		if (consumer !== undefined) {
			await consumer.disconnect().catch(() => undefined);
			await this.#admin.deleteGroups([this.#group]).catch(() => undefined);
		}
	}

	async #start(handlers: JobChangeHandlers): Promise<void> {
		if (this.#stopped || this.#consumer !== undefined) {
			return;
		}

		try {
			await this.#connect();
			if (!(await this.#admin.listTopics()).includes(this.#topic)) {
				this.#later(handlers);
				return;
			}

			// The group starts where the topic ends now; what came before is the feed's read.
			const ends = await this.#admin.fetchTopicOffsets(this.#topic);
			await this.#admin.setOffsets({groupId: this.#group, topic: this.#topic, partitions: ends.map(({partition, high}) => ({partition, offset: high}))});
			const consumer = this.#kafka.consumer({groupId: this.#group, maxWaitTimeInMs: 100, allowAutoTopicCreation: false});
			consumer.on(consumer.events.GROUP_JOIN, () => handlers.live(true));
			consumer.on(consumer.events.CRASH, ({payload}) => {
				handlers.live(false);
				if (!payload.restart && this.#consumer === consumer) {
					this.#consumer = undefined;
					void consumer.disconnect().catch(() => undefined);
					this.#later(handlers);
				}
			});
			await consumer.connect();
			await consumer.subscribe({topic: this.#topic});
			await consumer.run({
				eachMessage: async ({message}) => {
					const status = statusOf(message.key, message.value);
					if (status !== undefined) {
						handlers.status(status);
					}
				},
			});
			this.#consumer = consumer;
			if (this.#stopped) {
				await this.close();
			}
		} catch {
			handlers.live(false);
			this.#later(handlers);
		}
	}

	#later(handlers: JobChangeHandlers): void {
		if (this.#stopped) {
			return;
		}

		clearTimeout(this.#retry);
		this.#retry = setTimeout(() => {
			void this.#start(handlers);
		}, retryMs);
		this.#retry.unref();
	}
}

/** A JOB record as a status; undefined for CALL cancellations, tombstones and other schemas. */
function statusOf(key: Buffer | null, value: Buffer | null): JobStatus | undefined {
	if (key === null || value === null) {
		return undefined;
	}

	try {
		const record = decodeJobRecord(value);
		return record.subject === 'JOB' && record.id === key.toString('utf8') ? toJobStatus(record) : undefined;
	} catch {
		return undefined;
	}
}
