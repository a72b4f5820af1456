import type {RunnerPresence} from '../presence/presence-view.js';
import type {PresenceView, RunnerMember} from './cluster-view.js';

/** One runner on the runners page: its presence record when it publishes one, and its group members. */
export type RunnerRow = {
	/** The presence id (`host/pid/hex`); for a runner without presence, its Kafka client id. */
	readonly id: string;
	readonly host: string;
	/** Null for a runner that publishes no presence (an older runner): only its members are known. */
	readonly presence: RunnerPresence | null;
	/** Its consumers in `<group>` and `<group>.jobs`. */
	readonly members: readonly RunnerMember[];
};

/** The job lane's consumer is named after the call lane's (contract C: `clientId + '-jobs'`). */
const jobLaneSuffix = '-jobs';

/**
 * Presence records joined with the consumer-group members by client id; members no presence
 * claims become rows of their own (one per client id, the job lane's folded into its runner's).
 */
export function runnerRows(presence: PresenceView | undefined, members: readonly RunnerMember[]): RunnerRow[] {
	const byClient = new Map<string, RunnerMember[]>();
	for (const member of members) {
		const base = member.clientId.endsWith(jobLaneSuffix) ? member.clientId.slice(0, -jobLaneSuffix.length) : member.clientId;
		const list = byClient.get(base) ?? [];
		list.push(member);
		byClient.set(base, list);
	}

	const rows: RunnerRow[] = [];
	for (const runner of presence?.runners ?? []) {
		const own = byClient.get(runner.clientId) ?? [];
		byClient.delete(runner.clientId);
		rows.push({id: runner.id, host: runner.host, presence: runner, members: own});
	}

	for (const [clientId, own] of [...byClient].sort(([a], [b]) => a.localeCompare(b))) {
		rows.push({id: clientId, host: own[0]?.host ?? '', presence: null, members: own});
	}

	return rows;
}
