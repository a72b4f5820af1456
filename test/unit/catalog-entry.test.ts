/**
 * Catalogue entries: keys, the framed Avro codec, and bytes written by the Python runner (the
 * `catalog` section of schemas/vectors/typed.json; every case is also checked in vectors-typed).
 */
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import test from 'node:test';
import {
	type CatalogEntry,
	decodeCatalogEntry,
	encodeCatalogEntry,
	parseCatalogKey,
	pipelineKey,
	schemaEntry,
	schemaKey,
} from '../../src/catalog/catalog-entry.js';
import avsc from 'avsc';
import {createExactLongType} from '../../src/codec/avsc-long.js';
import {CodecError, fingerprint, frame, schemaDir, wireSchemas} from '../../src/codec/index.js';

type CatalogVector = {name: string; key: string; entry: CatalogEntry; hex: string};

/** Written by `mlbridge_runner.catalog.entries.encode_entry` (Python, fastavro). */
const pythonEntries = (JSON.parse(readFileSync(join(schemaDir, 'vectors', 'typed.json'), 'utf8')) as {catalog: CatalogVector[]}).catalog;

function pythonEntry(name: string): CatalogVector {
	const found = pythonEntries.find((c) => c.name === name);
	assert.ok(found, `typed.json has no catalog case ${name}`);
	return found;
}

const pipeline: CatalogEntry = {
	kind: 'PIPELINE',
	name: 'typed_add',
	version: 2,
	doc: 'Add.',
	typed: true,
	argsRef: 'crc64:aa',
	argsSchema: '"long"',
	resultRef: 'crc64:bb',
	resultSchema: '"long"',
	timeoutMs: 1500,
	runner: 'host/1/x',
	publishedAtMs: 1_700_000_000_000,
};

test('keys: pipeline/<name>/<version> and schema/<ref>', () => {
	assert.equal(pipelineKey('train', 3), 'pipeline/train/3');
	assert.equal(schemaKey('crc64:00ff'), 'schema/crc64:00ff');
	assert.deepEqual(parseCatalogKey('pipeline/train/3'), {kind: 'PIPELINE', name: 'train', version: 3});
	assert.deepEqual(parseCatalogKey('pipeline/a/b/12'), {kind: 'PIPELINE', name: 'a/b', version: 12});
	assert.deepEqual(parseCatalogKey('schema/crc64:00ff'), {kind: 'SCHEMA', ref: 'crc64:00ff'});
	for (const bad of [null, undefined, '', 'schema/', 'pipeline/train', 'pipeline//1', 'pipeline/train/x', 'pipeline/train/01', 'other/x', 'pipeline/train/-1']) {
		assert.equal(parseCatalogKey(bad), undefined, String(bad));
	}
});

test('an entry round-trips, with and without a time limit, in either lane', () => {
	assert.deepEqual(decodeCatalogEntry(encodeCatalogEntry(pipeline)), {...pipeline, lane: 'CALL'}, 'no lane is written as CALL');
	assert.deepEqual(decodeCatalogEntry(encodeCatalogEntry({...pipeline, timeoutMs: null})), {...pipeline, timeoutMs: null, lane: 'CALL'});
	assert.deepEqual(decodeCatalogEntry(encodeCatalogEntry({...pipeline, lane: 'JOB'})), {...pipeline, lane: 'JOB'});
});

test('an entry written before lanes existed (catalog.avsc without lane) reads as a CALL pipeline', () => {
	const schema = wireSchemas.catalog.type.schema() as {fields: Array<{name: string}>};
	const older = avsc.Type.forSchema({...schema, fields: schema.fields.filter(f => f.name !== 'lane')} as avsc.Schema, {registry: {long: createExactLongType()}});
	const bytes = frame(fingerprint(JSON.stringify(older.schema())), older.toBuffer(pipeline));
	assert.notDeepEqual(bytes.subarray(2, 10), wireSchemas.catalog.fingerprint);
	assert.deepEqual(decodeCatalogEntry(bytes), {...pipeline, lane: 'CALL'});
});

test('pipeline entries equal the Python runner\'s bytes (typed and untyped, with and without a time limit)', () => {
	for (const name of ['pipeline-typed-timeout', 'pipeline-typed-no-timeout', 'pipeline-untyped-timeout', 'pipeline-untyped-no-timeout']) {
		const {entry, hex, key} = pythonEntry(name);
		assert.equal(encodeCatalogEntry(entry).toString('hex'), hex, name);
		assert.deepEqual(decodeCatalogEntry(Buffer.from(hex, 'hex')), entry, name);
		assert.equal(pipelineKey(entry.name, entry.version), key, name);
	}
	assert.equal(pythonEntry('pipeline-typed-timeout').entry.timeoutMs, 1500);
	assert.equal(pythonEntry('pipeline-typed-no-timeout').entry.timeoutMs, null);
});

test('a SCHEMA entry is what the Python runner writes for schema_entry()', () => {
	const {hex, key} = pythonEntry('schema-long');
	const entry = schemaEntry('crc64:b71df49344e154d0', '"long"', '', 0);
	assert.equal(schemaKey(entry.name), key);
	assert.equal(encodeCatalogEntry(entry).toString('hex'), hex);
	assert.deepEqual(decodeCatalogEntry(Buffer.from(hex, 'hex')), entry);
	const fromClient = pythonEntry('schema-from-client').entry;
	assert.deepEqual(schemaEntry(fromClient.name, fromClient.argsSchema, fromClient.runner, fromClient.publishedAtMs), fromClient);
});

test('bytes that are not a catalogue entry are a CodecError', () => {
	const framedOther = encodeCatalogEntry(pipeline);
	wireSchemas.value.fingerprint.copy(framedOther, 2);
	const cases: Array<[Buffer, string]> = [
		[Buffer.alloc(3), 'too-short'],
		[Buffer.from('not a frame at all'), 'bad-magic'],
		[framedOther, 'unknown-fingerprint'],
		[encodeCatalogEntry(pipeline).subarray(0, 20), 'malformed-body'],
		[Buffer.concat([encodeCatalogEntry(pipeline), Buffer.from([0])]), 'malformed-body'],
	];
	for (const [bytes, reason] of cases) {
		assert.throws(() => decodeCatalogEntry(bytes), (e: unknown) => e instanceof CodecError && e.reason === reason, reason);
	}
});
