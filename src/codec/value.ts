/**
 * The generic Value encoding (schemas/value.avsc): JSON-like data with exact integers. Written and
 * read by hand for speed; the tests prove the bytes identical to avsc's for `wireSchemas.value`.
 *
 * Encoding rules: safe integers → long; other numbers → double; bigints in int64 → long;
 * strings; Uint8Array → bytes; arrays → array; plain objects → map in key order, `undefined`
 * properties left out as in JSON. Anything else is refused with a ValueEncodingError naming the
 * path. Decoding gives numbers for safe longs, bigints beyond, and Buffers for bytes.
 */
import {AvroReader} from './avro-reader.js';
import {acquireWriter, type AvroWriter, INT64_MAX, INT64_MIN, releaseWriter} from './avro-writer.js';
import {ValueEncodingError} from './codec-errors.js';
import {wireSchemas, type WireSchema} from './schemas.js';
import {readTable, readTensor, TABLE, TENSOR, writeTable, writeTensor} from './value-data.js';
import {Tensor} from '../data/tensor.js';
import type {TensorArray} from '../data/dtypes.js';

/** What a Value holds (Tensor and tables only in version 2: value-v2.avsc). */
export type WireValue =
	| null
	| boolean
	| number
	| bigint
	| string
	| Uint8Array
	| Tensor
	| TensorArray
	| ArrowTableLike
	| readonly WireValue[]
	| {readonly [key: string]: WireValue};

/** An apache-arrow Table (typed structurally, so that apache-arrow stays an optional dependency). */
export type ArrowTableLike = {readonly schema: {readonly fields: readonly unknown[]}; readonly batches: readonly unknown[]; readonly numRows: number};

/** Arrays and maps nest at most this deep, both ways (deeper input crashes some Avro readers). */
export const MAX_VALUE_DEPTH = 256;

// Union branch indexes of Value.v, already zigzagged (2 × index): one byte each.
const NULL = 0;
const BOOLEAN = 2;
const LONG = 4;
const DOUBLE = 6;
const STRING = 8;
const BYTES = 10;
const ARRAY = 12;
const MAP = 14;

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

function describe(v: unknown): string {
	switch (typeof v) {
		case 'undefined':
			return 'undefined';
		case 'function':
			return v.name === '' ? 'a function' : `function ${v.name}`;
		case 'symbol':
			return `a symbol (${v.description ?? ''})`;
		case 'bigint':
			return `bigint ${v}`;
		default: {
			const name = (Object.getPrototypeOf(v) as {constructor?: {name?: unknown}} | null)?.constructor?.name;
			return typeof name === 'string' && name !== '' ? `an instance of ${name}` : 'an object with a custom prototype';
		}
	}
}

/** State of one encodeValue call; pooled, since user getters may encode again. */
class ValueEncoder {
	w: AvroWriter;
	root = 'value';
	/** The key or index leading to each depth. */
	readonly keys: (string | number)[] = [];
	/** The array or object open at each depth, for cycle detection. */
	readonly open: unknown[] = [];
	/** Whether a tensor or table was written: the body then needs value-v2.avsc. */
	extended = false;

	constructor(w: AvroWriter) {
		this.w = w;
	}

