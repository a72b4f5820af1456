/**
 * Reply topics of clients that are gone, found and deleted (`mlbridge gc-replies`).
 *
 * A client makes its reply topic `<prefix><clientId>[-hex]` (1 partition, `retention.ms` = its
 * reply retention) and deletes it on close; one that crashed, or was configured to keep it, leaves
 * it behind. A topic is "gone" only when all of these hold:
 * - no consumer reads it: no member of any group is assigned or subscribed to it (the TypeScript
 *   client reads it in a group named as the topic). A client that reads with assign() and no group
 *   (the Java client) is invisible to the broker, hence the next rule;
 * - its newest record is older than the idle time (`--idle`, default the topic's own
 *   `retention.ms`): every call's reply lands there, so a client that called within that time
 *   has a newer record. A topic never written to has no age and is kept;
 * - it is not one of the caller's own (`exclude`).
 */
import {type Admin, AssignerProtocol, type GroupDescription} from 'kafkajs';
import {decodeAssignment} from '../dashboard/kafka-cluster-view.js';
import {BrokerUnreachableError} from '../errors/invocation-errors.js';
import {withDeadline} from './deadline.js';
import {connectAdmin, operationsKafka} from './kafka-admin.js';
import {OperationTimeoutError, ReplyTopicDeleteError} from './operations-errors.js';

export const defaultReplyTopicPrefix = 'ml.pipeline.reply.';

export type ReplyGcOptions = {
	readonly brokers: readonly string[];
	/** Default `ml.pipeline.reply.` (the clients' `replyTopicPrefix`). */
	readonly prefix?: string;
	/** A topic whose newest record is older than this is idle; default each topic's `retention.ms`. */
	readonly idleMs?: number;
	/** Only report; delete nothing. */
	readonly dryRun?: boolean;
	/** Topics never to delete (the caller's own reply topic). */
	readonly exclude?: readonly string[];
	/** Default 10 000. */
	readonly timeoutMs?: number;
	/** Milliseconds since the epoch; default Date.now. */
	readonly now?: () => number;
};

export type ReplyTopicVerdict = {
	readonly topic: string;
	readonly action: 'delete' | 'keep';
	/** Why, in words. */
	readonly reason: string;
	/** The groups whose members read the topic now. */
	readonly readers: readonly string[];
	/** The idle time applied (ms). */
	readonly idleMs: number;
	/** Records the topic holds now (end - start offset). */
	readonly records: number;
};

export type ReplyGcResult = {
	readonly prefix: string;
	readonly dryRun: boolean;
	/** Every topic under the prefix, by name. */
	readonly topics: readonly ReplyTopicVerdict[];
	/** Deleted by this run (empty with dryRun). */
	readonly deleted: readonly string[];
};

const defaultTimeoutMs = 10_000;

/** Throws BrokerUnreachableError, OperationTimeoutError, or ReplyTopicDeleteError (after deleting what it could). */
export async function collectReplyTopics(options: ReplyGcOptions): Promise<ReplyGcResult> {
	const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
	const deadline = Date.now() + timeoutMs;
	const prefix = options.prefix ?? defaultReplyTopicPrefix;
	const admin = await connectAdmin(operationsKafka({brokers: options.brokers, timeoutMs}), options.brokers, deadline);
	try {
		const verdicts = await withDeadline(judge(admin, prefix, options), deadline, () => new OperationTimeoutError('gc-replies', timeoutMs))
			.catch((error: unknown) => {
				throw error instanceof OperationTimeoutError || error instanceof BrokerUnreachableError ? error : new OperationTimeoutError('gc-replies', timeoutMs, error);
			});
		const doomed = verdicts.filter(v => v.action === 'delete').map(v => v.topic);
		if (options.dryRun === true || doomed.length === 0) {
			return {prefix, dryRun: options.dryRun === true, topics: verdicts, deleted: []};
		}

		try {
			await admin.deleteTopics({topics: doomed, timeout: Math.max(1000, deadline - Date.now())});
		} catch (error) {
			throw new ReplyTopicDeleteError(doomed, error);
		}

		return {prefix, dryRun: false, topics: verdicts, deleted: doomed};
	} finally {
		await admin.disconnect().catch(() => undefined);
	}
}

