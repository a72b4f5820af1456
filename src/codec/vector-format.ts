/**
 * The JSON form of the shared test vectors (schemas/vectors/README.md): Values in tagged form, so
 * both languages agree on exact Avro types, and envelopes with bytes as hex. Used by
 * scripts/write-vectors.ts and test/unit/vectors.test.ts; not part of the public API.
 */
import {AvroReader} from './avro-reader.js';
import {acquireWriter, type AvroWriter, releaseWriter} from './avro-writer.js';
import type {ReplyEnvelope, RequestEnvelope} from './envelopes.js';
import type {WireValue} from './value.js';

export type TaggedDouble = number | 'NaN' | 'Infinity' | '-Infinity';

/** A Value with its Avro branch spelled out. */
export type Tagged =
	| {null: null}
	| {boolean: boolean}
	| {long: string}
	| {double: TaggedDouble}
	| {string: string}
	| {bytes: string}
	| {array: Tagged[]}
	| {map: [string, Tagged][]};

function tagDouble(x: number): TaggedDouble {
	return Number.isNaN(x) ? 'NaN' : x === Infinity ? 'Infinity' : x === -Infinity ? '-Infinity' : x;
}

function untagDouble(x: TaggedDouble): number {
	return typeof x === 'number' ? x : Number(x);
}

/** The tagged form of a value, with encodeValue's typing rules. */
export function toTagged(v: WireValue): Tagged {
	switch (typeof v) {
		case 'boolean':
			return {boolean: v};
		case 'number':
			return Number.isSafeInteger(v) ? {long: String(v)} : {double: tagDouble(v)};
		case 'bigint':
			return {long: v.toString()};
		case 'string':
			return {string: v};
		default:
			if (v === null) return {null: null};
			if (Array.isArray(v)) return {array: (v as readonly WireValue[]).map(toTagged)};
			if (v instanceof Uint8Array) return {bytes: Buffer.from(v).toString('hex')};
			return {
				map: Object.entries(v as Record<string, WireValue | undefined>)
					.filter((e): e is [string, WireValue] => e[1] !== undefined)
					.map(([k, item]) => [k, toTagged(item)]),
			};
	}
}

function setKey(o: Record<string, WireValue>, k: string, v: WireValue): void {
	Object.defineProperty(o, k, {value: v, enumerable: true, writable: true, configurable: true});
}

/** The value decodeValue gives for the tagged value's bytes. */
export function fromTagged(t: Tagged): WireValue {
	if ('null' in t) return null;
	if ('boolean' in t) return t.boolean;
	if ('long' in t) {
		const n = BigInt(t.long);
		return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
	}
	if ('double' in t) return untagDouble(t.double);
	if ('string' in t) return t.string;
	if ('bytes' in t) return Buffer.from(t.bytes, 'hex');
	if ('array' in t) return t.array.map(fromTagged);
	const o: Record<string, WireValue> = {};
	for (const [k, item] of t.map) setKey(o, k, fromTagged(item));
	return o;
}

function writeTagged(w: AvroWriter, t: Tagged): void {
	if ('null' in t) {
		w.byte(0);
	} else if ('boolean' in t) {
		w.byte(2);
		w.boolean(t.boolean);
	} else if ('long' in t) {
		w.byte(4);
		w.bigLong(BigInt(t.long));
	} else if ('double' in t) {
		w.byte(6);
		w.double(untagDouble(t.double));
	} else if ('string' in t) {
		w.byte(8);
		if (!w.string(t.string)) throw new TypeError('lone surrogate in a tagged string');
	} else if ('bytes' in t) {
		w.byte(10);
		w.bytes(Buffer.from(t.bytes, 'hex'));
	} else if ('array' in t) {
		w.byte(12);
		if (t.array.length > 0) w.long(t.array.length);
		for (const item of t.array) writeTagged(w, item);
		w.byte(0);
	} else {
		w.byte(14);
		if (t.map.length > 0) w.long(t.map.length);
		for (const [k, item] of t.map) {
			if (!w.string(k)) throw new TypeError('lone surrogate in a tagged map key');
			writeTagged(w, item);
		}
		w.byte(0);
	}
}

/** The Value body of a tagged value, each branch exactly as tagged (doubles stay doubles). */
export function encodeTagged(t: Tagged): Buffer {
	const w = acquireWriter();
	try {
		writeTagged(w, t);
		return w.take();
	} finally {
		releaseWriter(w);
	}
}

function readTagged(r: AvroReader): Tagged {
	switch (r.branch(8)) {
		case 0:
			return {null: null};
		case 1:
			return {boolean: r.boolean()};
		case 2:
			return {long: r.long().toString()};
		case 3:
			return {double: tagDouble(r.double())};
		case 4:
			return {string: r.string()};
		case 5:
			return {bytes: r.bytes().toString('hex')};
		case 6: {
			const array: Tagged[] = [];
			for (let n = r.blockCount(1); n !== 0; n = r.blockCount(1)) {
				for (let i = 0; i < n; i++) array.push(readTagged(r));
			}
			return {array};
		}
		default: {
			const map: [string, Tagged][] = [];
			for (let n = r.blockCount(2); n !== 0; n = r.blockCount(2)) {
				for (let i = 0; i < n; i++) map.push([r.string(), readTagged(r)]);
			}
			return {map};
		}
	}
}

/** The tagged form of a Value body, keeping every branch exactly. */
export function decodeTagged(body: Buffer): Tagged {
	const r = new AvroReader(body);
	const t = readTagged(r);
	r.finish();
	return t;
}

// --- envelopes: bytes fields as hex ------------------------------------------------------------

export type RequestJson = Omit<RequestEnvelope, 'args'> & {args: string};
export type ReplyJson = Omit<ReplyEnvelope, 'result'> & {result: string};

export function requestToJson(r: RequestEnvelope): RequestJson {
	return {...r, args: r.args.toString('hex'), headers: {...r.headers}};
}

export function requestFromJson(j: RequestJson): RequestEnvelope {
	return {...j, args: Buffer.from(j.args, 'hex'), headers: {...j.headers}};
}

export function replyToJson(r: ReplyEnvelope): ReplyJson {
	return {...r, result: r.result.toString('hex')};
}

export function replyFromJson(j: ReplyJson): ReplyEnvelope {
	return {...j, result: Buffer.from(j.result, 'hex')};
}
