/**
 * Builds schemas/vectors/data.json: tensors and Arrow tables in Value version 2 (value-v2.avsc),
 * written by the TS codec and apache-arrow; checked by test/unit/data-vectors.test.ts and
 * python-runner/tests/unit/test_tensor_vectors.py / test_table_vectors.py. Format in
 * schemas/vectors/README.md ("data.json").
 */
import {writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {encodeGenericValue, frame, wireSchemas} from '../src/codec/index.js';
import {loadArrow} from '../src/data/arrow.js';
import {type Dtype, DTYPES, type TensorArray} from '../src/data/dtypes.js';
import {Tensor} from '../src/data/tensor.js';

type TensorCase = {name: string; dtype: Dtype; shape: number[]; data: string; hex: string};

function hexOf(data: TensorArray): string {
	return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('hex');
}

function framed(v: unknown): string {
	const {body, schema} = encodeGenericValue(v);
	if (schema !== wireSchemas.valueV2) throw new Error('expected a version-2 body');
	return frame(schema.fingerprint, body).toString('hex');
}

function tensorCase(name: string, data: TensorArray, shape: number[], dtype: Dtype): TensorCase {
	return {name, dtype, shape, data: hexOf(data), hex: framed(new Tensor(data as never, shape, dtype))};
}

const f16 = (bits: number[]): Uint16Array => Uint16Array.from(bits);

function tensorCases(): TensorCase[] {
	const ramp = new Int8Array(128 * 128);
	for (let i = 0; i < ramp.length; i++) ramp[i] = (i % 256) - 128;
	return [
		tensorCase('BOOL [4]', Uint8Array.of(1, 0, 0, 1), [4], 'BOOL'),
		tensorCase('UINT8 [2, 3]', Uint8Array.of(0, 1, 127, 128, 254, 255), [2, 3], 'UINT8'),
		tensorCase('UINT16 extremes', Uint16Array.of(0, 1, 65535), [3], 'UINT16'),
		tensorCase('UINT32 extremes', Uint32Array.of(0, 1, 4294967295), [3], 'UINT32'),
		tensorCase('UINT64 extremes', BigUint64Array.of(0n, 1n, 2n ** 64n - 1n), [3], 'UINT64'),
		tensorCase('INT8 extremes', Int8Array.of(-128, -1, 0, 127), [2, 2], 'INT8'),
		tensorCase('INT16 extremes', Int16Array.of(-32768, -1, 0, 32767), [4], 'INT16'),
		tensorCase('INT32 extremes', Int32Array.of(-2147483648, -1, 0, 2147483647), [4, 1], 'INT32'),
		tensorCase('INT64 extremes', BigInt64Array.of(-(2n ** 63n), -1n, 0n, 2n ** 63n - 1n), [1, 4], 'INT64'),
		tensorCase('FP16 1, -2, 65504, inf, -inf, NaN, -0', f16([0x3c00, 0xc000, 0x7bff, 0x7c00, 0xfc00, 0x7e00, 0x8000]), [7], 'FP16'),
		tensorCase('FP32 NaN, ±Inf, -0, tiny', Float32Array.of(Number.NaN, Infinity, -Infinity, -0, 1.401298464324817e-45, 3.4028234663852886e38), [2, 3], 'FP32'),
		tensorCase('FP64 NaN, ±Inf, -0, max', Float64Array.of(Number.NaN, Infinity, -Infinity, -0, Number.MAX_VALUE, Number.MIN_VALUE), [3, 2], 'FP64'),
		tensorCase('FP64 0-d', Float64Array.of(2.5), [], 'FP64'),
		tensorCase('INT32 0-d', Int32Array.of(-7), [], 'INT32'),
		tensorCase('FP32 empty [0]', new Float32Array(0), [0], 'FP32'),
		tensorCase('FP32 empty [2, 0, 3]', new Float32Array(0), [2, 0, 3], 'FP32'),
		tensorCase('UINT8 empty [0, 1000000]', new Uint8Array(0), [0, 1_000_000], 'UINT8'),
		tensorCase('INT8 [128, 128] (16 KiB)', ramp, [128, 128], 'INT8'),
		tensorCase('FP32 rank 16', Float32Array.of(1, 2), [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2], 'FP32'),
	];
}

function nestedCases(): {name: string; tensors: Record<string, string>; hex: string}[] {
	const a = Float32Array.of(1, 2, 3, 4);
	const b = BigInt64Array.of(5n);
	return [
		{
			name: 'map with a tensor, a long and a list holding a tensor',
			tensors: {x: 'FP32 [2, 2]', 'list[0]': 'INT64 [1]'},
			hex: framed({x: new Tensor(a, [2, 2]), n: 5, list: [b, 'after']}),
		},
	];
}

type InvalidCase = {name: string; body: string; error: string};

function invalidCases(table: Uint8Array): InvalidCase[] {
	const ok = encodeGenericValue(new Tensor(Float32Array.of(1, 2, 3, 4), [2, 2])).body;
	// Body layout: 10 (branch 8), 08 'FP32', 04 02 04 00 (shape [2, 2]), 20 (16 bytes), data.
	const raw = (parts: (number | number[] | string)[]): string =>
		Buffer.concat(parts.map(p => (typeof p === 'number' ? Buffer.of(p) : typeof p === 'string' ? Buffer.from(p, 'hex') : Buffer.from(p)))).toString('hex');
	const data = ok.subarray(ok.length - 16).toString('hex');
	const tableBody = (bytes: Uint8Array): string => {
		const n = bytes.length;
		const len: number[] = [];
		let z = n * 2;
		while (z > 0x7f) {
			len.push((z & 0x7f) | 0x80);
			z >>>= 7;
		}
		len.push(z);
		return raw([0x12, len, Buffer.from(bytes).toString('hex')]);
	};
	return [
		{name: 'tensor block truncated', body: ok.subarray(0, ok.length - 3).toString('hex'), error: 'length'},
		{name: 'tensor shape [2, 3] for 4 elements', body: raw([0x10, 0x08, Buffer.from('FP32').toString('hex'), 0x04, 0x04, 0x06, 0x00, 0x20, data]), error: 'needs 24 bytes'},
		{name: 'tensor dtype FP8 unknown', body: raw([0x10, 0x06, Buffer.from('FP8').toString('hex'), 0x02, 0x08, 0x00, 0x08, '01020304']), error: 'dtype'},
		{name: 'tensor dimension -1', body: raw([0x10, 0x08, Buffer.from('FP32').toString('hex'), 0x02, 0x01, 0x00, 0x00]), error: 'dimension'},
		{name: 'BOOL element 2', body: raw([0x10, 0x08, Buffer.from('BOOL').toString('hex'), 0x02, 0x04, 0x00, 0x04, '0102']), error: 'BOOL'},
		{name: 'tensor shape block truncated', body: raw([0x10, 0x08, Buffer.from('FP32').toString('hex'), 0x04, 0x04]), error: ''},
		{name: 'Arrow stream without its end-of-stream marker', body: tableBody(table.subarray(0, table.length - 8)), error: 'end-of-stream'},
		{name: 'Arrow stream cut in a message', body: tableBody(Buffer.concat([table.subarray(0, 100), table.subarray(table.length - 8)])), error: 'Arrow'},
		{name: 'table bytes declared longer than the body', body: tableBody(table).slice(0, -40), error: 'length'},
		{name: 'branch 10 unknown', body: '14', error: 'branch'},
	];
}

/** Tables written by apache-arrow: nulls, a dictionary column, several types; `rows` as JSON. */
async function tableCases(): Promise<{cases: {name: string; hex: string; columns: Record<string, string>; rows: unknown[]}[]; plain: Uint8Array}> {
	const arrow = (await import('apache-arrow')) as typeof import('apache-arrow');
	await loadArrow();
	const withNulls = arrow.tableFromArrays({
		f64: arrow.vectorFromArray([1.5, null, Number.NaN, -Infinity], new arrow.Float64()),
		i32: arrow.vectorFromArray([1, null, -2147483648, 2147483647], new arrow.Int32()),
		s: arrow.vectorFromArray(['a', null, 'ünï', ''], new arrow.Utf8()),
		b: arrow.vectorFromArray([true, false, null, true], new arrow.Bool()),
	});
	const dictionary = arrow.tableFromArrays({
		host: arrow.vectorFromArray(['web-1', 'web-2', 'web-1', null, 'db-1'], new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32())),
		cpu: Float32Array.of(0.5, 0.25, 1, 0, 0.75),
	});
	const empty = arrow.tableFromArrays({x: new Float64Array(0)});
	const jsonRows = (t: InstanceType<typeof arrow.Table>): unknown[] =>
		t.toArray().map(row => Object.fromEntries(Object.entries(row!.toJSON() as Record<string, unknown>).map(([k, v]) => [k, typeof v === 'number' && !Number.isFinite(v) ? String(v) : v])));
	const columns = (t: InstanceType<typeof arrow.Table>): Record<string, string> => Object.fromEntries(t.schema.fields.map(f => [f.name, String(f.type)]));
	return {
		cases: [
			{name: 'nulls in float64, int32, utf8, bool', hex: framed(withNulls), columns: columns(withNulls), rows: jsonRows(withNulls)},
			{name: 'dictionary-encoded utf8 column with a null', hex: framed(dictionary), columns: columns(dictionary), rows: jsonRows(dictionary)},
			{name: 'zero rows', hex: framed(empty), columns: columns(empty), rows: []},
		],
		plain: arrow.tableToIPC(withNulls, 'stream'),
	};
}

/** Writes data.json into `dir`; returns the number of cases. */
export async function writeDataVectors(dir: string): Promise<number> {
	const tensors = tensorCases();
	const nested = nestedCases();
	const tables = await tableCases();
	const invalid = invalidCases(tables.plain);
	const schema = wireSchemas.valueV2;
	const lines = (items: unknown[]): string => items.map(c => `  ${JSON.stringify(c)}`).join(',\n');
	writeFileSync(
		join(dir, 'data.json'),
		`{"writer": "ts", "schema": "value-v2", "fingerprint": "${schema.fingerprintHex}", "canonical": ${JSON.stringify(schema.canonicalForm)},\n` +
			`"tensors": [\n${lines(tensors)}\n],\n"nested": [\n${lines(nested)}\n],\n"tables": [\n${lines(tables.cases)}\n],\n"invalid": [\n${lines(invalid)}\n]}\n`,
	);
	return tensors.length + nested.length + tables.cases.length + invalid.length;
}

/** DTYPES, re-exported for the tests that walk every dtype. */
export const allDtypes = Object.keys(DTYPES) as Dtype[];
