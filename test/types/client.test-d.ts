/**
 * Type tests: compiled by `npm run typecheck`, never run. A line marked @ts-expect-error that
 * compiles makes the type check fail, so these pin the public signatures.
 */
import type {PipelineClient, WireValue} from '../../src/index.js';

type Expect<T extends true> = T;
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

declare const untyped: PipelineClient;
export type UntypedResult = Expect<Equal<Awaited<ReturnType<typeof untyped.invoke>>, WireValue>>;

// @ts-expect-error arguments are named: an array is not accepted
void untyped.invoke('p', [1, 2]);
// @ts-expect-error a Date cannot travel on the wire
void untyped.invoke('p', {when: new Date()});
void untyped.invoke('p', {big: 2n ** 60n, bytes: Buffer.from('x'), nested: {list: [null, true, 1.5, 'x']}});

type Pipelines = {
	train_model: {args: {dataset: string; epochs?: number}; result: {loss: number[]}};
	predict: {args: {rates: number[]}; result: number[]};
};
declare const typed: PipelineClient<Pipelines>;

export type TrainResult = Expect<Equal<Awaited<ReturnType<typeof typed.invoke<'train_model'>>>, {loss: number[]}>>;
void typed.invoke('train_model', {dataset: 'd'});
void typed.invoke('predict', {rates: [1]}, {timeoutMs: 100});
// @ts-expect-error unknown pipeline name
void typed.invoke('trian_model', {dataset: 'd'});
// @ts-expect-error wrong argument type
void typed.invoke('train_model', {dataset: 1});
// @ts-expect-error missing required argument
void typed.invoke('train_model', {epochs: 1});
// @ts-expect-error unknown option
void typed.invoke('predict', {rates: []}, {timeout: 5});
