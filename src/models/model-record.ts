/**
 * Records of the compacted model topic (schemas/model.avsc, single-object framed): a VERSION
 * record (key `<name>/<version>`) per saved model version, a TAG record (key `<name>/latest`)
 * pointing the `latest` tag at a version. Runners write versions; promote and rollback write tags.
 */
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import avsc from 'avsc';
import type {Schema} from 'avsc';
import {CodecError} from '../codec/codec-errors.js';
import {fingerprint} from '../codec/crc64.js';
import {frame, unframe} from '../codec/framing.js';
import {schemaDir} from '../codec/schemas.js';

export type ModelRecordKind = 'VERSION' | 'TAG';

/** One record of the model topic, with the field names of schemas/model.avsc. */
export type ModelRecord = {
	readonly kind: ModelRecordKind;
	readonly name: string;
	/** VERSION: this version. TAG: the version the tag points at. */
	readonly version: number;
	/** TAG records only, e.g. `latest`. */
	readonly tag: string | null;
	/** skops, npz, safetensors, joblib or a format the pipeline author registered. */
	readonly format: string;
	/** Where the bytes are (`file://` or `s3://`). */
	readonly uri: string;
	readonly size: number;
	/** Hex SHA-256 of the bytes. */
	readonly sha256: string;
	readonly metrics: Readonly<Record<string, number>>;
	readonly createdAtMs: number;
	/** The job or request that saved it (VERSION) or the client that moved the tag (TAG). */
	readonly createdBy: string;
};

/** The tag an unpinned inference call follows. */
export const latestTag = 'latest';

const schema = JSON.parse(readFileSync(join(schemaDir, 'model.avsc'), 'utf8')) as Schema;
const type = avsc.Type.forSchema(schema);
const modelFingerprint = fingerprint(JSON.stringify(type.schema()));

/** The single-object fingerprint of schemas/model.avsc, as 16 hex digits. */
export const modelRecordFingerprintHex = modelFingerprint.toString('hex');

/** The compaction key of a record. */
export function modelRecordKey(record: Pick<ModelRecord, 'name' | 'version' | 'tag'>): string {
	return `${record.name}/${record.tag ?? String(record.version)}`;
}

export function modelTopicFor(requestTopic: string): string {
	return `${requestTopic}.models`;
}

export function encodeModelRecord(record: ModelRecord): Buffer {
	return frame(modelFingerprint, type.toBuffer(record));
}

/** Read a framed record. Throws CodecError for other schemas, bad frames or bodies. */
export function decodeModelRecord(bytes: Buffer): ModelRecord {
	const {fingerprint: found, body} = unframe(bytes);
	if (!found.equals(modelFingerprint)) {
		throw new CodecError('unknown-fingerprint', `Not a model record: schema fingerprint ${found.toString('hex')}, expected ${modelRecordFingerprintHex}`);
	}

	try {
		return {...(type.fromBuffer(body) as ModelRecord)};
	} catch (error) {
		throw new CodecError('malformed-body', `Bad model record body: ${error instanceof Error ? error.message : String(error)}`, {cause: error});
	}
}
