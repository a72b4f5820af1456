/**
 * The two branches value-v2.avsc adds to Value: Tensor (dtype, shape, one block of little-endian
 * row-major bytes) and Table (an Arrow IPC stream). Written and read here for value.ts, which
 * dispatches to them; see docs/protocol.md, "Tensors and tables".
 */
import {endianness} from 'node:os';
import {arrowIfLoaded, looksLikeArrowTable} from '../data/arrow.js';
import {DTYPES, dtypeOf, isDtype} from '../data/dtypes.js';
import {shapeSize, Tensor, tensorArray, tensorBytes} from '../data/tensor.js';
import type {TensorArray} from '../data/dtypes.js';
import {type AvroReader, isMostOf} from './avro-reader.js';
import type {AvroWriter} from './avro-writer.js';

/** Union branch indexes of the version-2 branches, zigzagged like value.ts's. */
export const TENSOR = 16;
export const TABLE = 18;

// Typed arrays are written as their memory: right only on little-endian hosts (all Node targets).
if (endianness() !== 'LE') throw new Error('mlbridge: tensors need a little-endian host');

/** Writes a tensor body (branch byte included). Returns a problem message instead when `v` cannot be one. */
export function writeTensor(w: AvroWriter, v: Tensor | TensorArray): string | undefined {
	let dtype: string;
	let shape: readonly number[];
	let data: TensorArray;
	if (v instanceof Tensor) {
		({dtype, shape, data} = v);
	} else {
		const own = dtypeOf(v);
		if (own === undefined) return `a ${v.constructor.name} without a dtype`;
		dtype = own;
		shape = [v.length];
		data = v;
	}
	const bytes = tensorBytes(data);
	w.reserve(bytes.length + 32 + 10 * shape.length);
	w.byte(TENSOR);
	w.string(dtype);
	if (shape.length > 0) {
		w.long(shape.length);
		for (const d of shape) w.long(d);
	}
	w.byte(0);
	w.bytes(bytes);
	return undefined;
}

/** Reads a tensor body after its branch byte: always a Tensor, whatever the rank. */
export function readTensor(r: AvroReader): Tensor {
	const dtype = r.string();
	if (!isDtype(dtype)) r.fail(`tensor dtype ${JSON.stringify(dtype.slice(0, 40))} is not one of ${Object.keys(DTYPES).join(', ')}`);
	const shape: number[] = [];
	for (let n = r.blockCount(1); n !== 0; n = r.blockCount(1)) {
		for (let i = 0; i < n; i++) shape.push(r.safeLong());
	}
	const size = shapeSize(shape);
	if (typeof size === 'string') r.fail(`tensor shape [${shape.join(', ')}]: ${size}`);
	const width = DTYPES[dtype].BYTES_PER_ELEMENT;
	const start = r.pos;
	const length = r.length();
	if (length !== size * width) {
		r.pos = start;
		r.fail(`tensor of ${dtype} and shape [${shape.join(', ')}] needs ${size * width} bytes, has ${length}`);
	}
	const bytes = r.buf.subarray(r.pos, r.pos + length);
	if (dtype === 'BOOL' && bytes.some(b => b > 1)) r.fail('BOOL tensor element other than 0 or 1');
	r.pos += length;
	// A view when the tensor is most of the message (it then pins at most as much again: see
	// isMostOf) and tensorArray need not copy it to align it; else one copy, which pins nothing.
	const data = isMostOf(r.buf, length) ? bytes : new Uint8Array(bytes);
	return new Tensor(tensorArray(dtype, data), shape, dtype);
}

/** The Arrow IPC end-of-stream marker: continuation token 0xFFFFFFFF, then a zero metadata length. */
const EOS = Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0);

function endsWithEos(stream: Uint8Array): boolean {
	if (stream.length < 16) return false;
	for (let i = 0; i < 8; i++) if (stream[stream.length - 8 + i] !== EOS[i]) return false;
	return true;
}

/** Writes a table body when `v` is an Arrow Table of the loaded apache-arrow; else a problem message, or undefined when `v` is no table at all. */
export function writeTable(w: AvroWriter, v: object): {written: boolean; problem?: string} {
	if (!looksLikeArrowTable(v)) return {written: false};
	const arrow = arrowIfLoaded();
	if (arrow === undefined) {
		return {written: false, problem: 'an Arrow Table before apache-arrow was loaded (await loadArrow() once, before sending or receiving tables)'};
	}
	if (!(v instanceof arrow.Table)) {
		return {written: false, problem: 'an Arrow Table from another copy of apache-arrow than the one loadArrow() loaded'};
	}
	const stream = arrow.tableToIPC(v as never, 'stream');
	w.byte(TABLE);
	w.bytes(stream);
	return {written: true};
}

/** Reads a table body after its branch byte. */
export function readTable(r: AvroReader): object {
	const start = r.pos;
	const length = r.length();
	const arrow = arrowIfLoaded();
	if (arrow === undefined) {
		r.pos = start;
		r.fail('an Arrow table, and apache-arrow is not loaded (await loadArrow() once, before receiving tables)');
	}
	const bytes = r.buf.subarray(r.pos, r.pos + length);
	// A stream cut short between messages still parses (as fewer rows): only the end-of-stream
	// marker shows that it is whole.
	if (!endsWithEos(bytes)) {
		r.pos = start;
		r.fail('the Arrow IPC stream has no end-of-stream marker (truncated)');
	}
	let table: object;
	try {
		table = arrow.tableFromIPC(bytes);
	} catch (error) {
		r.pos = start;
		return r.fail(`the table is not a valid Arrow IPC stream (${String(error)})`);
	}
	r.pos += length;
	return table;
}
