/**
 * Entries of the catalogue topic (schemas/catalog.avsc, single-object framed) and their keys:
 * `pipeline/<name>/<version>` and `schema/<ref>`.
 */
import avsc from 'avsc';
import type {Resolver, Schema, Type} from 'avsc';
import {createExactLongType} from '../codec/avsc-long.js';
import {CodecError} from '../codec/codec-errors.js';
import {fingerprint as fingerprintOf} from '../codec/crc64.js';
import {frame, unframe} from '../codec/framing.js';
import {wireSchemas} from '../codec/schemas.js';

export type CatalogKind = 'PIPELINE' | 'SCHEMA';

/** `JOB`: declared `@pipeline(job=True)`, meant for submit(); `CALL`: meant for invoke(). */
export type PipelineLane = 'CALL' | 'JOB';

/** One catalogue entry, with the field names of schemas/catalog.avsc. */
export type CatalogEntry = {
	readonly kind: CatalogKind;
	/** Pipeline name; for SCHEMA entries the schema's ref. */
	readonly name: string;
	/** 0 for SCHEMA entries. */
	readonly version: number;
	readonly doc: string;
	/** False: arguments and result use the generic Value schema. */
	readonly typed: boolean;
	readonly argsRef: string;
	/** Avro JSON text; for SCHEMA entries the schema itself; `""` when untyped. */
	readonly argsSchema: string;
	readonly resultRef: string;
	readonly resultSchema: string;
	readonly timeoutMs: number | null;
	readonly runner: string;
	readonly publishedAtMs: number;
	/** Absent means `CALL` (written so; and entries published before lanes existed read as `CALL`). */
	readonly lane?: PipelineLane;
};

export const PIPELINE_PREFIX = 'pipeline/';
export const SCHEMA_PREFIX = 'schema/';

export function pipelineKey(name: string, version: number): string {
	return `${PIPELINE_PREFIX}${name}/${version}`;
}

export function schemaKey(ref: string): string {
	return `${SCHEMA_PREFIX}${ref}`;
}

export type CatalogKey =
	| {readonly kind: 'PIPELINE'; readonly name: string; readonly version: number}
	| {readonly kind: 'SCHEMA'; readonly ref: string};

/** Parse a record key; undefined for anything that is not a catalogue key. */
export function parseCatalogKey(key: string | null | undefined): CatalogKey | undefined {
	if (typeof key !== 'string') {
		return undefined;
	}

	if (key.startsWith(SCHEMA_PREFIX) && key.length > SCHEMA_PREFIX.length) {
		return {kind: 'SCHEMA', ref: key.slice(SCHEMA_PREFIX.length)};
	}

	if (key.startsWith(PIPELINE_PREFIX)) {
		const rest = key.slice(PIPELINE_PREFIX.length);
		const slash = rest.lastIndexOf('/');
		const version = rest.slice(slash + 1);
		if (slash > 0 && /^(0|[1-9]\d{0,9})$/.test(version)) {
			return {kind: 'PIPELINE', name: rest.slice(0, slash), version: Number(version)};
		}
	}

	return undefined;
}

/** A SCHEMA entry: what a client publishes for each schema of its pinned contract. */
export function schemaEntry(ref: string, schemaText: string, runner: string, publishedAtMs = Date.now()): CatalogEntry {
	return {
		kind: 'SCHEMA',
		name: ref,
		version: 0,
		doc: '',
		typed: false,
		argsRef: '',
		argsSchema: schemaText,
		resultRef: '',
		resultSchema: '',
		timeoutMs: null,
		runner,
		publishedAtMs,
		lane: 'CALL',
	};
}

/** The framed bytes of an entry. */
export function encodeCatalogEntry(entry: CatalogEntry): Buffer {
	return frame(wireSchemas.catalog.fingerprint, wireSchemas.catalog.type.toBuffer(entry));
}

/** Read a framed entry. Throws CodecError for other schemas, bad frames or bodies. */
export function decodeCatalogEntry(bytes: Buffer): CatalogEntry {
	const {fingerprint, body} = unframe(bytes);
	const current = fingerprint.equals(wireSchemas.catalog.fingerprint);
	if (!current && !fingerprint.equals(beforeLanes.fingerprint)) {
		throw new CodecError('unknown-fingerprint', `Not a catalogue entry: schema fingerprint ${fingerprint.toString('hex')}, expected ${wireSchemas.catalog.fingerprintHex}`);
	}

	let raw: Record<string, unknown>;
	try {
		raw = (current ? wireSchemas.catalog.type.fromBuffer(body) : wireSchemas.catalog.type.fromBuffer(body, beforeLanes.resolver)) as Record<string, unknown>;
	} catch (error) {
		throw new CodecError('malformed-body', `Bad catalogue entry body: ${error instanceof Error ? error.message : String(error)}`, {cause: error});
	}

	return {
		kind: raw['kind'] as CatalogKind,
		name: raw['name'] as string,
		version: raw['version'] as number,
		doc: raw['doc'] as string,
		typed: raw['typed'] as boolean,
		argsRef: raw['argsRef'] as string,
		argsSchema: raw['argsSchema'] as string,
		resultRef: raw['resultRef'] as string,
		resultSchema: raw['resultSchema'] as string,
		timeoutMs: raw['timeoutMs'] === null ? null : Number(raw['timeoutMs']),
		runner: raw['runner'] as string,
		publishedAtMs: Number(raw['publishedAtMs']),
		lane: (raw['lane'] as PipelineLane | undefined) ?? 'CALL',
	};
}

/**
 * catalog.avsc as it was before `lane`: entries published by runners older than jobs are still
 * read (resolved to the current schema: lane `CALL`), so upgrading clients first hides nothing.
 */
const beforeLanes: {readonly fingerprint: Buffer; readonly resolver: Resolver} = (() => {
	const schema = wireSchemas.catalog.type.schema() as {fields: Array<{name: string}>};
	const type: Type = avsc.Type.forSchema({...schema, fields: schema.fields.filter(f => f.name !== 'lane')} as Schema, {registry: {long: createExactLongType()}});
	return {fingerprint: fingerprintOf(JSON.stringify(type.schema())), resolver: wireSchemas.catalog.type.createResolver(type)};
})();
