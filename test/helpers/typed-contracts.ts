/**
 * Contracts for test/fixtures/typed_pipelines.py (v1) and typed_pipelines_v2.py (v2), built from
 * the runner's own catalogue dump (`python -m mlbridge_runner catalog --pipelines FILE --json`,
 * snapshots in test/fixtures/typed-catalog-v*.json), with hand-written types.
 */
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import type {AvroSchema, Contract, PipelineTypes} from '../../src/index.js';
import {fixturesDir} from './harness.js';

export type Optimizer = 'SGD' | 'ADAM';

export type TrainArgs = {
	readonly dataset: string;
	readonly config: {readonly epochs: number; readonly learning_rate?: number; readonly optimizer?: Optimizer; readonly layers?: number[]};
	readonly mode?: 'fast' | 'full';
	readonly tags?: Record<string, string> | null;
};

export type TrainResult = {
	readonly model_id: string;
	readonly metrics: {readonly accuracy: number; readonly loss: number};
	readonly history: number[];
	readonly trained_at: Date;
	readonly tags: Record<string, string>;
	readonly mode: 'fast' | 'full';
};

export type EchoArgs = {
	readonly i: number;
	readonly f: number;
	readonly s: string;
	readonly b: boolean;
	readonly raw: Buffer;
	readonly day: Date;
	readonly at: Date;
	readonly optimizer: Optimizer;
	readonly maybe?: number | null;
	readonly either?: number | string;
	readonly items?: string[];
	readonly scores?: Record<string, number>;
};

export type EchoResult = Required<EchoArgs> & {readonly nothing: null};

export type Sample = {readonly label?: string | null; readonly weight?: number | null};

export type PipelinesV1 = {
	readonly typed_train: {readonly args: TrainArgs; readonly result: TrainResult};
	readonly typed_echo: {readonly args: EchoArgs; readonly result: EchoResult};
	readonly typed_add: {readonly args: {readonly a: number; readonly b?: number}; readonly result: number};
	readonly typed_weigh: {
		readonly args: {readonly samples: Sample[]; readonly origin?: {readonly x: number; readonly y: number} | null};
		readonly result: Record<string, number>;
	};
	readonly typed_nothing: {readonly args: Record<string, never>; readonly result: null};
	readonly typed_pid: {readonly args: Record<string, never>; readonly result: number};
	readonly typed_bad_result: {readonly args: {readonly kind?: string}; readonly result: {readonly accuracy: number; readonly loss: number}};
};

export type PipelinesV2 = {
	readonly typed_train: {readonly args: TrainArgs & {readonly seed?: number | null}; readonly result: TrainResult & {readonly notes: string | null}};
	readonly typed_echo: {readonly args: EchoArgs & {readonly note?: string | null}; readonly result: EchoResult & {readonly note: string | null}};
	readonly typed_add: {readonly args: {readonly a: number; readonly b?: number; readonly c?: number}; readonly result: number};
	readonly typed_weigh: {
		readonly args: PipelinesV1['typed_weigh']['args'] & {readonly scale?: number};
		readonly result: Record<string, number>;
	};
	readonly typed_nothing: PipelinesV1['typed_nothing'];
	readonly typed_pid: PipelinesV1['typed_pid'];
	readonly typed_bad_result: PipelinesV1['typed_bad_result'];
};

export type CatalogDumpEntry = {
	readonly name: string;
	readonly version: number;
	readonly doc: string;
	readonly typed: boolean;
	readonly argsRef: string;
	readonly argsSchema: string;
	readonly resultRef: string;
	readonly resultSchema: string;
};

export function catalogDump(version: 1 | 2): CatalogDumpEntry[] {
	return JSON.parse(readFileSync(join(fixturesDir, `typed-catalog-v${version}.json`), 'utf8')) as CatalogDumpEntry[];
}

export function dumpEntry(version: 1 | 2, name: string): CatalogDumpEntry {
	const found = catalogDump(version).find(e => e.name === name);
	if (found === undefined) throw new Error(`no ${name} in typed-catalog-v${version}.json`);
	return found;
}

/** A contract as codegen would print it, from catalogue entries. */
export function contractOf<P extends PipelineTypes>(entries: readonly CatalogDumpEntry[]): Contract<P> {
	const pipelines: Record<string, {version: number; doc: string; argsSchema: AvroSchema | null; resultSchema: AvroSchema | null}> = {};
	for (const e of entries) {
		pipelines[e.name] = {
			version: e.version,
			doc: e.doc,
			argsSchema: e.typed ? (JSON.parse(e.argsSchema) as AvroSchema) : null,
			resultSchema: e.typed ? (JSON.parse(e.resultSchema) as AvroSchema) : null,
		};
	}

	return {pipelines} as unknown as Contract<P>;
}

export const contractV1 = (): Contract<PipelinesV1> => contractOf<PipelinesV1>(catalogDump(1));
export const contractV2 = (): Contract<PipelinesV2> => contractOf<PipelinesV2>(catalogDump(2));
