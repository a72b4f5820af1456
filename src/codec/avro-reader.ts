/**
 * A small Avro binary reader over one buffer. Every read is bounds-checked and every failure is a
 * CodecError with reason `malformed-body`, so no input can make it loop, allocate without bound, or
 * read past the end.
 */
import {isUtf8} from 'node:buffer';
import {CodecError} from './codec-errors.js';

const INT32_MIN = -0x80000000;
const INT32_MAX = 0x7fffffff;

/** Buffer's own slicers skip toString's argument checks; fall back where they are missing. */
type Slicer = (this: Buffer, start: number, end: number) => string;
const bufferProto = Buffer.prototype as unknown as {utf8Slice?: Slicer; latin1Slice?: Slicer};
const utf8Slice: Slicer =
	bufferProto.utf8Slice ??
	function (this: Buffer, start: number, end: number) {
		return this.toString('utf8', start, end);
	};
const latin1Slice: Slicer =
	bufferProto.latin1Slice ??
	function (this: Buffer, start: number, end: number) {
		return this.toString('latin1', start, end);
	};

/**
 * Short ASCII strings (map keys, enum-like values) repeat from message to message: a small
 * direct-mapped cache returns the same string without decoding it again.
 */
const CACHE_MAX_LENGTH = 32;
const CACHE_SLOTS = 4096;
const cache: (string | undefined)[] = new Array<string | undefined>(CACHE_SLOTS).fill(undefined);

/** The UTF-8 text of buf[start, end), or undefined when it is not valid UTF-8. */
function utf8(buf: Buffer, start: number, end: number): string | undefined {
	const s = utf8Slice.call(buf, start, end);
	// Decoding replaces invalid sequences with U+FFFD; only then is the full check needed.
	return s.indexOf('\ufffd') === -1 || isUtf8(buf.subarray(start, end)) ? s : undefined;
}

function shortString(buf: Buffer, start: number, end: number): string | undefined {
	let h = end - start;
	for (let i = start; i < end; i++) {
		const c = buf[i]!;
		if (c >= 0x80) return utf8(buf, start, end);
		h = Math.imul(h ^ c, 0x9e3779b1);
	}
	const slot = (h >>> 20) & (CACHE_SLOTS - 1);
	const hit = cache[slot];
	if (hit !== undefined && hit.length === end - start) {
		let i = 0;
		while (i < hit.length && hit.charCodeAt(i) === buf[start + i]) i++;
		if (i === hit.length) return hit;
	}
	const s = latin1Slice.call(buf, start, end);
	cache[slot] = s;
	return s;
}

/** Fields at least this long may be handed out as views of the message (see AvroReader.bytes). */
export const VIEW_MIN_BYTES = 64 * 1024;

/**
 * Whether `n` bytes of `buf` are worth a view rather than a copy: large, and at least half of the
 * memory under `buf`, so that a view kept by the caller pins at most as much again as it holds.
 */
export function isMostOf(buf: Uint8Array, n: number): boolean {
	return n >= VIEW_MIN_BYTES && n * 2 >= buf.buffer.byteLength;
}

export class AvroReader {
	readonly buf: Buffer;
	pos: number;
	readonly end: number;
	/** Attached to errors once the envelope's id is known. */
	requestId: string | undefined = undefined;

	constructor(buf: Buffer, pos = 0, end = buf.length) {
		this.buf = buf;
		this.pos = pos;
		this.end = end;
	}

	fail(what: string): never {
		throw new CodecError('malformed-body', `Malformed Avro body at byte ${this.pos}: ${what}`, {
			requestId: this.requestId,
		});
	}

	/** Throws `trailing-bytes` unless everything was read. */
	finish(): void {
		if (this.pos !== this.end) {
			throw new CodecError(
				'trailing-bytes',
				`${this.end - this.pos} unread bytes after the Avro body (read ${this.pos} of ${this.end})`,
				{requestId: this.requestId},
			);
		}
	}

	byte(): number {
		if (this.pos >= this.end) this.fail('unexpected end of data');
		return this.buf[this.pos++]!;
	}

