/**
 * The envelope versions this side knows (`schemas/versions/index.json`) and reading a frame of a
 * known version other than the current one by Avro schema resolution (avsc resolver: writer = that
 * version, reader = today's). The current version never comes here: `envelopes.ts` keeps its
 * hand-written fast path for today's fingerprint and asks this module only when a frame carries
 * another one.
 */
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import avsc from 'avsc';
import type {Schema, Type} from 'avsc';
import {createExactLongType} from './avsc-long.js';
import {CodecError} from './codec-errors.js';
import {fingerprint} from './crc64.js';
import {FRAME_HEADER_LENGTH, frameHeader} from './framing.js';
import {schemaDir, type WireSchema, wireSchemas} from './schemas.js';

/** The envelopes that are versioned. */
export type EnvelopeKind = 'request' | 'reply';

/** One version of an envelope schema. */
export interface EnvelopeVersion {
	readonly kind: EnvelopeKind;
	readonly version: number;
	/** `published`: written by released code; `synthetic`: kept for the vectors and tests. */
	readonly status: 'published' | 'synthetic';
	/** Little-endian CRC-64-AVRO of the canonical form, as 16 lowercase hex digits. */
	readonly fingerprintHex: string;
	/** The schema as written in its `.avsc` file. */
	readonly schema: Schema;
	readonly type: Type;
}

/** Every known version of one envelope. */
export interface EnvelopeVersionSet {
	readonly kind: EnvelopeKind;
	readonly current: EnvelopeVersion;
	/** Oldest first. */
	readonly versions: readonly EnvelopeVersion[];
	/** `v0 c2a8…, v1 c6bd… (current), …`: for error messages. */
	describe(): string;
}

interface IndexFile {
	request: {current: number; versions: {version: number; file: string; fingerprint: string; status: string}[]};
	reply: IndexFile['request'];
}

/** Avro types as the wire schemas build them: exact longs, unions unwrapped. */
function typeOf(schema: Schema): Type {
	return avsc.Type.forSchema(schema, {registry: {long: createExactLongType()}, wrapUnions: 'auto'});
}

function loadKind(directory: string, kind: EnvelopeKind, entry: IndexFile['request'], current: WireSchema): EnvelopeVersionSet {
	const versions = entry.versions
		.map((item): EnvelopeVersion => {
			const schema = JSON.parse(readFileSync(join(directory, item.file), 'utf8')) as Schema;
			const type = typeOf(schema);
			const fingerprintHex = fingerprint(JSON.stringify(type.schema())).toString('hex');
			if (fingerprintHex !== item.fingerprint) {
				throw new Error(`mlbridge: ${kind} v${item.version}: index.json says fingerprint ${item.fingerprint}, ${item.file} has ${fingerprintHex}`);
			}
			const status = item.status === 'published' ? 'published' : 'synthetic';
			return {kind, version: item.version, status, fingerprintHex, schema, type};
		})
		.sort((a, b) => a.version - b.version);
	const chosen = versions.find((v) => v.version === entry.current);
	if (chosen?.fingerprintHex !== current.fingerprintHex) {
		throw new Error(`mlbridge: the current ${kind} version in schemas/versions/index.json is not schemas/${kind}.avsc (${current.fingerprintHex})`);
	}
	return {
		kind,
		current: chosen,
		versions,
		describe: () => versions.map((v) => `v${v.version} ${v.fingerprintHex}${v === chosen ? ' (current)' : ''}`).join(', '),
	};
}

function load(): Readonly<Record<EnvelopeKind, EnvelopeVersionSet>> {
	const directory = join(schemaDir, 'versions');
	const index = JSON.parse(readFileSync(join(directory, 'index.json'), 'utf8')) as IndexFile;
	return {
		request: loadKind(directory, 'request', index.request, wireSchemas.request),
		reply: loadKind(directory, 'reply', index.reply, wireSchemas.reply),
	};
}

/** The request and reply versions, loaded with the module. */
export const envelopeVersions: Readonly<Record<EnvelopeKind, EnvelopeVersionSet>> = load();

/** Whether `fingerprintHex` is a known version of `kind`. */
export function isKnownVersion(kind: EnvelopeKind, fingerprintHex: string): boolean {
	return envelopeVersions[kind].versions.some((v) => v.fingerprintHex === fingerprintHex);
}

const resolvers = new Map<EnvelopeVersion, ReturnType<Type['createResolver']>>();

/**
 * The record in `buf` (a single-object frame whose fingerprint is not the current version's),
 * in today's field names. Throws CodecError `unknown-fingerprint` naming the known versions, or
 * `bad-body` when the body does not decode with its version.
 */
export function readOtherVersion(kind: EnvelopeKind, buf: Buffer): Record<string, unknown> {
	const set = envelopeVersions[kind];
	const found = buf.toString('hex', 2, FRAME_HEADER_LENGTH);
	const writer = set.versions.find((v) => v.fingerprintHex === found);
	if (writer === undefined) {
		throw new CodecError(
			'unknown-fingerprint',
			`${kind} envelope fingerprint ${found} is not a version this reader knows (it reads ${set.describe()})`,
		);
	}
	let resolver = resolvers.get(writer);
	if (resolver === undefined) {
		resolver = set.current.type.createResolver(writer.type);
		resolvers.set(writer, resolver);
	}
	try {
		return set.current.type.fromBuffer(buf.subarray(FRAME_HEADER_LENGTH), resolver) as Record<string, unknown>;
	} catch (error) {
		throw new CodecError('malformed-body', `${kind} body (version ${writer.version}) does not decode: ${String(error)}`, {cause: error});
	}
}

/**
 * `record` (that version's field names) as a single-object frame of an envelope version: how a
 * client or runner of that version writes it. For vectors and tests that stand for other versions;
 * the client and runner write only the current one.
 */
export function encodeVersion(kind: EnvelopeKind, version: number, record: Record<string, unknown>): Buffer {
	const v = envelopeVersions[kind].versions.find((x) => x.version === version);
	if (v === undefined) throw new RangeError(`No ${kind} version ${version} in schemas/versions/index.json`);
	return Buffer.concat([frameHeader(Buffer.from(v.fingerprintHex, 'hex')), v.type.toBuffer(record)]);
}
