/** The public views of a job record: its status and its progress events. */
import type {RemoteErrorDetails} from '../errors/remote-errors.js';
import type {JobRecord, JobState} from './job-record.js';

/** The last progress a job reported. */
export type JobProgress = {
	readonly current: number;
	/** undefined when the pipeline did not say how much there is. */
	readonly total: number | undefined;
	readonly message: string;
	/** When the pipeline reported it (runner's clock, epoch ms). */
	readonly atMs: number;
};

/** One progress report, delivered once, in order (`seq` grows by one per report). */
export type JobProgressEvent = JobProgress & {
	readonly jobId: string;
	readonly seq: number;
};

/** A job's state as the job state topic holds it. Times are epoch ms; 0 means "not yet". */
export type JobStatus = {
	readonly id: string;
	readonly pipeline: string;
	readonly state: JobState;
	/** 0 while queued; 1 for the first run, + 1 for each take-over after a runner died. */
	readonly attempt: number;
	readonly maxAttempts: number;
	/** The runner running (or that ran) it; `""` while queued. */
	readonly runner: string;
	/** clientId of the submitter. */
	readonly submittedBy: string;
	readonly submittedAtMs: number;
	readonly startedAtMs: number;
	readonly heartbeatAtMs: number;
	readonly finishedAtMs: number;
	readonly updatedAtMs: number;
	readonly progress: JobProgress | undefined;
	/** FAILED or CANCELLED: what happened. */
	readonly error: RemoteErrorDetails | undefined;
	/** Whether the job saved a checkpoint (a re-run after a runner death resumes from it). */
	readonly hasCheckpoint: boolean;
};

export function toJobStatus(record: JobRecord): JobStatus {
	return {
		id: record.id,
		pipeline: record.pipeline,
		state: record.state,
		attempt: record.attempt,
		maxAttempts: record.maxAttempts,
		runner: record.runner,
		submittedBy: record.submittedBy,
		submittedAtMs: record.submittedAtMs,
		startedAtMs: record.startedAtMs,
		heartbeatAtMs: record.heartbeatAtMs,
		finishedAtMs: record.finishedAtMs,
		updatedAtMs: record.updatedAtMs,
		progress: toProgress(record),
		error: record.error ?? undefined,
		hasCheckpoint: record.checkpoint !== null,
	};
}

/** The record's progress as an event; undefined when it carries none. */
export function toProgressEvent(record: JobRecord): JobProgressEvent | undefined {
	const progress = toProgress(record);
	return progress === undefined ? undefined : {...progress, jobId: record.id, seq: record.progressSeq};
}

function toProgress(record: JobRecord): JobProgress | undefined {
	const {progress} = record;
	if (progress === null) {
		return undefined;
	}

	return {current: progress.current, total: progress.total ?? undefined, message: progress.message, atMs: progress.atMs};
}
