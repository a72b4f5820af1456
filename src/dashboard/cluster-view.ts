/** What the runners and dead-letters pages show: the shapes the server's API returns. */
import type {JobStatus} from '../jobs/job-status.js';
import type {RunnerPresence} from '../presence/presence-view.js';

export type RunnerMember = {
	/** `<group>` (the call lane) or `<group>.jobs` (the job lane). */
	readonly group: string;
	readonly memberId: string;
	readonly clientId: string;
	readonly host: string;
	/** topic → partitions assigned to this member. */
	readonly assignment: Readonly<Record<string, readonly number[]>>;
};

export type PartitionLag = {
	readonly group: string;
	readonly topic: string;
	readonly partition: number;
	/** The group's committed offset; -1 when it committed nothing yet. */
	readonly committed: number;
	readonly end: number;
	readonly lag: number;
};

export type RunnersView = {
	readonly groups: ReadonlyArray<{readonly group: string; readonly state: string; readonly protocol: string}>;
	readonly members: readonly RunnerMember[];
	readonly lag: readonly PartitionLag[];
	/** What could not be read (a topic that does not exist yet, an admin error): shown, not thrown. */
	readonly problems: readonly string[];
};

export type DeadLetter = {
	readonly partition: number;
	readonly offset: string;
	readonly timestampMs: number;
	readonly reason: string;
	/** Every header as text (binary values shown by size). */
	readonly headers: Readonly<Record<string, string>>;
};

export type DeadLettersView = {
	readonly topic: string;
	/** False while the topic does not exist (no runner ever dead-lettered anything or started). */
	readonly exists: boolean;
	readonly total: number;
	readonly byReason: Readonly<Record<string, number>>;
	/** Newest first. */
	readonly latest: readonly DeadLetter[];
};

/** The runners' presence records (contract C): who is alive, what it serves, how busy. */
export type PresenceView = {
	readonly topic: string;
	/** False while the topic does not exist (no runner that publishes presence ever started). */
	readonly available: boolean;
	readonly problem?: string;
	/** Live runners, and silent ones (killed without a tombstone) for a while; sorted by id. */
	readonly runners: readonly RunnerPresence[];
};

/** What a watch of the job state topic tells. */
export type JobChangeHandlers = {
	/** A job's new status, as its record arrives. */
	status(status: JobStatus): void;
	/** True once records are pushed from a known position on; false while they are not (then the feed reads the client). */
	live(live: boolean): void;
};

/** Kafka facts the client API does not give: consumer groups, lag, presence, job changes, the dead-letter topic. */
export type ClusterView = {
	runners(): Promise<RunnersView>;
	presence(): Promise<PresenceView>;
	/** Hear every new job state record; returns the stop. */
	watchJobs(handlers: JobChangeHandlers): () => void;
	deadLetters(): Promise<DeadLettersView>;
	close(): Promise<void>;
};
