/**
 * Type tests for `mlbridge codegen` output: `generated/pipelines.gen.ts` is what
 * `npm run codegen:fixtures` writes from test/fixtures/typed_pipelines.py. Compiled by
 * `npm run typecheck`, never run: every @ts-expect-error line must fail to compile.
 */
import {PipelineClient, type Contract} from '../../src/index.js';
import {contract, type Optimizer, type Pipelines, type TrainResult, type TypedTrainArgs} from './generated/pipelines.gen.js';

type Expect<T extends true> = T;
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

declare const client: PipelineClient<Pipelines>;

// Results are the typed ones.
async function results(): Promise<void> {
	const sum: number = await client.invoke('typed_add', {a: 1, b: 2});
	const trained = await client.invoke('typed_train', {dataset: 'd', config: {epochs: 2}});
	const when: Date = trained.trained_at;
	const optimizer: Optimizer = (await client.invoke('typed_echo', echoArgs)).optimizer;
	const totals: Record<string, number> = await client.invoke('typed_weigh', {samples: [{label: 'a'}, {}]});
	const nothing: null = await client.invoke('typed_nothing', {});
	void [sum, when, optimizer, totals, nothing];
	// @ts-expect-error the result of typed_add is a number, not a string
	const wrong: string = await client.invoke('typed_add', {a: 1});
	void wrong;
}

void results;

export type TrainResultType = Expect<Equal<Awaited<ReturnType<typeof client.invoke<'typed_train'>>>, TrainResult>>;
export type TrainArgsType = Expect<Equal<Parameters<typeof client.invoke<'typed_train'>>[1], TypedTrainArgs>>;
export type EchoRaw = Expect<Equal<Pipelines['typed_echo']['result']['raw'], Buffer>>;
export type EchoEither = Expect<Equal<Pipelines['typed_echo']['result']['either'], number | string>>;
export type EchoMaybe = Expect<Equal<Pipelines['typed_echo']['result']['maybe'], number | null>>;
export type TrainMode = Expect<Equal<NonNullable<TypedTrainArgs['mode']>, 'fast' | 'full'>>;

const echoArgs = {
	i: 1,
	f: 1.5,
	s: 's',
	b: true,
	raw: Buffer.from('x'),
	day: new Date(),
	at: new Date(),
	optimizer: 'ADAM',
} as const satisfies Pipelines['typed_echo']['args'];

// Arguments with a default may be left out, and nested ones too (TrainConfig.learning_rate ...).
void client.invoke('typed_train', {dataset: 'd', config: {epochs: 1, optimizer: 'SGD'}, mode: 'full', tags: null});
void client.invoke('typed_echo', {...echoArgs, maybe: null, either: 'x', items: ['a'], scores: {a: 1}});

// @ts-expect-error unknown pipeline name
void client.invoke('typed_ad', {a: 1});
// @ts-expect-error unknown argument name
void client.invoke('typed_add', {a: 1, c: 2});
// @ts-expect-error wrong argument type
void client.invoke('typed_add', {a: '1'});
// @ts-expect-error missing required argument
void client.invoke('typed_add', {b: 2});
// @ts-expect-error missing required nested field (TrainConfig.epochs)
void client.invoke('typed_train', {dataset: 'd', config: {}});
// @ts-expect-error not a symbol of the enum
void client.invoke('typed_train', {dataset: 'd', config: {epochs: 1, optimizer: 'RMSPROP'}});
// @ts-expect-error not one of the Literal's values
void client.invoke('typed_train', {dataset: 'd', config: {epochs: 1}, mode: 'slow'});
// @ts-expect-error bytes are a Buffer, not a string
void client.invoke('typed_echo', {...echoArgs, raw: 'x'});
// @ts-expect-error a datetime is a Date, not a number
void client.invoke('typed_echo', {...echoArgs, at: 0});
// @ts-expect-error a pipeline without parameters takes no arguments
void client.invoke('typed_nothing', {x: 1});

// The contract pins one schema per pipeline and carries the Pipelines type.
export const pinned: Contract<Pipelines> = contract;
export type ContractNames = Expect<Equal<keyof typeof contract.pipelines, keyof Pipelines>>;

// connect({contract}) infers the client's type from the generated contract alone.
async function connected(): Promise<void> {
	const inferred = await PipelineClient.connect({brokers: ['localhost:9092'], contract});
	const check: Expect<Equal<typeof inferred, PipelineClient<Pipelines>>> = true;
	const sum: number = await inferred.invoke('typed_add', {a: 1, b: 2});
	// @ts-expect-error unknown pipeline name, through the inferred type
	void inferred.invoke('add', {a: 1, b: 2});
	void [check, sum];
}

void connected;
