/**
 * The claim check's reference (schemas/blob-ref.avsc): what travels in `Request.args` /
 * `Reply.result` instead of a body too large for the record, with `argsSchema` / `resultSchema` =
 * {@link blobRefSchemaRef}. The blob holds the body exactly as it would have travelled inline.
 */
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import avsc from 'avsc';
import type {Schema} from 'avsc';
import {fingerprint} from '../codec/crc64.js';
import {schemaDir} from '../codec/schemas.js';

/** Where a payload went, how long it is, its SHA-256 (lowercase hex), and the ref of the body in it. */
export type BlobRef = {
	readonly uri: string;
	readonly size: number;
	readonly sha256: string;
	readonly schema: string;
};

const type = avsc.Type.forSchema(JSON.parse(readFileSync(join(schemaDir, 'blob-ref.avsc'), 'utf8')) as Schema);

/** `crc64:` ref of blob-ref.avsc: the argsSchema / resultSchema of a body passed by reference. */
export const blobRefSchemaRef = `crc64:${fingerprint(JSON.stringify(type.schema())).toString('hex')}`;

export function encodeBlobRef(ref: BlobRef): Buffer {
	return type.toBuffer(ref);
}

/** Throws when `body` is not a BlobRef body. */
export function decodeBlobRef(body: Buffer): BlobRef {
	const {uri, size, sha256, schema} = type.fromBuffer(body) as BlobRef;
	const ref = {uri, size, sha256, schema};
	if (!/^[0-9a-f]{64}$/.test(ref.sha256) || !Number.isSafeInteger(ref.size) || ref.size < 0) {
		throw new Error(`malformed blob reference (size ${ref.size}, sha256 ${ref.sha256.slice(0, 80)})`);
	}

	return ref;
}
