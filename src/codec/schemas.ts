/**
 * The wire schemas (`schemas/*.avsc`), loaded once. The schemas folder is found by walking up from
 * this module, so it works from `src/` under tsx, from `dist/src/` after tsc, and inside an installed
 * package.
 */
import {existsSync, readFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import avsc from 'avsc';
import type {Schema, Type} from 'avsc';
import {createExactLongType} from './avsc-long.js';
import {fingerprint} from './crc64.js';

/** One wire schema with its single-object fingerprint. */
export interface WireSchema {
	/** The avsc type: the source of truth the hand-written codecs are tested against. */
	readonly type: Type;
	/** The schema's Parsing Canonical Form. */
	readonly canonicalForm: string;
	/** CRC-64-AVRO of the canonical form, little-endian, as it follows `C3 01`. */
	readonly fingerprint: Buffer;
	/** `fingerprint` as 16 lowercase hex digits. */
	readonly fingerprintHex: string;
	/** `"crc64:" + fingerprintHex`: the form used in `argsSchema` / `resultSchema`. */
	readonly ref: string;
}

function findSchemaDir(): string {
	let dir = dirname(fileURLToPath(import.meta.url));
	for (;;) {
		const candidate = join(dir, 'schemas');
		if (existsSync(join(candidate, 'request.avsc'))) return candidate;
		const parent = dirname(dir);
		if (parent === dir) {
			throw new Error(`mlbridge: no schemas/request.avsc above ${fileURLToPath(import.meta.url)}`);
		}
		dir = parent;
	}
}

/** Absolute path of the `schemas/` folder in use. */
export const schemaDir: string = findSchemaDir();

function load(name: string): WireSchema {
	const schema = JSON.parse(readFileSync(join(schemaDir, `${name}.avsc`), 'utf8')) as Schema;
	// Value's union has both long and double: wrapped unions keep the branch explicit
	// (`{v: {long: 5}}`), as avsc would otherwise send every number down the double branch.
	const type = avsc.Type.forSchema(schema, {
		registry: {long: createExactLongType()},
		wrapUnions: name.startsWith('value') ? 'always' : 'auto',
	});
	// avsc's schema() export is the Parsing Canonical Form (checked against fastavro in the tests).
	const canonicalForm = JSON.stringify(type.schema());
	const fp = fingerprint(canonicalForm);
	const fingerprintHex = fp.toString('hex');
	return {type, canonicalForm, fingerprint: fp, fingerprintHex, ref: `crc64:${fingerprintHex}`};
}

/**
 * The wire schemas: the envelopes, Value, the catalogue entry (schemas/catalog.avsc) and the job
 * state record (schemas/job.avsc) and the runner presence record (schemas/presence.avsc).
 */
export const wireSchemas: {
	readonly value: WireSchema;
	/** Value version 2 (value-v2.avsc): version 1 plus tensors and Arrow tables. */
	readonly valueV2: WireSchema;
	readonly request: WireSchema;
	readonly reply: WireSchema;
	readonly catalog: WireSchema;
	readonly job: WireSchema;
	readonly presence: WireSchema;
} = {
	value: load('value'),
	valueV2: load('value-v2'),
	request: load('request'),
	reply: load('reply'),
	catalog: load('catalog'),
	job: load('job'),
	presence: load('presence'),
};
