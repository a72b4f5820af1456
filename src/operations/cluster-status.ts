/**
 * What `mlbridge status` shows: the runners that announced themselves on the presence topic
 * (live and stale), joined with the members of the runners' consumer groups by Kafka client.id,
 * the lag of every partition of the call and job lanes, and the dead letters kept.
 */
import type {PartitionLag, RunnerMember} from '../dashboard/cluster-view.js';
import {KafkaClusterView} from '../dashboard/kafka-cluster-view.js';
import {BrokerUnreachableError} from '../errors/invocation-errors.js';
import {readRunnerPresence, type RunnerPresence} from '../presence/presence-view.js';
import {withDeadline} from './deadline.js';
import {connectAdmin, operationsKafka} from './kafka-admin.js';
import {OperationTimeoutError} from './operations-errors.js';

export type {PartitionLag, RunnerMember} from '../dashboard/cluster-view.js';

export type StatusOptions = {
	readonly brokers: readonly string[];
	readonly requestTopic: string;
	/** The runners' consumer group; the job lane's is `<group>.jobs`. */
	readonly group: string;
	/** Default 10 000. */
	readonly timeoutMs?: number;
	/** Milliseconds since the epoch; default Date.now. */
	readonly now?: () => number;
};

/** One runner: its presence record and whether the consumer groups list it. */
export type RunnerStatus = RunnerPresence & {
	/** Its request consumer is a member of `<group>` now. */
	readonly inCallGroup: boolean;
	/** Its job-lane consumer is a member of `<group>.jobs` now. */
	readonly inJobGroup: boolean;
};

export type ClusterStatus = {
	readonly requestTopic: string;
	readonly group: string;
	readonly checkedAtMs: number;
	/** Live runners first, then stale ones (killed without a tombstone), each by id. */
	readonly runners: readonly RunnerStatus[];
	/** Group members no presence record names (a runner of an older version, another consumer). */
	readonly otherMembers: readonly RunnerMember[];
	readonly groups: ReadonlyArray<{readonly group: string; readonly state: string}>;
	readonly lag: readonly PartitionLag[];
	/** Sum of `lag` per group. */
	readonly totalLag: Readonly<Record<string, number>>;
	/** Records on the dead-letter topic within its retention; `exists` false before any runner started. */
	readonly deadLetters: {readonly topic: string; readonly exists: boolean; readonly count: number};
	/** What could not be read, said instead of thrown. */
	readonly problems: readonly string[];
};

const defaultTimeoutMs = 10_000;

/** Throws BrokerUnreachableError (no broker answered) or OperationTimeoutError (answers stopped coming). */
export async function readClusterStatus(options: StatusOptions): Promise<ClusterStatus> {
	const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
	const deadline = Date.now() + timeoutMs;
	const kafka = operationsKafka({brokers: options.brokers, timeoutMs});
	const admin = await connectAdmin(kafka, options.brokers, deadline);
	const cluster = new KafkaClusterView({brokers: options.brokers, requestTopic: options.requestTopic, group: options.group});
	const timeout = (): Error => new OperationTimeoutError('status', timeoutMs);
	try {
		const dlqTopic = `${options.requestTopic}.dlq`;
		const [presence, runners, deadLetters] = await withDeadline(Promise.all([
			readRunnerPresence({brokers: options.brokers, requestTopic: options.requestTopic, kafka, includeStale: true, timeoutMs, ...(options.now === undefined ? {} : {now: options.now})}),
			cluster.runners(),
			(async () => {
				if (!(await admin.listTopics()).includes(dlqTopic)) {
					return {topic: dlqTopic, exists: false, count: 0};
				}

				const offsets = await admin.fetchTopicOffsets(dlqTopic);
				return {topic: dlqTopic, exists: true, count: offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0)};
			})(),
		]), deadline, timeout).catch((error: unknown) => {
			throw error instanceof OperationTimeoutError || error instanceof BrokerUnreachableError ? error : new OperationTimeoutError('status', timeoutMs, error);
		});
		return joinStatus(options, presence, runners.members, runners.groups, runners.lag, deadLetters, runners.problems, (options.now ?? Date.now)());
	} finally {
		await cluster.close().catch(() => undefined);
		await admin.disconnect().catch(() => undefined);
	}
}

/** The join by client.id (exported for tests): a runner's request consumer has its presence `clientId`, its job lane `clientId-jobs`. */
export function joinStatus(
	options: Pick<StatusOptions, 'requestTopic' | 'group'>,
	presence: readonly RunnerPresence[],
	members: readonly RunnerMember[],
	groups: ReadonlyArray<{readonly group: string; readonly state: string}>,
	lag: readonly PartitionLag[],
	deadLetters: ClusterStatus['deadLetters'],
	problems: readonly string[],
	checkedAtMs: number,
): ClusterStatus {
	const jobGroup = `${options.group}.jobs`;
	const claimed = new Set<RunnerMember>();
	const member = (group: string, clientId: string): boolean => {
		const found = members.find(m => m.group === group && m.clientId === clientId);
		if (found !== undefined) {
			claimed.add(found);
		}

		return found !== undefined;
	};

	const runners = presence
		.filter(p => p.group === options.group)
		.map((p): RunnerStatus => ({...p, inCallGroup: member(options.group, p.clientId), inJobGroup: member(jobGroup, `${p.clientId}-jobs`)}))
		.sort((a, b) => Number(b.live) - Number(a.live) || a.id.localeCompare(b.id));
	const totalLag: Record<string, number> = {};
	for (const partition of lag) {
		totalLag[partition.group] = (totalLag[partition.group] ?? 0) + partition.lag;
	}

	return {
		requestTopic: options.requestTopic,
		group: options.group,
		checkedAtMs,
		runners,
		otherMembers: members.filter(m => !claimed.has(m)),
		groups: groups.map(g => ({group: g.group, state: g.state})),
		lag,
		totalLag,
		deadLetters,
		problems,
	};
}
