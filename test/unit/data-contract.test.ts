/**
 * Typed schemas with tensors and tables (issue 14 item 3): the Python-written bodies of
 * schemas/vectors/data-typed.json read and written by the TS typed codec, local refusals naming
 * the path, and the types codegen emits.
 */
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {before, test} from 'node:test';
import type {Table} from 'apache-arrow';
import {schemaDir} from '../../src/codec/index.js';
import {generateFile} from '../../src/codegen/generate-file.js';
import {TypedSchema} from '../../src/contract/typed-codec.js';
import {loadArrow, Tensor} from '../../src/data/index.js';

type Case = {name: string; schema: unknown; ref: string; value: unknown; hex: string};
const vectors = JSON.parse(readFileSync(join(schemaDir, 'vectors', 'data-typed.json'), 'utf8')) as {cases: Case[]};
type TensorJson = {dtype: string; shape: number[]; data: string};

before(async () => {
	await loadArrow();
});

const tensorJson = (t: Tensor): TensorJson => ({dtype: t.dtype, shape: [...t.shape], data: Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).toString('hex')});

test('Python-written typed tensors and tables: same refs, same values, tensors re-encode to the same bytes', () => {
	for (const c of vectors.cases) {
		const schema = TypedSchema.compile(c.schema as never);
		assert.equal(schema.ref, c.ref, c.name);
		const value = schema.decode(Buffer.from(c.hex, 'hex'));
		if (Array.isArray(c.value)) {
			assert.deepEqual((value as Tensor[]).map(tensorJson), c.value, c.name);
			assert.equal(schema.encode(value).toString('hex'), c.hex, c.name);
		} else if ('rows' in (c.value as object)) {
			const rows = (value as Table).toArray().map(r => Object.fromEntries(Object.entries(r!.toJSON() as Record<string, unknown>).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v ?? null])));
			assert.deepEqual(rows, (c.value as {rows: unknown[]}).rows, c.name);
			const again = schema.decode(schema.encode(value)) as Table;
			assert.equal(again.numRows, (value as Table).numRows, c.name);
		} else {
			assert.deepEqual(tensorJson(value as Tensor), c.value, c.name);
			assert.equal(schema.encode(value).toString('hex'), c.hex, c.name);
		}
	}
});

const tensorSchema = (dtype: string, extra: object = {}) => ({
	type: 'record', name: `Tensor_${dtype}`, namespace: 'mlbridge.data', logicalType: 'mlbridge-tensor', dtype, ...extra,
	fields: [{name: 'dtype', type: 'string'}, {name: 'shape', type: {type: 'array', items: 'long'}}, {name: 'data', type: 'bytes'}],
});
const tableSchema = {type: 'record', name: 'Table', namespace: 'mlbridge.data', logicalType: 'mlbridge-arrow-table', fields: [{name: 'arrowStream', type: 'bytes'}]};
const args = {
	type: 'record', name: 'Args', namespace: 'mlbridge.pipeline.score',
	fields: [
		{name: 'x', type: tensorSchema('FP32', {shape: [-1, 3]})},
		{name: 'more', type: {type: 'array', items: 'mlbridge.data.Tensor_FP32'}},
		{name: 'frame', type: tableSchema},
	],
};

test('wrong dtype, wrong shape and a non-table are refused with the path and what was found', async () => {
	const arrow = await import('apache-arrow');
	const schema = TypedSchema.compile(args as never);
	const frame = arrow.tableFromArrays({a: Float64Array.of(1)});
	// `more` refers to the same named type: its shape applies there too.
	const ok = {x: new Tensor(new Float32Array(6), [2, 3]), more: [new Tensor(new Float32Array(3), [1, 3])], frame};
	assert.equal(schema.check(ok, 'args'), undefined);
	assert.equal(schema.check({...ok, x: new Tensor(new Float64Array(6), [2, 3])}, 'args')?.message, "args.x: expected Tensor<'FP32'> of shape [*, 3], got a FP64 Tensor of shape [2, 3]");
	assert.equal(schema.check({...ok, x: new Tensor(new Float32Array(6), [3, 2])}, 'args')?.message, "args.x: expected Tensor<'FP32'> of shape [*, 3], got a FP32 Tensor of shape [3, 2]");
	assert.equal(schema.check({...ok, more: [Int32Array.of(1)]}, 'args')?.message, "args.more[0]: expected Tensor<'FP32'> of shape [*, 3], got a Int32Array");
	assert.equal(schema.check({...ok, frame: {a: [1]}}, 'args')?.message, 'args.frame: expected an apache-arrow Table, got an object');
	const back = schema.decode(schema.encode(ok)) as typeof ok;
	assert.deepEqual(back.x.shape, [2, 3]);
	assert.equal((back.frame as unknown as Table).numRows, 1);
});

test('codegen: Tensor<dtype> and ArrowTableLike, imported from mlbridge only when used', () => {
	const file = generateFile([
		{name: 'score', version: 1, doc: '', typed: true, argsSchema: JSON.stringify(args), resultSchema: JSON.stringify(tensorSchema('INT64'))},
		{name: 'plain', version: 1, doc: '', typed: true, argsSchema: JSON.stringify({type: 'record', name: 'Args', namespace: 'mlbridge.pipeline.plain', fields: [{name: 'n', type: 'long'}]}), resultSchema: '"long"'},
	]);
	assert.match(file, /^import type \{Contract, ArrowTableLike, Tensor\} from 'mlbridge';$/m);
	assert.match(file, /readonly x: Tensor<'FP32'>;/);
	assert.match(file, /readonly more: Tensor<'FP32'>\[\];/);
	assert.match(file, /readonly frame: ArrowTableLike;/);
	assert.match(file, /result: Tensor<'INT64'>/);
	const plain = generateFile([{name: 'plain', version: 1, doc: '', typed: true, argsSchema: JSON.stringify({type: 'record', name: 'Args', namespace: 'mlbridge.pipeline.plain', fields: [{name: 'n', type: 'long'}]}), resultSchema: '"long"'}]);
	assert.match(plain, /^import type \{Contract\} from 'mlbridge';$/m);
});
