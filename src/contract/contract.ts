import type {PipelineTypes} from '../client/pipeline-types.js';

/** Names of the Avro primitive types. */
export type AvroPrimitiveName = 'null' | 'boolean' | 'int' | 'long' | 'float' | 'double' | 'bytes' | 'string';

/**
 * Extra attributes Avro allows on any schema (doc, aliases, logicalType, custom properties): kept
 * open so schemas printed by Python (fastavro) or by codegen are accepted as they are.
 */
type AvroAttributes = {readonly [attribute: string]: unknown};

export type AvroPrimitiveSchema = AvroAttributes & {readonly type: AvroPrimitiveName; readonly logicalType?: string};

export type AvroRecordField = AvroAttributes & {
	readonly name: string;
	readonly type: AvroSchema;
	readonly default?: unknown;
	readonly doc?: string;
};

export type AvroRecordSchema = AvroAttributes & {
	readonly type: 'record' | 'error';
	readonly name: string;
	readonly namespace?: string;
	readonly doc?: string;
	readonly fields: readonly AvroRecordField[];
};

export type AvroEnumSchema = AvroAttributes & {
	readonly type: 'enum';
	readonly name: string;
	readonly namespace?: string;
	readonly symbols: readonly string[];
	readonly default?: string;
};

export type AvroArraySchema = AvroAttributes & {readonly type: 'array'; readonly items: AvroSchema};

export type AvroMapSchema = AvroAttributes & {readonly type: 'map'; readonly values: AvroSchema};

export type AvroFixedSchema = AvroAttributes & {
	readonly type: 'fixed';
	readonly name: string;
	readonly namespace?: string;
	readonly size: number;
};

/**
 * An Avro schema in its JSON form: a primitive or named-type reference (string), a union (array)
 * or a complex type (object).
 */
export type AvroSchema =
	| AvroPrimitiveName
	| string
	| readonly AvroSchema[]
	| AvroPrimitiveSchema
	| AvroRecordSchema
	| AvroEnumSchema
	| AvroArraySchema
	| AvroMapSchema
	| AvroFixedSchema;

/** The pinned schemas of one pipeline, as codegen printed them. */
export type ContractPipeline = {
	/** The pipeline's `@pipeline(version=N)`. */
	readonly version: number;
	readonly doc?: string;
	/**
	 * Record schema of the named arguments; `null` for an untyped pipeline (no complete type hints):
	 * its calls use the generic Value encoding.
	 */
	readonly argsSchema: AvroSchema | null;
	/** `null` exactly when `argsSchema` is. */
	readonly resultSchema: AvroSchema | null;
};

/**
 * What `mlbridge codegen` emits next to the `Pipelines` type: the schemas this client encodes
 * arguments with and reads results as. Give it to `PipelineClient.connect({contract})`, which then
 * returns a `PipelineClient<P>`.
 */
export type Contract<P extends PipelineTypes> = {
	readonly pipelines: {readonly [K in keyof P]: ContractPipeline};
	/** Never set: carries `P` so connect() can infer the client's type from the value alone. */
	readonly __types?: P;
};