	path(depth: number): string {
		let p = this.root;
		for (let i = 0; i < depth; i++) {
			const k = this.keys[i]!;
			p += typeof k === 'number' ? `[${k}]` : IDENTIFIER.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`;
		}
		return p;
	}

	refuse(depth: number, found: string, hint?: string): never {
		throw new ValueEncodingError(this.path(depth), found, hint);
	}

	enter(v: object, depth: number): void {
		if (depth >= MAX_VALUE_DEPTH) {
			this.refuse(depth, `arrays or maps nested deeper than ${MAX_VALUE_DEPTH} levels`);
		}
		const open = this.open;
		for (let i = 0; i < depth; i++) {
			if (open[i] === v) this.refuse(depth, `a cycle back to ${this.path(i)}`);
		}
		open[depth] = v;
	}

	write(v: unknown, depth: number): void {
		const w = this.w;
		switch (typeof v) {
			case 'number':
				if (Number.isSafeInteger(v)) {
					w.byte(LONG);
					w.long(v);
				} else {
					w.byte(DOUBLE);
					w.double(v);
				}
				return;
			case 'string':
				w.byte(STRING);
				if (!w.string(v)) this.refuse(depth, 'a string with a lone surrogate', 'UTF-8 cannot hold it');
				return;
			case 'boolean':
				w.byte(BOOLEAN);
				w.byte(v ? 1 : 0);
				return;
			case 'bigint':
				if (v < INT64_MIN || v > INT64_MAX) this.refuse(depth, describe(v), 'outside the int64 range');
				w.byte(LONG);
				w.bigLong(v);
				return;
			case 'object':
				if (v === null) {
					w.byte(NULL);
				} else if (Array.isArray(v)) {
					this.writeArray(v, depth);
				} else if (v instanceof Uint8Array) {
					w.byte(BYTES);
					w.bytes(v);
				} else if (v instanceof Tensor || ArrayBuffer.isView(v)) {
					const problem = writeTensor(w, v as Tensor | TensorArray);
					if (problem !== undefined) this.refuse(depth, problem, 'only typed arrays and Tensors become tensors');
					this.extended = true;
				} else {
					const proto: unknown = Object.getPrototypeOf(v);
					if (proto !== Object.prototype && proto !== null) {
						const table = writeTable(w, v);
						if (table.written) {
							this.extended = true;
							return;
						}
						this.refuse(depth, table.problem ?? describe(v), table.problem === undefined ? 'only plain objects become maps' : undefined);
					}
					this.writeMap(v as Record<string, unknown>, depth);
				}
				return;
			default:
				this.refuse(depth, describe(v));
		}
	}

	writeArray(a: readonly unknown[], depth: number): void {
		this.enter(a, depth);
		const w = this.w;
		w.byte(ARRAY);
		const n = a.length;
		if (n > 0) {
			w.long(n);
			for (let i = 0; i < n; i++) {
				this.keys[depth] = i;
				this.write(a[i], depth + 1);
			}
		}
		w.byte(0);
	}

	writeMap(o: Record<string, unknown>, depth: number): void {
		this.enter(o, depth);
		const w = this.w;
		w.byte(MAP);
		const keys = Object.keys(o);
		const n = keys.length;
		if (n > 0) {
			const countAt = w.pos;
			w.long(n);
			let written = 0;
			for (let i = 0; i < n; i++) {
				const k = keys[i]!;
				const item = o[k];
				if (item === undefined) continue;
				this.keys[depth] = k;
				if (!w.string(k)) this.refuse(depth, `the key ${JSON.stringify(k)} with a lone surrogate`, 'UTF-8 cannot hold it');
				this.write(item, depth + 1);
				written++;
			}
			if (written !== n) this.patchCount(countAt, written);
		}
		w.byte(0);
	}

	/** Rewrites a block count that `undefined` properties made smaller (rare). */
	patchCount(countAt: number, count: number): void {
		const w = this.w;
		const end = w.pos;
		let oldEnd = countAt;
		while (w.buf[oldEnd++]! & 0x80);
		if (count === 0) {
			w.buf.copyWithin(countAt, oldEnd, end);
			w.pos = end - (oldEnd - countAt);
			return;
		}
		w.pos = countAt;
		w.long(count);
		const newEnd = w.pos;
		w.buf.copyWithin(newEnd, oldEnd, end);
		w.pos = end - (oldEnd - newEnd);
	}
}

const spareEncoders: ValueEncoder[] = [];

/**
 * Writes `v` into `w` as a Value body; `path` names the root in errors. Returns whether the body
 * holds a tensor or table, i.e. needs value-v2.avsc rather than value.avsc.
 */
export function writeValue(w: AvroWriter, v: unknown, path = 'value'): boolean {
	const encoder = spareEncoders.pop() ?? new ValueEncoder(w);
	encoder.w = w;
	encoder.root = path;
	encoder.extended = false;
	try {
		encoder.write(v, 0);
		return encoder.extended;
	} finally {
		encoder.open.fill(undefined);
		if (spareEncoders.length < 4) spareEncoders.push(encoder);
	}
}

/**
 * The Avro body (no framing) of `v` under the Value schema. `path` names the root in errors, e.g.
 * `"args"` gives paths like `args.items[3].x`.
 */
export function encodeValue(v: unknown, path = 'value'): Buffer {
	const w = acquireWriter();
	try {
		writeValue(w, v, path);
		return w.take();
	} finally {
		releaseWriter(w);
	}
}

/** A Value body and the schema it needs: value.avsc, or value-v2.avsc when it holds a tensor or table. */
export type EncodedValue = {readonly body: Buffer; readonly schema: WireSchema};

/**
 * encodeValue, also saying which Value version the body needs: callers name `schema.ref` as the
 * body's schema, so that peers that predate tensors keep reading every call without one.
 */
export function encodeGenericValue(v: unknown, path = 'value'): EncodedValue {
	const w = acquireWriter();
	try {
		const extended = writeValue(w, v, path);
		return {body: w.take(), schema: extended ? wireSchemas.valueV2 : wireSchemas.value};
	} finally {
		releaseWriter(w);
	}
}

/** Whether `ref` names a version of the generic Value schema (value.avsc or value-v2.avsc). */
export function isValueRef(ref: string): boolean {
	return ref === wireSchemas.value.ref || ref === wireSchemas.valueV2.ref;
}

function readMapInto(r: AvroReader, depth: number): Record<string, WireValue> {
	const o: Record<string, WireValue> = {};
	for (let n = r.blockCount(2); n !== 0; n = r.blockCount(2)) {
		for (let i = 0; i < n; i++) {
			const k = r.string();
			const item = readValue(r, depth + 1);
			if (k === '__proto__') {
				Object.defineProperty(o, k, {value: item, enumerable: true, writable: true, configurable: true});
			} else {
				o[k] = item;
			}
		}
	}
	return o;
}

/** Reads one Value at the reader's position. */
export function readValue(r: AvroReader, depth = 0): WireValue {
	let branch = r.byte();
	if (branch >= 0x80) {
		// A branch index in a longer varint than needed: legal, if odd.
		r.pos--;
		branch = r.branch(10) * 2;
	}
	switch (branch) {
		case NULL:
			return null;
		case BOOLEAN:
			return r.boolean();
		case LONG:
			return r.long();
		case DOUBLE:
			return r.double();
		case STRING:
			return r.string();
		case BYTES:
			return r.bytes();
		case ARRAY: {
			if (depth >= MAX_VALUE_DEPTH) r.fail(`arrays or maps nested deeper than ${MAX_VALUE_DEPTH} levels`);
			const a: WireValue[] = [];
			for (let n = r.blockCount(1); n !== 0; n = r.blockCount(1)) {
				for (let i = 0; i < n; i++) a.push(readValue(r, depth + 1));
			}
			return a;
		}
		case MAP:
			if (depth >= MAX_VALUE_DEPTH) r.fail(`arrays or maps nested deeper than ${MAX_VALUE_DEPTH} levels`);
			return readMapInto(r, depth);
		case TENSOR:
			return readTensor(r);
		case TABLE:
			return readTable(r) as ArrowTableLike;
		default:
			r.pos--;
			return r.fail(`Value union branch ${(branch >>> 1) ^ -(branch & 1)} of 10`);
	}
}

/** The value in a Value body (no framing); the whole body must be one Value. */
export function decodeValue(body: Uint8Array): WireValue {
	const buf = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
	const r = new AvroReader(buf);
	const v = readValue(r);
	r.finish();
	return v;
}
