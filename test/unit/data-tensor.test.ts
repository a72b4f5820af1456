/** Tensor, bare typed arrays and Arrow tables in the generic Value, and which Value version a body names. */
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {CodecError, decodeValue, encodeGenericValue, encodeValue, ValueEncodingError, wireSchemas} from '../../src/codec/index.js';
import {encodeGenericArgs} from '../../src/client/args-encoding.js';
import {ArrowMissingError, loadArrow, Tensor, TensorShapeError} from '../../src/data/index.js';

test('a body without a tensor or table names value.avsc, byte for byte as before', () => {
	const v = {a: 1, b: [1.5, 'x', null], c: Buffer.from('hi')};
	const encoded = encodeGenericValue(v);
	assert.equal(encoded.schema, wireSchemas.value);
	assert.deepEqual(encoded.body, encodeValue(v));
	assert.deepEqual(encodeGenericArgs('id', 'p', v).argsSchema, wireSchemas.value.ref);
});

test('a tensor anywhere makes the body name value-v2.avsc', () => {
	assert.equal(encodeGenericValue({deep: [{x: Float64Array.of(1)}]}).schema, wireSchemas.valueV2);
	assert.equal(encodeGenericArgs('id', 'p', {x: Float32Array.of(1, 2)}).argsSchema, wireSchemas.valueV2.ref);
});

test('bare typed arrays are 1-d tensors; Uint8Array and Buffer stay bytes', () => {
	const v = decodeValue(encodeValue({f: Float32Array.of(1, 2, 3), u: Uint16Array.of(7), b: Uint8Array.of(1, 2)})) as {f: Tensor; u: Tensor; b: Buffer};
	assert.equal(v.f.dtype, 'FP32');
	assert.deepEqual(v.f.shape, [3]);
	assert.ok(v.f.data instanceof Float32Array);
	assert.equal(v.u.dtype, 'UINT16');
	assert.ok(Buffer.isBuffer(v.b));
});

test('Tensor refuses parts that disagree, saying how', () => {
	assert.throws(() => new Tensor(Float32Array.of(1, 2, 3), [2, 2]), (e: unknown) => e instanceof TensorShapeError && /\[2, 2\] has 4 elements, the data 3/.test(e.message));
	assert.throws(() => new Tensor(Float32Array.of(1) as never, [1], 'FP64'), (e: unknown) => e instanceof TensorShapeError && /FP64 tensor holds its elements in a Float64Array, got Float32Array/.test(e.message));
	assert.throws(() => new Tensor(Uint8Array.of(1)), (e: unknown) => e instanceof TensorShapeError && /needs its dtype named/.test(e.message));
	assert.throws(() => new Tensor(Float32Array.of(), [-1]), TensorShapeError);
	assert.throws(() => new Tensor(Float32Array.of(1) as never, [1], 'FP8' as never), /Unknown tensor dtype "FP8"/);
	assert.equal(new Tensor(Uint8Array.of(1, 0), [2], 'BOOL').dtype, 'BOOL');
	assert.equal(new Tensor(Uint16Array.of(0x3c00), [], 'FP16').size, 1);
});

test('a DataView is refused with the path', () => {
	assert.throws(() => encodeValue({x: [new DataView(new ArrayBuffer(4))]}, 'args'), (e: unknown) => e instanceof ValueEncodingError && e.path === 'args.x[0]');
});

test('a tensor whose bytes sit at an odd offset is copied to an aligned array', () => {
	const body = encodeValue(new Tensor(Float64Array.of(1.25, -2), [2]));
	const shifted = Buffer.alloc(body.length + 1);
	body.copy(shifted, 1);
	const t = decodeValue(shifted.subarray(1)) as Tensor<'FP64'>;
	assert.deepEqual([...t.data], [1.25, -2]);
	assert.equal(t.data.byteOffset % 8, 0);
});

test('decoded tensors do not share memory with the message', () => {
	const body = Buffer.from(encodeValue(Int32Array.of(1, 2)));
	const t = decodeValue(body) as Tensor<'INT32'>;
	body.fill(0);
	assert.deepEqual([...t.data], [1, 2]);
});

test('a 1,000,000-element FP32 tensor round trips exactly', () => {
	const data = new Float32Array(1_000_000);
	for (let i = 0; i < data.length; i++) data[i] = Math.fround(Math.sin(i) * 1e6);
	const t = decodeValue(encodeValue(new Tensor(data, [1000, 1000]))) as Tensor<'FP32'>;
	assert.deepEqual(t.shape, [1000, 1000]);
	assert.deepEqual(Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength), Buffer.from(data.buffer));
});

test('loadArrow: a failing import rejects with ArrowMissingError naming apache-arrow', async () => {
	// Order matters: apache-arrow is not loaded yet in this process.
	await assert.rejects(loadArrow(async () => Promise.reject(new Error('Cannot find package'))), (e: unknown) => e instanceof ArrowMissingError && e.packageName === 'apache-arrow' && /npm install apache-arrow/.test(e.message));
});

test('an Arrow Table before loadArrow() is refused, then sent once it resolved', async () => {
	const arrow = await import('apache-arrow');
	const table = arrow.tableFromArrays({x: Float64Array.of(1, 2)});
	assert.throws(() => encodeValue({t: table}, 'args'), (e: unknown) => e instanceof ValueEncodingError && e.path === 'args.t' && /await loadArrow\(\)/.test(e.message));
	await loadArrow();
	const encoded = encodeGenericValue({t: table});
	assert.equal(encoded.schema, wireSchemas.valueV2);
	const back = decodeValue(encoded.body) as {t: typeof table};
	assert.deepEqual(back.t.getChild('x')!.toArray(), Float64Array.of(1, 2));
	assert.throws(() => decodeValue(encoded.body.subarray(0, 20)), CodecError);
});
