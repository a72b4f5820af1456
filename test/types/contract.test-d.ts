/**
 * Type tests for the typed contract: connect({contract}) infers PipelineClient<P> from the
 * contract value alone. Compiled by `npm run typecheck`, never run.
 */
import {PipelineClient, type Contract, type PipelineDescription, type UntypedPipelines} from '../../src/index.js';

type Expect<T extends true> = T;
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

type Pipelines = {
	readonly train_model: {readonly args: {readonly dataset: string; readonly at?: Date}; readonly result: {readonly loss: number[]; readonly when: Date}};
	readonly add: {readonly args: {readonly a: number}; readonly result: number};
};

export const contract: Contract<Pipelines> = {
	pipelines: {
		train_model: {
			version: 2,
			doc: 'Train.',
			argsSchema: {type: 'record', name: 'Args', namespace: 'mlbridge.pipeline.train_model', fields: [
				{name: 'dataset', type: 'string'},
				{name: 'at', type: ['null', {type: 'long', logicalType: 'timestamp-millis'}], default: null},
			]},
			resultSchema: {type: 'record', name: 'R', fields: [{name: 'loss', type: {type: 'array', items: 'double'}}, {name: 'when', type: {type: 'long', logicalType: 'timestamp-millis'}}]},
		},
		add: {version: 1, argsSchema: {type: 'record', name: 'Args', fields: [{name: 'a', type: 'long'}]}, resultSchema: 'long'},
	},
};

// @ts-expect-error every pipeline of P needs its schemas
export const incomplete: Contract<Pipelines> = {pipelines: {add: {version: 1, argsSchema: 'long', resultSchema: 'long'}}};

export async function inference(): Promise<void> {
	const typed = await PipelineClient.connect({contract, brokers: ['localhost:9092']});
	type Inferred = Expect<Equal<typeof typed, PipelineClient<Pipelines>>>;
	const result = await typed.invoke('train_model', {dataset: 'd', at: new Date()});
	type Result = Expect<Equal<typeof result, {readonly loss: number[]; readonly when: Date}>>;
	const sum = await typed.invoke('add', {a: 1});
	type Sum = Expect<Equal<typeof sum, number>>;
	// @ts-expect-error not in the contract
	void typed.invoke('other', {});
	// @ts-expect-error wrong argument type
	void typed.invoke('add', {a: '1'});
	const description = await typed.describe('add');
	type Description = Expect<Equal<typeof description, PipelineDescription>>;
	// @ts-expect-error describe takes the contract's names
	void typed.describe('other');
	const list: PipelineDescription[] = await typed.listPipelines();

	const untyped = await PipelineClient.connect({brokers: ['localhost:9092']});
	type Untyped = Expect<Equal<typeof untyped, PipelineClient<UntypedPipelines>>>;
	void untyped.describe('anything');
	void [list, {} as Inferred, {} as Result, {} as Sum, {} as Description, {} as Untyped];
}
