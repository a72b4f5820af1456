/**
 * Confluent wire format: magic byte `0x00`, the schema's registry id as a 4-byte big-endian int,
 * then the Avro body. This is what Confluent's KafkaAvroSerializer writes, so a request produced by
 * any Confluent client is a valid mlbridge request once its schema id resolves.
 */
import {CodecError} from '../codec/codec-errors.js';
import {FRAME_HEADER_LENGTH} from '../codec/framing.js';

export const CONFLUENT_MAGIC = 0x00;
/** Bytes before the body: 1 magic + 4 schema id. */
export const CONFLUENT_HEADER_LENGTH = 5;
/** Registry ids are Java ints; the registries hand out positive ones. */
export const MAX_SCHEMA_ID = 0x7fffffff;

/** How a message on an mlbridge topic is framed, told apart by its first byte. */
export type Framing = 'single-object' | 'confluent';

function checkId(schemaId: number): void {
	if (!Number.isInteger(schemaId) || schemaId < 0 || schemaId > MAX_SCHEMA_ID) {
		throw new RangeError(`A registry schema id is an integer in 0..${MAX_SCHEMA_ID}, got ${String(schemaId)}`);
	}
}

/** The 5-byte header for `schemaId`. */
export function confluentHeader(schemaId: number): Buffer {
	checkId(schemaId);
	const header = Buffer.allocUnsafe(CONFLUENT_HEADER_LENGTH);
	header[0] = CONFLUENT_MAGIC;
	header.writeUInt32BE(schemaId, 1);
	return header;
}

/** `00` + big-endian `schemaId` + `body`, in a new buffer. */
export function frameConfluent(schemaId: number, body: Uint8Array): Buffer {
	const out = Buffer.allocUnsafe(CONFLUENT_HEADER_LENGTH + body.length);
	confluentHeader(schemaId).copy(out, 0);
	out.set(body, CONFLUENT_HEADER_LENGTH);
	return out;
}

/**
 * Splits a Confluent frame; `body` is a view into `buf`. Throws CodecError: `too-short`,
 * `bad-magic`, or `unknown-fingerprint` for an id no registry hands out (negative as a Java int).
 */
export function unframeConfluent(buf: Buffer): {schemaId: number; body: Buffer} {
	if (buf.length < CONFLUENT_HEADER_LENGTH) {
		throw new CodecError(
			'too-short',
			`A Confluent frame has at least ${CONFLUENT_HEADER_LENGTH} bytes, got ${buf.length}`,
		);
	}
	if (buf[0] !== CONFLUENT_MAGIC) {
		throw new CodecError(
			'bad-magic',
			`Not a Confluent frame: starts with ${buf.toString('hex', 0, 1)}, expected 00`,
		);
	}
	const schemaId = buf.readInt32BE(1);
	if (schemaId < 0) {
		throw new CodecError('unknown-fingerprint', `Confluent frame with schema id ${schemaId}, which no registry hands out`);
	}
	return {schemaId, body: buf.subarray(CONFLUENT_HEADER_LENGTH)};
}

/**
 * The framing of `buf` by its first bytes (`C3 01` single-object, `00` Confluent), or undefined
 * for anything else, including frames too short to carry a header.
 */
export function detectFraming(buf: Uint8Array): Framing | undefined {
	if (buf.length >= FRAME_HEADER_LENGTH && buf[0] === 0xc3 && buf[1] === 0x01) return 'single-object';
	if (buf.length >= CONFLUENT_HEADER_LENGTH && buf[0] === CONFLUENT_MAGIC) return 'confluent';
	return undefined;
}
