/**
 * Avro single-object encoding: `C3 01`, the schema's 8-byte CRC-64-AVRO fingerprint
 * (little-endian), then the Avro body.
 */
import {CodecError} from './codec-errors.js';

/** Bytes before the body: 2 magic + 8 fingerprint. */
export const FRAME_HEADER_LENGTH = 10;
const MAGIC_0 = 0xc3;
const MAGIC_1 = 0x01;

/** The 10-byte header for a schema fingerprint. */
export function frameHeader(fp: Uint8Array): Buffer {
	if (fp.length !== 8) throw new TypeError(`A fingerprint has 8 bytes, got ${fp.length}`);
	const header = Buffer.allocUnsafe(FRAME_HEADER_LENGTH);
	header[0] = MAGIC_0;
	header[1] = MAGIC_1;
	header.set(fp, 2);
	return header;
}

/** `C3 01` + `fp` + `body`, in a new buffer. */
export function frame(fp: Buffer, body: Buffer): Buffer {
	const out = Buffer.allocUnsafe(FRAME_HEADER_LENGTH + body.length);
	frameHeader(fp).copy(out, 0);
	body.copy(out, FRAME_HEADER_LENGTH);
	return out;
}

/** Throws `too-short` or `bad-magic` unless `buf` starts with a single-object header. */
export function checkHeader(buf: Uint8Array): void {
	if (buf.length < FRAME_HEADER_LENGTH) {
		throw new CodecError(
			'too-short',
			`A single-object frame has at least ${FRAME_HEADER_LENGTH} bytes, got ${buf.length}`,
		);
	}
	if (buf[0] !== MAGIC_0 || buf[1] !== MAGIC_1) {
		throw new CodecError(
			'bad-magic',
			`Not an Avro single-object frame: starts with ${Buffer.from(buf.subarray(0, 2)).toString('hex')}, expected c301`,
		);
	}
}

/**
 * Splits a single-object frame. `fingerprint` and `body` are views into `buf`, not copies.
 * Checks the header only; which fingerprints are acceptable is the caller's decision.
 */
export function unframe(buf: Buffer): {fingerprint: Buffer; body: Buffer} {
	checkHeader(buf);
	return {fingerprint: buf.subarray(2, FRAME_HEADER_LENGTH), body: buf.subarray(FRAME_HEADER_LENGTH)};
}
