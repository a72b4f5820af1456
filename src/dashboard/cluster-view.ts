/** What the runners and dead-letters pages show: the shapes the server's API returns. */

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

/** Kafka facts the client API does not give: consumer groups, lag, the dead-letter topic. */
export type ClusterView = {
	runners(): Promise<RunnersView>;
	deadLetters(): Promise<DeadLettersView>;
	close(): Promise<void>;
};
