import type {JobFilter, JobProgressEvent, JobResultOptions, JobStatus, PipelineDescription} from '../index.js';

/**
 * The part of PipelineClient the dashboard uses: a structural type, so the server's unit tests
 * drive it with a fake and the real client fits it unchanged.
 */
export type DashboardJob = {
	readonly id: string;
	readonly pipeline: string;
	result(options?: JobResultOptions): Promise<unknown>;
	readonly progress: AsyncIterable<JobProgressEvent>;
	status(): Promise<JobStatus>;
	/** The submitted arguments, decoded; optional: a client without it shows no arguments. */
	args?(): Promise<unknown>;
};

export type DashboardClient = {
	listPipelines(): Promise<readonly PipelineDescription[]>;
	job(id: string): Promise<DashboardJob>;
	jobs(filter?: JobFilter): Promise<readonly JobStatus[]>;
	cancel(id: string): Promise<JobStatus>;
};
