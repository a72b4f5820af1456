import {randomBytes} from 'node:crypto';
import {type Admin, AssignerProtocol, type Consumer, Kafka, logLevel} from 'kafkajs';
import type {ClusterView, DeadLetter, DeadLettersView, JobChangeHandlers, PartitionLag, PresenceView, RunnerMember, RunnersView} from './cluster-view.js';
import {KafkaJobChanges} from './kafka-job-changes.js';
import {PresenceTail} from './presence-tail.js';
import {kafkajsSecurityFromEnv} from '../transport/security-env.js';

/** The dead-letter header the Python runner writes the reason to (runner/dlq.py). */
export const dlqReasonHeader = 'mlbridge.dlq.reason';
/** How many of the newest dead letters are kept for the page. */
const latestKept = 50;

export type KafkaClusterViewOptions = {
	readonly brokers: readonly string[];
	readonly requestTopic: string;
	/** The runners' consumer group; the job lane's is `<group>.jobs`. */
	readonly group: string;
};

/**
 * Consumer groups and lag through kafkajs's admin API; the presence and dead-letter topics read
 * by consumers of its own (a group per dashboard, never committing) from their beginning.
 */
export class KafkaClusterView implements ClusterView {
	readonly #options: KafkaClusterViewOptions;
	readonly #kafka: Kafka;
	readonly #admin: Admin;
	readonly #presence: PresenceTail;
	readonly #jobChanges: KafkaJobChanges;
	#connected: Promise<void> | undefined;
	#dlq: Consumer | undefined;
	#dlqStarting: Promise<void> | undefined;
	readonly #dlqGroup = `mlbridge-dashboard-dlq-${randomBytes(4).toString('hex')}`;
	readonly #byReason = new Map<string, number>();
	readonly #latest: DeadLetter[] = [];
	#total = 0;

	constructor(options: KafkaClusterViewOptions) {
		this.#options = options;
		// TLS and SASL from the runner's variables (docs/production.md), as the dashboard's client.
		this.#kafka = new Kafka({clientId: 'mlbridge-dashboard', brokers: [...options.brokers], ...kafkajsSecurityFromEnv(), logLevel: logLevel.NOTHING, retry: {retries: 2}});
		this.#admin = this.#kafka.admin();
		this.#presence = new PresenceTail(this.#kafka, this.#admin, options.requestTopic);
		this.#jobChanges = new KafkaJobChanges(this.#kafka, this.#admin, async () => this.#connect(), options.requestTopic);
	}

	get dlqTopic(): string {
		return `${this.#options.requestTopic}.dlq`;
	}

