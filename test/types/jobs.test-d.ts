/**
 * Type tests of the job API: compiled by `npm run typecheck`, never run. A line marked
 * @ts-expect-error that compiles makes the type check fail.
 */
import type {Job, JobProgressEvent, JobState, JobStatus, PipelineClient, WireValue} from '../../src/index.js';

type Expect<T extends true> = T;
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

type Pipelines = {
	train_model: {args: {dataset: string; epochs?: number}; result: {loss: number[]}};
	predict: {args: {rates: number[]}; result: number[]};
};
declare const typed: PipelineClient<Pipelines>;
declare const untyped: PipelineClient;

export type TypedSubmit = Expect<Equal<ReturnType<typeof typed.submit<'train_model'>>, Promise<Job<{loss: number[]}>>>>;
export type TypedResult = Expect<Equal<ReturnType<Job<{loss: number[]}>['result']>, Promise<{loss: number[]}>>>;
export type UntypedSubmit = Expect<Equal<Awaited<ReturnType<typeof untyped.submit>>, Job<WireValue>>>;
export type Reattached = Expect<Equal<Awaited<ReturnType<typeof typed.job>>, Job<unknown>>>;
export type Listed = Expect<Equal<Awaited<ReturnType<typeof typed.jobs>>, JobStatus[]>>;
export type Cancelled = Expect<Equal<Awaited<ReturnType<typeof typed.cancel>>, JobStatus>>;
export type Progress = Expect<Equal<Job<number>['progress'], AsyncIterable<JobProgressEvent>>>;
export type State = Expect<Equal<JobStatus['state'], JobState>>;

void typed.submit('train_model', {dataset: 'd'}, {jobId: 'nightly-2026-12-04', maxAttempts: 2, onProgress: (p: JobProgressEvent) => p.seq});
void typed.jobs({pipeline: 'train_model', state: ['RUNNING', 'QUEUED'], limit: 10});
// @ts-expect-error unknown pipeline name
void typed.submit('trian_model', {dataset: 'd'});
// @ts-expect-error wrong argument type
void typed.submit('train_model', {dataset: 1});
// @ts-expect-error unknown option
void typed.submit('predict', {rates: []}, {timeoutMs: 5});
// @ts-expect-error not a state
void typed.jobs({state: 'DONE'});
declare const job: Job<number[]>;
void job.result({timeoutMs: 1000, signal: AbortSignal.timeout(5)});
// @ts-expect-error result() takes no positional timeout
void job.result(1000);
