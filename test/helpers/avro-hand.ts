/**
 * A hand-written Avro binary writer for the bad-input catalogue: it writes whatever it is told,
 * including what no honest encoder would (declared lengths with no bytes behind them, negative
 * lengths, invalid UTF-8, over-long varints, absurd nesting).
 */
import {frame, wireSchemas} from '../../src/codec/index.js';

export class Hand {
	readonly #parts: Buffer[] = [];

	/** A zigzag varint `int`/`long`. */
	long(n: number | bigint): this {
		let z = BigInt.asUintN(64, (BigInt(n) << 1n) ^ (BigInt(n) < 0n ? -1n : 0n));
		const out: number[] = [];
		while (z > 0x7fn) {
			out.push(Number(z & 0x7fn) | 0x80);
			z >>= 7n;
		}

		out.push(Number(z));
		return this.raw(Buffer.from(out));
	}

	raw(bytes: Uint8Array | number[]): this {
		this.#parts.push(Buffer.from(bytes));
		return this;
	}

	/** `bytes`/`string`: the length, then the content (a JS string is written as UTF-8). */
	str(value: string | Uint8Array): this {
		const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value);
		return this.long(bytes.length).raw(bytes);
	}

	double(value: number): this {
		const b = Buffer.alloc(8);
		b.writeDoubleLE(value);
		return this.raw(b);
	}

	done(): Buffer {
		return Buffer.concat(this.#parts);
	}
}

export type RawRequest = {
	id: string | Uint8Array;
	pipeline: string | Uint8Array;
	args: Uint8Array;
	argsSchema?: string | Uint8Array;
	replyTo: string | Uint8Array;
	deadlineMs?: number | bigint;
	attempt?: number;
	sentAtMs?: number | bigint;
	/** Entries of the request's own `headers` map. */
	headers?: Array<[string | Uint8Array, string | Uint8Array]>;
};

/** The Avro body of a Request, field by field. */
export function requestBody(r: RawRequest): Buffer {
	const h = new Hand()
		.str(r.id)
		.str(r.pipeline)
		.str(r.args)
		.str(r.argsSchema ?? wireSchemas.value.ref)
		.str(r.replyTo)
		.long(r.deadlineMs ?? Date.now() + 120_000)
		.long(r.attempt ?? 1)
		.long(r.sentAtMs ?? Date.now());
	const headers = r.headers ?? [];
	if (headers.length > 0) {
		h.long(headers.length);
		for (const [k, v] of headers) {
			h.str(k).str(v);
		}
	}

	return h.long(0).done();
}

/** A framed Request: `C3 01` + the Request schema's fingerprint + the body. */
export function requestFrame(r: RawRequest): Buffer {
	return frame(wireSchemas.request.fingerprint, requestBody(r));
}

// Value union branches (schemas/value.avsc): null, boolean, long, double, string, bytes, array, map.
export const VALUE = {null: 0, boolean: 1, long: 2, double: 3, string: 4, bytes: 5, array: 6, map: 7} as const;

/** A Value nested `depth` arrays deep around a null. */
export function nestedArrays(depth: number): Buffer {
	const open = new Hand().long(VALUE.array).long(1).done();
	const parts: Buffer[] = [];
	for (let i = 0; i < depth; i++) {
		parts.push(open);
	}

	parts.push(Buffer.from([VALUE.null * 2]));
	parts.push(Buffer.alloc(depth, 0)); // each array's closing 0-count block
	return Buffer.concat(parts);
}

/** A Value map {key: <value bytes>} — the args of a call. */
export function argsMap(entries: Array<[string | Uint8Array, Buffer]>): Buffer {
	const h = new Hand().long(VALUE.map);
	if (entries.length > 0) {
		h.long(entries.length);
		for (const [k, v] of entries) {
			h.str(k).raw(v);
		}
	}

	return h.long(0).done();
}

export const v = {
	null: (): Buffer => new Hand().long(VALUE.null).done(),
	long: (n: number | bigint): Buffer => new Hand().long(VALUE.long).long(n).done(),
	double: (n: number): Buffer => new Hand().long(VALUE.double).double(n).done(),
	string: (s: string | Uint8Array): Buffer => new Hand().long(VALUE.string).str(s).done(),
};
