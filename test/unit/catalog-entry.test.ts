/** Catalogue entries: keys, the framed Avro codec, and bytes written by the Python runner. */
import assert from 'node:assert/strict';
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
import {CodecError, wireSchemas} from '../../src/codec/index.js';

/** Written by `mlbridge_runner.catalog.entries.encode_entry` (Python, fastavro). */
const pythonPipelineEntry =
	'c3016feff173081ba94a001274797065645f61646404084164642e011063726336343a61610c226c6f6e67221063726336343a62620c226c6f6e672202b81710686f73742f312f7880a0abfef962';
const pythonSchemaEntry = 'c3016feff173081ba94a022c63726336343a62373164663439333434653135346430000000000c226c6f6e67220000000000';

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

test('an entry round-trips and equals the Python runner\'s bytes', () => {
	const bytes = encodeCatalogEntry(pipeline);
	assert.equal(bytes.toString('hex'), pythonPipelineEntry);
	assert.deepEqual(decodeCatalogEntry(Buffer.from(pythonPipelineEntry, 'hex')), pipeline);
	assert.deepEqual(decodeCatalogEntry(encodeCatalogEntry({...pipeline, timeoutMs: null})), {...pipeline, timeoutMs: null});
});

test('a SCHEMA entry is what the Python runner writes for schema_entry()', () => {
	const entry = schemaEntry('crc64:b71df49344e154d0', '"long"', '', 0);
	assert.equal(encodeCatalogEntry(entry).toString('hex'), pythonSchemaEntry);
	assert.deepEqual(decodeCatalogEntry(Buffer.from(pythonSchemaEntry, 'hex')), entry);
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
