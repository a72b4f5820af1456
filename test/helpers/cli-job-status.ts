import type {CliJobStatus} from '../../src/cli/cli-client.js';

/** A RUNNING job's status as the CLI receives it: submitted at `t0`, started 1 s later. */
export function cliJobStatus(t0: number, overrides: Partial<CliJobStatus> = {}): CliJobStatus {
	return {
		id: 'job-1',
		pipeline: 'train',
		state: 'RUNNING',
		attempt: 1,
		maxAttempts: 3,
		runner: 'host/42',
		submittedBy: 'c-abc',
		submittedAtMs: t0,
		startedAtMs: t0 + 1000,
		heartbeatAtMs: t0 + 2000,
		finishedAtMs: 0,
		updatedAtMs: t0 + 2000,
		progress: undefined,
		error: undefined,
		hasCheckpoint: false,
		...overrides,
	};
}
