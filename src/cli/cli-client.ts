import type {ClientOptions, InvokeOptions, PipelineDescription, WireValue} from '../index.js';

export type CliArgs = Readonly<Record<string, WireValue>>;

/**
 * The part of PipelineClient the client commands use: a structural type, so unit tests drive the
 * commands with a fake and the real client fits it unchanged.
 */

export type CliJobState = 'QUEUED' | 'RUNNING' | 'CANCEL_REQUESTED' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';

export const jobStates: readonly CliJobState[] = ['QUEUED', 'RUNNING', 'CANCEL_REQUESTED', 'SUCCEEDED', 'FAILED', 'CANCELLED'];

export const terminalStates: ReadonlySet<CliJobState> = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);

export type CliProgress = {
	readonly current: number;
	readonly total?: number | undefined;
	readonly message: string;
	readonly atMs: number;
};

export type CliJobError = {
	readonly code: string;
	readonly type: string;
	readonly message: string;
	readonly traceback: string;
	readonly retryable: boolean;
	readonly causes: ReadonlyArray<{readonly type: string; readonly message: string}>;
};

export type CliJobStatus = {
	readonly id: string;
	readonly pipeline: string;
	readonly state: CliJobState;
	readonly attempt: number;
	readonly maxAttempts: number;
	readonly runner: string;
	readonly submittedBy: string;
	readonly submittedAtMs: number;
	readonly startedAtMs: number | undefined;
	readonly heartbeatAtMs: number | undefined;
	readonly finishedAtMs: number | undefined;
	readonly updatedAtMs: number;
	readonly progress: CliProgress | undefined;
	readonly error: CliJobError | undefined;
	readonly hasCheckpoint: boolean;
};

export type CliJob = {
	readonly id: string;
	readonly pipeline: string;
	result(): Promise<unknown>;
	readonly progress: AsyncIterable<CliProgress>;
	status(): Promise<CliJobStatus>;
};

export type CliPipeline = PipelineDescription & {readonly lane?: 'CALL' | 'JOB'};

export type CliClient = {
	invoke(name: string, args: CliArgs, options?: InvokeOptions): Promise<unknown>;
	listPipelines(): Promise<readonly CliPipeline[]>;
	submit(name: string, args: CliArgs, options?: {jobId?: string; maxAttempts?: number}): Promise<CliJob>;
	job(id: string): Promise<CliJob>;
	jobs(filter?: {pipeline?: string; state?: CliJobState; limit?: number}): Promise<readonly CliJobStatus[]>;
	cancel(id: string): Promise<CliJobStatus>;
	close(): Promise<void>;
};

export type ConnectClient = (options: ClientOptions) => Promise<CliClient>;
