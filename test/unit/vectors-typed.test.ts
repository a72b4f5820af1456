/**
 * schemas/vectors/typed.json (written by the Python runner): the typed codec agrees with fastavro
 * on canonical forms, refs, bytes both ways, schema resolution and what cannot be resolved.
 */
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import test from 'node:test';
import {schemaDir} from '../../src/codec/index.js';
import type {AvroSchema} from '../../src/contract/contract.js';
import {TypedSchema} from '../../src/contract/typed-codec.js';

type Tagged = Record<string, unknown>;
type Case = {name: string; schema: AvroSchema; canonical: string; ref: string; value: Tagged; hex: string};
type Evolution = {name: string; writer: AvroSchema; reader: AvroSchema; writerRef: string; readerRef: string; written: Tagged; hex: string; value: Tagged};
type Incompatible = {name: string; writer: AvroSchema; reader: AvroSchema};
type Confluent = {name: string; schemaId: number; schema: AvroSchema; value: Tagged; hex: string};
type Vectors = {writer: string; cases: Case[]; evolution: Evolution[]; incompatible: Incompatible[]; confluent: Confluent[]};

const vectors = JSON.parse(readFileSync(join(schemaDir, 'vectors', 'typed.json'), 'utf8')) as Vectors;

function integer(text: string): number | bigint {
	const big = BigInt(text);
	return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
}

function pairs(list: Array<[string, Tagged]>): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	for (const [key, item] of list) {
		Object.defineProperty(out, key, {value: untag(item), enumerable: true, writable: true, configurable: true});
	}

	return out;
}

/** The JS value the typed codec gives for a tagged vector value (README of schemas/vectors). */
function untag(tagged: Tagged): unknown {
	const [tag, raw] = Object.entries(tagged)[0]!;
	switch (tag) {
		case 'null':
		case 'boolean':
		case 'string':
		case 'enum':
			return raw;
		case 'long':
		case 'int':
			return integer(raw as string);
		case 'double':
		case 'float':
			return typeof raw === 'number' ? raw : Number(raw);
		case 'bytes':
			return Buffer.from(raw as string, 'hex');
		case 'array':
			return (raw as Tagged[]).map(untag);
		case 'map':
		case 'record':
			return pairs(raw as Array<[string, Tagged]>);
		case 'timestamp-millis':
			return new Date(Number(raw as string));
		case 'date':
			return new Date(`${raw as string}T00:00:00Z`);
		default:
			throw new Error(`unknown tag ${tag}`);
	}
}

test('the vectors are there and cover the design table', () => {
	assert.equal(vectors.writer, 'py');
	assert.ok(vectors.cases.length >= 30);
	assert.ok(vectors.evolution.length > 0);
	assert.ok(vectors.incompatible.length > 0);
});

for (const c of vectors.cases) {
	test(`case ${c.name}: canonical form, ref, bytes both ways`, () => {
		const schema = TypedSchema.compile(c.schema);
		assert.equal(schema.canonicalForm, c.canonical);
		assert.equal(schema.ref, c.ref);
		const value = untag(c.value);
		assert.equal(schema.check(value, 'value'), undefined);
		assert.equal(schema.encode(value).toString('hex'), c.hex);
		assert.deepStrictEqual(schema.decode(Buffer.from(c.hex, 'hex')), value);
	});
}

for (const e of vectors.evolution) {
	test(`evolution ${e.name}: written with the writer, read as the reader`, () => {
		const writer = TypedSchema.compile(e.writer);
		const reader = TypedSchema.compile(e.reader);
		assert.equal(writer.ref, e.writerRef);
		assert.equal(reader.ref, e.readerRef);
		assert.equal(writer.encode(untag(e.written)).toString('hex'), e.hex);
		assert.deepStrictEqual(reader.decodeFrom(writer, Buffer.from(e.hex, 'hex')), untag(e.value));
	});
}

for (const i of vectors.incompatible) {
	test(`incompatible ${i.name}: resolution is refused`, () => {
		const writer = TypedSchema.compile(i.writer);
		const reader = TypedSchema.compile(i.reader);
		assert.throws(() => reader.resolverFor(writer), /cannot be read/);
	});
}

for (const c of vectors.confluent) {
	test(`confluent ${c.name}: magic byte, big-endian schema id, then the Avro body`, () => {
		const header = Buffer.alloc(5);
		header.writeUInt32BE(c.schemaId, 1);
		const body = TypedSchema.compile(c.schema).encode(untag(c.value));
		assert.equal(Buffer.concat([header, body]).toString('hex'), c.hex);
	});
}
