/**
 * schemas/vectors/data.json (tensors and Arrow tables in value-v2.avsc) against the TS codec; the
 * Python codec checks the same file (python-runner/tests/unit/test_tensor_vectors.py,
 * test_table_vectors.py).
 */
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {before, test} from 'node:test';
import type {Table} from 'apache-arrow';
import {CodecError, decodeValue, encodeGenericValue, frame, schemaDir, unframe, wireSchemas} from '../../src/codec/index.js';
import {loadArrow} from '../../src/data/arrow.js';
import {type Dtype, Tensor} from '../../src/data/index.js';

type DataVectors = {
	fingerprint: string;
	canonical: string;
	tensors: {name: string; dtype: Dtype; shape: number[]; data: string; hex: string}[];
	nested: {name: string; hex: string}[];
	tables: {name: string; hex: string; columns: Record<string, string>; rows: unknown[]}[];
	invalid: {name: string; body: string; error: string}[];
};

const vectors = JSON.parse(readFileSync(join(schemaDir, 'vectors', 'data.json'), 'utf8')) as DataVectors;

before(async () => {
	await loadArrow();
});

function body(hex: string): Buffer {
	const {fingerprint, body} = unframe(Buffer.from(hex, 'hex'));
	assert.equal(fingerprint.toString('hex'), wireSchemas.valueV2.fingerprintHex);
	return body;
}

function bytesOf(t: Tensor): string {
	return Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).toString('hex');
}

test('the value-v2 fingerprint and canonical form are the committed ones', () => {
	assert.equal(wireSchemas.valueV2.fingerprintHex, vectors.fingerprint);
	assert.equal(wireSchemas.valueV2.canonicalForm, vectors.canonical);
	assert.notEqual(wireSchemas.valueV2.fingerprintHex, wireSchemas.value.fingerprintHex);
});

test('every dtype: decoding gives the dtype, shape and exact bytes; encoding gives the hex again', () => {
	const seen = new Set<string>();
	for (const c of vectors.tensors) {
		const t = decodeValue(body(c.hex));
		assert.ok(t instanceof Tensor, c.name);
		assert.equal(t.dtype, c.dtype, c.name);
		assert.deepEqual(t.shape, c.shape, c.name);
		assert.equal(bytesOf(t), c.data, c.name);
		const again = encodeGenericValue(t);
		assert.equal(again.schema, wireSchemas.valueV2);
		assert.equal(frame(again.schema.fingerprint, again.body).toString('hex'), c.hex, c.name);
		seen.add(c.dtype);
	}
	assert.deepEqual([...seen].sort(), ['BOOL', 'FP16', 'FP32', 'FP64', 'INT16', 'INT32', 'INT64', 'INT8', 'UINT16', 'UINT32', 'UINT64', 'UINT8']);
});

test('NaN, ±Infinity and -0 come back bit for bit', () => {
	const c = vectors.tensors.find(v => v.name.startsWith('FP64 NaN'))!;
	const t = decodeValue(body(c.hex)) as Tensor<'FP64'>;
	assert.ok(Number.isNaN(t.data[0]));
	assert.equal(t.data[1], Infinity);
	assert.equal(t.data[2], -Infinity);
	assert.ok(Object.is(t.data[3], -0));
});

test('the hand-written bytes are what avsc reads and writes for value-v2.avsc', () => {
	for (const c of [...vectors.tensors, ...vectors.nested, ...vectors.tables]) {
		const b = body(c.hex);
		const decoded = wireSchemas.valueV2.type.fromBuffer(b);
		assert.deepEqual(wireSchemas.valueV2.type.toBuffer(decoded), b, c.name);
	}
});

test('nested tensors inside maps and arrays', () => {
	const [c] = vectors.nested;
	const v = decodeValue(body(c!.hex)) as {x: Tensor; n: number; list: [Tensor, string]};
	assert.deepEqual(v.x.shape, [2, 2]);
	assert.deepEqual([...(v.x.data as Float32Array)], [1, 2, 3, 4]);
	assert.equal(v.n, 5);
	assert.equal(v.list[0].dtype, 'INT64');
	assert.deepEqual([...(v.list[0].data as BigInt64Array)], [5n]);
	assert.equal(v.list[1], 'after');
});

test('Arrow tables: nulls, dictionary columns and zero rows read back; re-encoding gives the same stream', () => {
	for (const c of vectors.tables) {
		const t = decodeValue(body(c.hex)) as unknown as Table;
		const columns = Object.fromEntries(t.schema.fields.map(f => [f.name, String(f.type)]));
		assert.deepEqual(columns, c.columns, c.name);
		const rows = t.toArray().map(row => Object.fromEntries(Object.entries(row!.toJSON() as Record<string, unknown>).map(([k, v]) => [k, typeof v === 'number' && !Number.isFinite(v) ? String(v) : v])));
		assert.deepEqual(rows, c.rows, c.name);
		const again = encodeGenericValue(t);
		assert.equal(frame(again.schema.fingerprint, again.body).toString('hex'), c.hex, c.name);
	}
	const dict = decodeValue(body(vectors.tables[1]!.hex)) as unknown as Table;
	assert.equal(dict.schema.fields[0]!.type.typeId, -1, 'the host column stays dictionary-encoded');
});

test('malformed tensor and table bodies are refused as malformed-body, naming the problem', () => {
	for (const c of vectors.invalid) {
		assert.throws(
			() => decodeValue(Buffer.from(c.body, 'hex')),
			(error: unknown) => error instanceof CodecError && error.reason === 'malformed-body' && error.message.includes(c.error),
			c.name,
		);
	}
});