async function judge(admin: Admin, prefix: string, options: ReplyGcOptions): Promise<ReplyTopicVerdict[]> {
	const exclude = new Set(options.exclude ?? []);
	const topics = (await admin.listTopics()).filter(t => t.startsWith(prefix) && t.length > prefix.length).sort();
	if (topics.length === 0) {
		return [];
	}

	const readers = await topicReaders(admin);
	const retention = await retentionOf(admin, topics);
	const now = (options.now ?? Date.now)();
	const verdicts: ReplyTopicVerdict[] = [];
	for (const topic of topics) {
		const idleMs = options.idleMs ?? retention.get(topic) ?? 3_600_000;
		const groups = [...(readers.get(topic) ?? [])].sort();
		const offsets = await admin.fetchTopicOffsets(topic);
		const records = offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
		const verdict = (action: 'delete' | 'keep', reason: string): ReplyTopicVerdict => ({topic, action, reason, readers: groups, idleMs, records});
		if (exclude.has(topic)) {
			verdicts.push(verdict('keep', 'the caller\'s own'));
		} else if (groups.length > 0) {
			verdicts.push(verdict('keep', `read by ${groups.join(', ')}`));
		} else if (offsets.every(p => Number(p.high) === 0)) {
			verdicts.push(verdict('keep', 'never written to: its age is unknown'));
		} else if (records === 0) {
			// Everything expired: the newest record is older than the topic's retention.
			const expiredIdle = idleMs <= (retention.get(topic) ?? Infinity);
			verdicts.push(verdict(expiredIdle ? 'delete' : 'keep', expiredIdle ? 'no reader; all records expired' : 'no reader; records expired, but the retention is shorter than --idle'));
		} else {
			const newer = await admin.fetchTopicOffsetsByTimestamp(topic, now - idleMs);
			const ends = new Map(offsets.map(p => [p.partition, Number(p.high)]));
			const idle = newer.every(p => Number(p.offset) < 0 || Number(p.offset) >= (ends.get(p.partition) ?? 0));
			verdicts.push(idle
				? verdict('delete', `no reader; newest record older than ${idleMs} ms`)
				: verdict('keep', `no reader, but a record within the last ${idleMs} ms`));
		}
	}

	return verdicts;
}

/** topic → groups with a live member assigned or subscribed to it; a group named as the topic counts while it has members. */
async function topicReaders(admin: Admin): Promise<Map<string, Set<string>>> {
	const readers = new Map<string, Set<string>>();
	const add = (topic: string, group: string): void => {
		readers.set(topic, (readers.get(topic) ?? new Set()).add(group));
	};

	const {groups} = await admin.listGroups();
	const ids = groups.filter(g => g.protocolType === 'consumer' || g.protocolType === '').map(g => g.groupId);
	const described: GroupDescription[] = ids.length === 0 ? [] : (await admin.describeGroups(ids)).groups;
	for (const group of described) {
		if (group.members.length === 0) {
			continue;
		}

		add(group.groupId, group.groupId);
		for (const member of group.members) {
			for (const topic of Object.keys(decodeAssignment(member.memberAssignment))) {
				add(topic, group.groupId);
			}

			for (const topic of subscribedTopics(member.memberMetadata)) {
				add(topic, group.groupId);
			}
		}
	}

	return readers;
}

function subscribedTopics(metadata: Buffer | undefined): string[] {
	if (metadata === undefined || metadata.length === 0) {
		return [];
	}

	try {
		return [...(AssignerProtocol.MemberMetadata.decode(metadata)?.topics ?? [])];
	} catch {
		return [];
	}
}

/** topic → retention.ms (absent when unlimited or unreadable). */
async function retentionOf(admin: Admin, topics: readonly string[]): Promise<Map<string, number>> {
	const retention = new Map<string, number>();
	const {resources} = await admin.describeConfigs({
		includeSynonyms: false,
		resources: topics.map(name => ({type: 2, name, configNames: ['retention.ms']})),
	});
	for (const resource of resources) {
		const value = Number(resource.configEntries.find(e => e.configName === 'retention.ms')?.configValue);
		if (Number.isFinite(value) && value >= 0) {
			retention.set(resource.resourceName, value);
		}
	}

	return retention;
}
