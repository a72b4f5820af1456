import type {
	ClientOptions,
	InvokeOptions,
	JobFilter,
	JobProgress,
	JobResultOptions,
	JobState,
	JobStatus,
	PipelineDescription,
	SubmitOptions,
	WireValue,
} from '../index.js';

/**
 * The part of PipelineClient the client commands use: a structural type, so unit tests drive the
 * commands with a fake and the real client fits it unchanged (client-commands.ts connects one).
 */

export type CliArgs = Readonly<Record<string, WireValue>>;

export type CliJobState = JobState;

export const jobStates: readonly JobState[] = ['QUEUED', 'RUNNING', 'CANCEL_REQUESTED', 'SUCCEEDED', 'FAILED', 'CANCELLED'];

export type CliProgress = JobProgress;

export type CliJobStatus = JobStatus;

/** The handle submit() and job() return. */
export type CliJob = {
	readonly id: string;
	readonly pipeline: string;
	result(options?: JobResultOptions): Promise<unknown>;
	readonly progress: AsyncIterable<JobProgress>;
	status(): Promise<JobStatus>;
};

export type CliPipeline = PipelineDescription;

export type CliClient = {
	invoke(name: string, args: CliArgs, options?: InvokeOptions): Promise<unknown>;
	listPipelines(): Promise<readonly PipelineDescription[]>;
	submit(name: string, args: CliArgs, options?: SubmitOptions): Promise<CliJob>;
	job(id: string): Promise<CliJob>;
	jobs(filter?: JobFilter): Promise<readonly JobStatus[]>;
	cancel(id: string): Promise<JobStatus>;
	close(): Promise<void>;
};

export type ConnectClient = (options: ClientOptions) => Promise<CliClient>;