	/** An Avro `long`: a number when safe, else a bigint. */
	long(): number | bigint {
		const buf = this.buf;
		const start = this.pos;
		let pos = start;
		const end = this.end;
		if (pos < end) {
			const b = buf[pos]!;
			if (b < 0x80) {
				this.pos = pos + 1;
				return (b >>> 1) ^ -(b & 1);
			}
		}
		// Up to 7 bytes (49 bits) stays exact in a double.
		let z = 0;
		let scale = 1;
		for (let i = 0; i < 7; i++) {
			if (pos >= end) this.fail('unexpected end of data in a varint');
			const b = buf[pos++]!;
			z += (b & 0x7f) * scale;
			if (b < 0x80) {
				this.pos = pos;
				return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
			}
			scale *= 128;
		}
		return this.#bigLong(start);
	}

	#bigLong(start: number): number | bigint {
		let z = 0n;
		let pos = start;
		for (let i = 0; ; i++) {
			if (pos >= this.end) this.fail('unexpected end of data in a varint');
			const b = this.buf[pos++]!;
			if (i === 9 && b > 1) this.fail('varint longer than 64 bits');
			z |= BigInt(b & 0x7f) << BigInt(7 * i);
			if (b < 0x80) break;
		}
		this.pos = pos;
		const n = (z >> 1n) ^ -(z & 1n);
		return n >= -0x1fffffffffffffn && n <= 0x1fffffffffffffn ? Number(n) : n;
	}

	/** An Avro `long` that must be a safe integer (epoch milliseconds, lengths, counts). */
	safeLong(): number {
		const n = this.long();
		if (typeof n === 'bigint') this.fail(`long ${n} is beyond 2^53`);
		return n;
	}

	int(): number {
		const n = this.long();
		if (typeof n === 'bigint' || n < INT32_MIN || n > INT32_MAX) this.fail(`int ${n} out of range`);
		return n;
	}

	boolean(): boolean {
		const b = this.byte();
		if (b > 1) this.fail(`boolean byte ${b}`);
		return b === 1;
	}

	double(): number {
		if (this.pos + 8 > this.end) this.fail('unexpected end of data in a double');
		const x = this.buf.readDoubleLE(this.pos);
		this.pos += 8;
		return x;
	}

	/** A length prefix, checked against the bytes left. */
	length(): number {
		const n = this.long();
		if (typeof n === 'bigint' || n < 0 || n > this.end - this.pos) {
			this.fail(`length ${n} with ${this.end - this.pos} bytes left`);
		}
		return n;
	}

	/** A UTF-8 string; invalid UTF-8 is malformed (not silently replaced). */
	string(): string {
		const n = this.length();
		const start = this.pos;
		const end = start + n;
		this.pos = end;
		const s = n <= CACHE_MAX_LENGTH ? shortString(this.buf, start, end) : utf8(this.buf, start, end);
		if (s === undefined) {
			this.pos = start;
			this.fail('invalid UTF-8 in a string');
		}
		return s;
	}

	/**
	 * A copy, so the result does not pin the message buffer; except a large field that is at least
	 * half of the memory under `buf`: that one is a view, since copying it would allocate as much
	 * again (a 500 KB reply was copied twice on its way to the caller) and it pins at most as much
	 * as it holds.
	 */
	bytes(): Buffer {
		const n = this.length();
		if (isMostOf(this.buf, n)) {
			const view = this.buf.subarray(this.pos, this.pos + n);
			this.pos += n;
			return view;
		}
		const out = Buffer.allocUnsafe(n);
		this.buf.copy(out, 0, this.pos, this.pos + n);
		this.pos += n;
		return out;
	}

	/**
	 * The item count of the next array or map block (0 ends the array or map). Each item takes at
	 * least `minItemBytes`, which bounds the count by the bytes left.
	 */
	blockCount(minItemBytes: number): number {
		let n = this.long();
		if (typeof n === 'bigint') this.fail(`block count ${n}`);
		if (n < 0) {
			n = -n;
			this.length(); // The block's size in bytes: checked, not needed.
		}
		if (n * minItemBytes > this.end - this.pos) this.fail(`block of ${n} items with ${this.end - this.pos} bytes left`);
		return n;
	}

	/** A union branch index in [0, branches). */
	branch(branches: number): number {
		const i = this.long();
		if (typeof i === 'bigint' || i < 0 || i >= branches) this.fail(`union branch ${i} of ${branches}`);
		return i;
	}
}
