/**
 * A small Avro binary writer: zigzag varints, doubles, strings and bytes. Small messages are
 * written into a shared slab and returned as views of it (no copy); large ones are copied out.
 * Callers check types; this only lays bytes down. Writers are pooled (see acquireWriter) because
 * encoding may run user getters that encode again.
 */

/** Messages are written into slabs of this size and handed out as views, like Node's Buffer pool. */
const SLAB_SIZE = 64 * 1024;
/** Larger messages are copied out exactly instead, so they never pin a bigger slab. */
const VIEW_LIMIT = SLAB_SIZE / 4;

/** Strings up to this length are first written by hand, guessing they are ASCII. */
const ASCII_GUESS_LIMIT = 256;

type Utf8Write = (this: Buffer, s: string, offset: number, length: number) => number;
const utf8Write: Utf8Write =
	(Buffer.prototype as unknown as {utf8Write?: Utf8Write}).utf8Write ??
	function (this: Buffer, s: string, offset: number, length: number) {
		return this.write(s, offset, length, 'utf8');
	};

type WellFormed = (this: string) => boolean;
const nativeWellFormed = (String.prototype as unknown as {isWellFormed?: WellFormed}).isWellFormed;
/** Whether `s` has no lone surrogate (String#isWellFormed, with a fallback). */
export function isWellFormed(s: string): boolean {
	return nativeWellFormed === undefined ? !/\p{Cs}/u.test(s) : nativeWellFormed.call(s);
}

export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;

export class AvroWriter {
	buf: Buffer = Buffer.allocUnsafeSlow(SLAB_SIZE);
	/** Where the message being written starts in `buf`. */
	base = 0;
	pos = 0;
	/** The slab the message being written outgrew, if it did: written on again after it. */
	#slab: Buffer | undefined = undefined;

	/** Makes room for `n` more bytes. Positions already written stay where they are. */
	reserve(n: number): void {
		if (this.pos + n > this.buf.length) {
			// An eighth more than needed: a large field is mostly followed by a few small ones, and an
			// exact fit made the next byte double the buffer and copy the field again (1 MB per 500 KB
			// request, measured; each such copy is external memory that brings V8's mark-compact nearer).
			// A field of half the buffer or more gets just that slack (not the doubling that amortises
			// many small writes), so that take() can hand the buffer out as it is.
			const need = this.pos + n;
			const size = n >= this.buf.length / 2 ? need + (need >>> 3) : Math.max(this.buf.length * 2, need + (need >>> 3));
			const grown = Buffer.allocUnsafeSlow(size);
			if (this.buf.length === SLAB_SIZE) this.#slab = this.buf;
			this.buf.copy(grown, this.base, this.base, this.pos);
			this.buf = grown;
		}
	}

	byte(b: number): void {
		if (this.pos >= this.buf.length) this.reserve(1);
		this.buf[this.pos++] = b;
	}

	/** Appends raw bytes, no length prefix. */
	raw(bytes: Uint8Array): void {
		this.reserve(bytes.length);
		this.buf.set(bytes, this.pos);
		this.pos += bytes.length;
	}

	/** An Avro `int` or `long` given as a safe integer. */
	long(n: number): void {
		this.reserve(10);
		const buf = this.buf;
		let pos = this.pos;
		if (n >= -0x40000000 && n < 0x40000000) {
			let z = ((n << 1) ^ (n >> 31)) >>> 0;
			while (z > 0x7f) {
				buf[pos++] = (z & 0x7f) | 0x80;
				z >>>= 7;
			}
			buf[pos++] = z;
		} else {
			// Zigzag of a safe integer can exceed 2^53, so split off the low 6 bits before doubling.
			const m = n >= 0 ? n : -n - 1;
			let rest = Math.floor(m / 64);
			buf[pos++] = ((m % 64) * 2 + (n >= 0 ? 0 : 1)) | 0x80;
			while (rest > 0x7f) {
				buf[pos++] = (rest % 128) | 0x80;
				rest = Math.floor(rest / 128);
			}
			buf[pos++] = rest;
		}
		this.pos = pos;
	}

	/** An Avro `long` given as a bigint in the int64 range (checked by the caller). */
	bigLong(n: bigint): void {
		this.reserve(10);
		let z = BigInt.asUintN(64, (n << 1n) ^ (n >> 63n));
		while (z > 0x7fn) {
			this.buf[this.pos++] = Number(z & 0x7fn) | 0x80;
			z >>= 7n;
		}
		this.buf[this.pos++] = Number(z);
	}

	double(x: number): void {
		this.reserve(8);
		this.buf.writeDoubleLE(x, this.pos);
		this.pos += 8;
	}

	boolean(b: boolean): void {
		this.byte(b ? 1 : 0);
	}

	/**
	 * A UTF-8 string. Returns false, writing nothing, when `s` holds a lone surrogate: UTF-8 cannot
	 * carry one, and replacing it would change the data silently.
	 */
	string(s: string): boolean {
		const length = s.length;
		if (length <= ASCII_GUESS_LIMIT) {
			// Guess ASCII (byte length = length), write by hand, and redo natively if the guess fails.
			const start = this.pos;
			this.long(length);
			this.reserve(length);
			const buf = this.buf;
			let pos = this.pos;
			let i = 0;
			for (; i < length; i++) {
				const c = s.charCodeAt(i);
				if (c >= 0x80) break;
				buf[pos++] = c;
			}
			if (i === length) {
				this.pos = pos;
				return true;
			}
			this.pos = start;
		}
		if (!isWellFormed(s)) return false;
		const size = Buffer.byteLength(s, 'utf8');
		this.long(size);
		this.reserve(size);
		this.pos += utf8Write.call(this.buf, s, this.pos, size);
		return true;
	}

	bytes(b: Uint8Array): void {
		this.long(b.length);
		this.raw(b);
	}

	/** The message written since the last take(), as its own Buffer; the writer moves past it. */
	take(): Buffer {
		const {base, pos} = this;
		let out: Buffer;
		if (this.buf.length > SLAB_SIZE && (pos - base) * 4 >= this.buf.length * 3) {
			// A buffer grown for this one message and mostly filled by it: hand it out as it is, as
			// #startNext drops it anyway. Copying a large message out again cost as much as writing it.
			out = this.buf.subarray(base, pos);
		} else if (pos - base > VIEW_LIMIT) {
			out = Buffer.allocUnsafeSlow(pos - base);
			this.buf.copy(out, 0, base, pos);
		} else {
			out = this.buf.subarray(base, pos);
		}
		this.#startNext(pos);
		return out;
	}

	/** Drops what was written since the last take(). */
	discard(): void {
		this.#startNext(this.base);
	}

	#startNext(at: number): void {
		if (this.buf.length > SLAB_SIZE && this.#slab !== undefined) {
			// Back to the slab this message outgrew: from where the message began, nothing there was handed out.
			this.buf = this.#slab;
			at = this.base;
		}
		this.#slab = undefined;
		if (this.buf.length - at < VIEW_LIMIT || this.buf.length > SLAB_SIZE) {
			this.buf = Buffer.allocUnsafeSlow(SLAB_SIZE);
			at = 0;
		}
		this.base = at;
		this.pos = at;
	}
}

const spare: AvroWriter[] = [];

/** A writer ready for a new message; give it back with releaseWriter. */
export function acquireWriter(): AvroWriter {
	return spare.pop() ?? new AvroWriter();
}

/** Returns a writer to the pool, dropping anything written and not taken. */
export function releaseWriter(w: AvroWriter): void {
	if (w.pos !== w.base) w.discard();
	if (spare.length < 4) spare.push(w);
}