	async runners(): Promise<RunnersView> {
		await this.#connect();
		const {group, requestTopic} = this.#options;
		const lanes: Array<[string, string]> = [[group, requestTopic], [`${group}.jobs`, `${requestTopic}.jobs`]];
		const problems: string[] = [];
		const {groups} = await this.#admin.describeGroups(lanes.map(([g]) => g));
		const members: RunnerMember[] = [];
		for (const description of groups) {
			for (const member of description.members) {
				members.push({
					group: description.groupId,
					memberId: member.memberId,
					clientId: member.clientId,
					host: member.clientHost.replace(/^\//, ''),
					assignment: decodeAssignment(member.memberAssignment),
				});
			}
		}

		const topics = new Set(await this.#admin.listTopics());
		const lag: PartitionLag[] = [];
		for (const [laneGroup, topic] of lanes) {
			if (!topics.has(topic)) {
				problems.push(`topic ${topic} does not exist yet`);
				continue;
			}

			try {
				const [ends, [committed]] = await Promise.all([
					this.#admin.fetchTopicOffsets(topic),
					this.#admin.fetchOffsets({groupId: laneGroup, topics: [topic]}),
				]);
				const byPartition = new Map((committed?.partitions ?? []).map(p => [p.partition, Number(p.offset)]));
				for (const {partition, high, low} of ends) {
					const offset = byPartition.get(partition) ?? -1;
					const end = Number(high);
					lag.push({group: laneGroup, topic, partition, committed: offset, end, lag: Math.max(0, end - (offset >= 0 ? offset : Number(low)))});
				}
			} catch (error) {
				problems.push(`lag of ${laneGroup} on ${topic}: ${String(error)}`);
			}
		}

		lag.sort((a, b) => a.group.localeCompare(b.group) || a.partition - b.partition);
		return {
			groups: groups.map(g => ({group: g.groupId, state: g.state, protocol: g.protocol})).sort((a, b) => a.group.localeCompare(b.group)),
			members: members.sort((a, b) => a.group.localeCompare(b.group) || a.clientId.localeCompare(b.clientId)),
			lag,
			problems,
		};
	}

	async presence(): Promise<PresenceView> {
		await this.#connect();
		return this.#presence.read();
	}

	watchJobs(handlers: JobChangeHandlers): () => void {
		return this.#jobChanges.watch(handlers);
	}

	async deadLetters(): Promise<DeadLettersView> {
		await this.#connect();
		const topic = this.dlqTopic;
		if (this.#dlq === undefined) {
			const exists = (await this.#admin.listTopics()).includes(topic);
			if (!exists) {
				return {topic, exists: false, total: 0, byReason: {}, latest: []};
			}

			this.#dlqStarting ??= this.#startDlq().catch((error: unknown) => {
				this.#dlqStarting = undefined;
				throw error;
			});
			await this.#dlqStarting;
		}

		return {topic, exists: true, total: this.#total, byReason: Object.fromEntries(this.#byReason), latest: [...this.#latest]};
	}

	async close(): Promise<void> {
		await this.#jobChanges.close();
		await this.#presence.close();
		const consumer = this.#dlq;
		this.#dlq = undefined;
		if (consumer !== undefined) {
			await consumer.disconnect().catch(() => undefined);
			await this.#admin.deleteGroups([this.#dlqGroup]).catch(() => undefined);
		}

		await this.#admin.disconnect().catch(() => undefined);
	}

	async #connect(): Promise<void> {
		this.#connected ??= this.#admin.connect().catch((error: unknown) => {
			this.#connected = undefined;
			throw error;
		});
		await this.#connected;
	}

	/** Read the dead-letter topic from its beginning; resolves once what was there is read (bounded). */
	async #startDlq(): Promise<void> {
		const topic = this.dlqTopic;
		const ends = new Map((await this.#admin.fetchTopicOffsets(topic)).map(p => [p.partition, Number(p.high)]));
		const consumer = this.#kafka.consumer({groupId: this.#dlqGroup, maxWaitTimeInMs: 200, allowAutoTopicCreation: false});
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
		await consumer.subscribe({topic, fromBeginning: true});
		await consumer.run({
			autoCommit: false,
			eachMessage: async ({partition, message}) => {
				const headers: Record<string, string> = {};
				for (const [name, value] of Object.entries(message.headers ?? {})) {
					headers[name] = headerText(value);
				}

				const reason = headers[dlqReasonHeader] ?? '(no reason header)';
				this.#total++;
				this.#byReason.set(reason, (this.#byReason.get(reason) ?? 0) + 1);
				this.#latest.unshift({partition, offset: message.offset, timestampMs: Number(message.timestamp), reason, headers});
				this.#latest.length = Math.min(this.#latest.length, latestKept);
				read.set(partition, Number(message.offset) + 1);
				check();
			},
		});
		this.#dlq = consumer;
		check();
		let timer: NodeJS.Timeout | undefined;
		await Promise.race([done, new Promise(resolve => {
			timer = setTimeout(resolve, 5000);
		})]).finally(() => clearTimeout(timer));
	}
}

/** topic → partitions; `{}` when the bytes are not a consumer-protocol assignment. */
export function decodeAssignment(bytes: Buffer | undefined): Record<string, number[]> {
	if (bytes === undefined || bytes.length === 0) {
		return {};
	}

	try {
		const decoded = AssignerProtocol.MemberAssignment.decode(bytes);
		const assignment: Record<string, number[]> = {};
		for (const [topic, partitions] of Object.entries(decoded?.assignment ?? {})) {
			assignment[topic] = [...partitions].sort((a, b) => a - b);
		}

		return assignment;
	} catch {
		return {};
	}
}

function headerText(value: unknown): string {
	if (value === undefined || value === null) {
		return '';
	}

	if (Array.isArray(value)) {
		return value.map(v => headerText(v)).join(', ');
	}

	const text = Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
	// Binary headers (not text) are shown by their size.
	// eslint-disable-next-line no-control-regex
	return /[\u0000-\u0008\u000E-\u001F\uFFFD]/.test(text) ? `<${Buffer.byteLength(text)} bytes>` : text.slice(0, 2000);
}
