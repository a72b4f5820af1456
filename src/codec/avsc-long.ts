/**
 * An avsc `long` that keeps every int64 exact: a number when safe, a bigint otherwise. avsc's own
 * long refuses values beyond 2^53. The varint is handed over unpacked (`noUnpack`), so the
 * conversion is ours and matches the hand-written codec.
 */
import avsc from 'avsc';
import type {types} from 'avsc';
import {AvroReader} from './avro-reader.js';
import {acquireWriter, INT64_MAX, INT64_MIN, releaseWriter} from './avro-writer.js';

function isExactLong(v: unknown): v is number | bigint {
	if (typeof v === 'number') return Number.isSafeInteger(v);
	return typeof v === 'bigint' && v >= INT64_MIN && v <= INT64_MAX;
}

function narrow(n: bigint): number | bigint {
	return n >= -0x1fffffffffffffn && n <= 0x1fffffffffffffn ? Number(n) : n;
}

/** A fresh exact long type, for the `registry: {long}` option of `Type.forSchema`. */
export function createExactLongType(): types.LongType {
	return avsc.types.LongType.__with(
		{
			fromBuffer: (buf: Buffer): number | bigint => new AvroReader(buf).long(),
			toBuffer: (v: number | bigint): Buffer => {
				const w = acquireWriter();
				try {
					if (typeof v === 'bigint') w.bigLong(v);
					else w.long(v);
					return w.take();
				} finally {
					releaseWriter(w);
				}
			},
			fromJSON: (v: unknown): number | bigint => {
				const n = typeof v === 'string' || typeof v === 'bigint' ? narrow(BigInt(v)) : v;
				if (!isExactLong(n)) throw new TypeError(`not an int64: ${String(v)}`);
				return n;
			},
			toJSON: (v: number | bigint): number | string => (typeof v === 'bigint' ? v.toString() : v),
			isValid: isExactLong,
			compare: (a: number | bigint, b: number | bigint): number => {
				const x = BigInt(a);
				const y = BigInt(b);
				return x < y ? -1 : x > y ? 1 : 0;
			},
		},
		true,
	);
}
