/**
 * The Avro specification's 64-bit Rabin fingerprint (CRC-64-AVRO), computed over the UTF-8 bytes of
 * a schema's Parsing Canonical Form. The table is kept as two 32-bit halves so the loop stays in
 * small-integer arithmetic; BigInt appears only at the edges.
 */

/** The fingerprint of empty input, also the polynomial used to build the table. */
export const CRC64_AVRO_EMPTY = 0xc15d213aa4d7a795n;

const TABLE_LO = new Uint32Array(256);
const TABLE_HI = new Uint32Array(256);
for (let i = 0; i < 256; i++) {
	let fp = BigInt(i);
	for (let j = 0; j < 8; j++) {
		fp = (fp >> 1n) ^ (CRC64_AVRO_EMPTY & -(fp & 1n));
	}
	TABLE_LO[i] = Number(fp & 0xffffffffn);
	TABLE_HI[i] = Number(fp >> 32n);
}
const EMPTY_LO = Number(CRC64_AVRO_EMPTY & 0xffffffffn);
const EMPTY_HI = Number(CRC64_AVRO_EMPTY >> 32n);

function crcHalves(data: Uint8Array): [lo: number, hi: number] {
	let lo = EMPTY_LO;
	let hi = EMPTY_HI;
	for (let i = 0; i < data.length; i++) {
		const index = (lo ^ data[i]!) & 0xff;
		lo = (((lo >>> 8) | (hi << 24)) ^ TABLE_LO[index]!) >>> 0;
		hi = ((hi >>> 8) ^ TABLE_HI[index]!) >>> 0;
	}
	return [lo, hi];
}

/** CRC-64-AVRO of `data`, as an unsigned 64-bit value. */
export function crc64Avro(data: Uint8Array): bigint {
	const [lo, hi] = crcHalves(data);
	return (BigInt(hi) << 32n) | BigInt(lo);
}

/**
 * The 8 fingerprint bytes of a schema given in Parsing Canonical Form, little-endian: exactly the
 * bytes that follow `C3 01` in an Avro single-object frame.
 */
export function fingerprint(canonicalForm: string): Buffer {
	const [lo, hi] = crcHalves(Buffer.from(canonicalForm, 'utf8'));
	const out = Buffer.allocUnsafe(8);
	out.writeUInt32LE(lo, 0);
	out.writeUInt32LE(hi, 4);
	return out;
}
