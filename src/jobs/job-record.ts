/**
 * Records of the job state topic (schemas/job.avsc, single-object framed, key = job id): the
 * newest full snapshot of one job, or the cancellation of one plain call (`subject: 'CALL'`).
 * See docs/jobs.md for who writes which state.
 */
import {CodecError} from '../codec/codec-errors.js';
import {frame, unframe} from '../codec/framing.js';
import {wireSchemas} from '../codec/schemas.js';
import type {RemoteErrorDetails} from '../errors/remote-errors.js';

/** The states of docs/jobs.md, in the order of the schema's enum. */
export type JobState = 'QUEUED' | 'RUNNING' | 'CANCEL_REQUESTED' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';

/** `CALL`: only the cancellation of a plain invoke (id = request id); never listed as a job. */
export type JobSubject = 'JOB' | 'CALL';

export const jobStates: readonly JobState[] = ['QUEUED', 'RUNNING', 'CANCEL_REQUESTED', 'SUCCEEDED', 'FAILED', 'CANCELLED'];

/** The last progress report of a job, as written by its runner. */
export type JobProgressData = {
	readonly current: number;
	readonly total: number | null;
	readonly message: string;
	/** When the pipeline reported it (runner's clock). */
	readonly atMs: number;
};

/** One record of the job state topic, with the field names of schemas/job.avsc. */
export type JobRecord = {
	readonly id: string;
	readonly subject: JobSubject;
	readonly state: JobState;
	readonly pipeline: string;
	/** The arguments as submitted, written with `argsSchema`; empty in CALL records. */
	readonly args: Buffer;
	readonly argsSchema: string;
	/** 0 while queued; 1 for the first run, + 1 for each take-over after a runner died. */
	readonly attempt: number;
	readonly maxAttempts: number;
	/** The runner running (or that ran) the job; `""` while queued. */
	readonly runner: string;
	/** clientId of the submitter. */
	readonly submittedBy: string;
	readonly submittedAtMs: number;
	/** Start of the current attempt; 0 before. */
	readonly startedAtMs: number;
	/** Last heartbeat of the running attempt (runner's clock); 0 when not running. */
	readonly heartbeatAtMs: number;
	/** 0 until terminal. */
	readonly finishedAtMs: number;
	/** When this record was written (writer's clock). */
	readonly updatedAtMs: number;
	/** + 1 with every progress report, kept by heartbeats: each report is seen once, in order. */
	readonly progressSeq: number;
	readonly progress: JobProgressData | null;
	/** The last checkpoint (a generic Value body); null when none. */
	readonly checkpoint: Buffer | null;
	/** SUCCEEDED: the result written with `resultSchema`; empty otherwise. */
	readonly result: Buffer;
	/** `""` when there is no result. */
	readonly resultSchema: string;
	/** FAILED or CANCELLED: what went wrong, as a reply's error. */
	readonly error: RemoteErrorDetails | null;
};

const terminal: ReadonlySet<JobState> = new Set<JobState>(['SUCCEEDED', 'FAILED', 'CANCELLED']);

/** SUCCEEDED, FAILED and CANCELLED: nobody writes over them. */
export function isTerminal(state: JobState): boolean {
	return terminal.has(state);
}

/** The framed bytes of a record. Throws for fields the schema cannot carry (e.g. a non-integer time). */
export function encodeJobRecord(record: JobRecord): Buffer {
	return frame(wireSchemas.job.fingerprint, wireSchemas.job.type.toBuffer(record));
}

/** Read a framed record. Throws CodecError for other schemas, bad frames or bodies. */
export function decodeJobRecord(bytes: Buffer): JobRecord {
	const {fingerprint, body} = unframe(bytes);
	if (!fingerprint.equals(wireSchemas.job.fingerprint)) {
		throw new CodecError('unknown-fingerprint', `Not a job record: schema fingerprint ${fingerprint.toString('hex')}, expected ${wireSchemas.job.fingerprintHex}`);
	}

	let raw: Record<string, unknown>;
	try {
		raw = wireSchemas.job.type.fromBuffer(body) as Record<string, unknown>;
	} catch (error) {
		throw new CodecError('malformed-body', `Bad job record body: ${error instanceof Error ? error.message : String(error)}`, {cause: error});
	}

	const progress = raw['progress'] as Record<string, unknown> | null;
	const error = raw['error'] as RemoteErrorDetails | null;
	return {
		id: raw['id'] as string,
		subject: raw['subject'] as JobSubject,
		state: raw['state'] as JobState,
		pipeline: raw['pipeline'] as string,
		args: raw['args'] as Buffer,
		argsSchema: raw['argsSchema'] as string,
		attempt: raw['attempt'] as number,
		maxAttempts: raw['maxAttempts'] as number,
		runner: raw['runner'] as string,
		submittedBy: raw['submittedBy'] as string,
		submittedAtMs: Number(raw['submittedAtMs']),
		startedAtMs: Number(raw['startedAtMs']),
		heartbeatAtMs: Number(raw['heartbeatAtMs']),
		finishedAtMs: Number(raw['finishedAtMs']),
		updatedAtMs: Number(raw['updatedAtMs']),
		progressSeq: raw['progressSeq'] as number,
		progress: progress === null
			? null
			: {
				current: progress['current'] as number,
				total: progress['total'] as number | null,
				message: progress['message'] as string,
				atMs: Number(progress['atMs']),
			},
		checkpoint: raw['checkpoint'] as Buffer | null,
		result: raw['result'] as Buffer,
		resultSchema: raw['resultSchema'] as string,
		error: error === null ? null : {...error, causes: error.causes.map(c => ({type: c.type, message: c.message}))},
	};
}
