/**
 * schemas/vectors/typed.json (written by the Python runner): the typed codec agrees with fastavro
 * on canonical forms, refs, bytes both ways, schema resolution and what cannot be resolved; the
 * Confluent framing and the catalogue entry codec read and write the runner's bytes.
 */
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import test from 'node:test';
import {type CatalogEntry, decodeCatalogEntry, encodeCatalogEntry, parseCatalogKey, pipelineKey, schemaKey} from '../../src/catalog/catalog-entry.js';
import {schemaDir} from '../../src/codec/index.js';
import {type ReplyJson, replyFromJson, type RequestJson, requestFromJson} from '../../src/codec/vector-format.js';
import type {AvroSchema} from '../../src/contract/contract.js';
import {TypedSchema} from '../../src/contract/typed-codec.js';
import {detectFraming, frameConfluent, unframeConfluent} from '../../src/registry/confluent-framing.js';
import {encodeReplyConfluent, encodeRequestConfluent, envelopeSchemaText, RegistryEnvelopes} from '../../src/registry/registry-envelopes.js';
import {ConfluentSchemaRegistry} from '../../src/registry/schema-registry.js';

type Tagged = Record<string, unknown>;
type Case = {name: string; python?: string; pipeline?: string; schema: AvroSchema; canonical: string; ref: string; value: Tagged; hex: string};
type Evolution = {name: string; writer: AvroSchema; reader: AvroSchema; writerRef: string; readerRef: string; written: Tagged; hex: string; value: Tagged};
type Incompatible = {name: string; writer: AvroSchema; reader: AvroSchema};
type Confluent = {name: string; schemaId: number; schema: AvroSchema; value: Tagged; hex: string};
type ConfluentEnvelope = {name: string; schema: 'request' | 'reply'; schemaId: number; value: RequestJson | ReplyJson; hex: string};
type Catalog = {name: string; key: string; entry: CatalogEntry; hex: string};
type Vectors = {
	writer: string;
	cases: Case[];
	evolution: Evolution[];
	incompatible: Incompatible[];
	confluent: Confluent[];
	confluentEnvelopes: ConfluentEnvelope[];
	catalog: Catalog[];
};

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

type SchemaObject = {type?: unknown; name?: unknown; namespace?: unknown; symbols?: unknown; logicalType?: unknown; items?: unknown; values?: unknown; fields?: Array<{name: string; type: AvroSchema; default?: unknown}>};

function object(schema: unknown): SchemaObject {
	return typeof schema === 'object' && schema !== null && !Array.isArray(schema) ? (schema as SchemaObject) : {};
}

function isRecord(schema: unknown): boolean {
	return object(schema).type === 'record';
}

/** Each row of the docs/typed-contract.md table and how a derived schema shows it. */
const designTable: Array<[string, (c: Case) => boolean]> = [
	['int → long', (c) => c.python === 'int' && c.schema === 'long'],
	['float → double', (c) => c.python === 'float' && c.schema === 'double'],
	['str → string', (c) => c.python === 'str' && c.schema === 'string'],
	['bool → boolean', (c) => c.python === 'bool' && c.schema === 'boolean'],
	['bytes → bytes', (c) => c.python === 'bytes' && c.schema === 'bytes'],
	['None → null', (c) => c.python === 'None' && c.schema === 'null'],
	['T | None → ["null", T]', (c) => Array.isArray(c.schema) && c.schema.length === 2 && c.schema[0] === 'null' && (c.python ?? '').includes('| None')],
	['A | B → [A, B]', (c) => Array.isArray(c.schema) && c.schema.length >= 2 && !c.schema.includes('null')],
	['list[T] → array', (c) => (c.python ?? '').startsWith('list[') && object(c.schema).type === 'array'],
	['dict[str, T] → map', (c) => (c.python ?? '').startsWith('dict[str') && object(c.schema).type === 'map'],
	['Literal → enum', (c) => (c.python ?? '').startsWith('Literal[') && object(c.schema).type === 'enum'],
	['Enum → enum named after the class, symbols = member names', (c) => {
		const s = object(c.schema);
		return (c.python ?? '').includes('(Enum)') && s.type === 'enum' && s.name === 'Color' && JSON.stringify(s.symbols) === '["RED","GREEN","BLUE"]';
	}],
	['@dataclass → record in mlbridge.types', (c) => (c.python ?? '').startsWith('@dataclass') && isRecord(c.schema) && object(c.schema).namespace === 'mlbridge.types'],
	['TypedDict → record', (c) => (c.python ?? '').includes('(TypedDict)') && isRecord(c.schema)],
	['TypedDict optional keys → ["null", T] default null', (c) => {
		const fields = object(c.schema).fields ?? [];
		return (c.python ?? '').includes('TypedDict, total=False') && fields.length > 0
			&& fields.every((f) => Array.isArray(f.type) && f.type[0] === 'null' && f.default === null);
	}],
	['nested record', (c) => (object(c.schema).fields ?? []).some((f) => isRecord(f.type))],
	['nested containers', (c) => object(object(c.schema).values).type === 'array'],
	['field defaults', (c) => (object(c.schema).fields ?? []).some((f) => f.default !== undefined && f.default !== null)],
	['datetime → long timestamp-millis', (c) => c.python === 'datetime' && object(c.schema).type === 'long' && object(c.schema).logicalType === 'timestamp-millis'],
	['date → int date', (c) => c.python === 'date' && object(c.schema).type === 'int' && object(c.schema).logicalType === 'date'],
];

function tagsOf(tagged: Tagged, into: Set<string>): Set<string> {
	const [tag, raw] = Object.entries(tagged)[0]!;
	into.add(tag);
	if (tag === 'array') for (const item of raw as Tagged[]) tagsOf(item, into);
	if (tag === 'map' || tag === 'record') for (const [, item] of raw as Array<[string, Tagged]>) tagsOf(item, into);
	return into;
}

test('the vectors cover every row of the design table', () => {
	assert.equal(vectors.writer, 'py');
	const hintCases = vectors.cases.filter((c) => c.python !== undefined);
	const missing = designTable.filter(([, shows]) => !hintCases.some(shows)).map(([row]) => row);
	assert.deepEqual(missing, []);
	const tags = new Set<string>();
	for (const c of vectors.cases) tagsOf(c.value, tags);
	for (const tag of ['null', 'boolean', 'long', 'double', 'string', 'bytes', 'array', 'map', 'record', 'enum', 'timestamp-millis', 'date']) {
		assert.ok(tags.has(tag), `no case value uses ${tag}`);
	}
	// Values at the edges: both union branches, null and non-null optionals, empty containers.
	const names = new Set(vectors.cases.map((c) => c.name));
	for (const name of ['optional-null', 'optional-value', 'union-long', 'union-string', 'list-empty', 'dict-empty', 'typeddict-optional-keys']) {
		assert.ok(names.has(name), name);
	}
	for (const pipeline of ['typed_train', 'typed_echo']) {
		assert.ok(vectors.cases.some((c) => c.pipeline === pipeline), pipeline);
	}
	const evolution = new Set(vectors.evolution.map((e) => e.name));
	for (const pipeline of ['typed_train', 'typed_echo', 'typed_add']) {
		assert.ok(evolution.has(`${pipeline}-args-v1-to-v2`) && evolution.has(`${pipeline}-args-v2-to-v1`), pipeline);
	}
	assert.ok(vectors.incompatible.length > 0);
});

test('the Confluent and catalogue sections cover what they stand for', () => {
	assert.deepEqual(new Set(vectors.confluentEnvelopes.map((c) => c.schema)), new Set(['request', 'reply']));
	assert.ok(vectors.confluent.length > 0);
	const pipelines = vectors.catalog.map((c) => c.entry).filter((e) => e.kind === 'PIPELINE');
	assert.ok(vectors.catalog.some((c) => c.entry.kind === 'SCHEMA'));
	for (const typed of [true, false]) {
		for (const limited of [true, false]) {
			assert.ok(pipelines.some((e) => e.typed === typed && (e.timeoutMs !== null) === limited), `typed ${typed}, timeout ${limited}`);
		}
	}
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
	test(`confluent ${c.name}: unframed and framed by the client's Confluent framing`, () => {
		const bytes = Buffer.from(c.hex, 'hex');
		assert.equal(detectFraming(bytes), 'confluent');
		const {schemaId, body} = unframeConfluent(bytes);
		assert.equal(schemaId, c.schemaId);
		const schema = TypedSchema.compile(c.schema);
		assert.deepStrictEqual(schema.decode(body), untag(c.value));
		assert.equal(frameConfluent(c.schemaId, schema.encode(untag(c.value))).toString('hex'), c.hex);
	});
}

/** A registry that knows the envelope schemas under the ids the vectors use; no HTTP. */
function vectorRegistry(): RegistryEnvelopes {
	const texts = new Map(vectors.confluentEnvelopes.map((c) => [c.schemaId, envelopeSchemaText(c.schema)]));
	return new RegistryEnvelopes(new ConfluentSchemaRegistry({host: 'http://registry.invalid'}, {
		async register() {
			throw new Error('the vectors are decoded, not produced');
		},
		async schemaText(id) {
			const text = texts.get(id);
			if (text === undefined) throw Object.assign(new Error('not found'), {status: 404});
			return text;
		},
	}));
}

for (const c of vectors.confluentEnvelopes) {
	test(`confluent envelope ${c.name}: decoded by RegistryEnvelopes, encoded to the same bytes`, async () => {
		const bytes = Buffer.from(c.hex, 'hex');
		assert.equal(unframeConfluent(bytes).schemaId, c.schemaId);
		const envelopes = vectorRegistry();
		if (c.schema === 'request') {
			const expected = requestFromJson(c.value as RequestJson);
			assert.deepEqual(await envelopes.decodeRequest(bytes), expected);
			assert.equal(encodeRequestConfluent(c.schemaId, expected).toString('hex'), c.hex);
		} else {
			const expected = replyFromJson(c.value as ReplyJson);
			assert.deepEqual(await envelopes.decodeReply(bytes), expected);
			assert.deepEqual(envelopes.decodeReplyNow(bytes), expected, 'decodeReplyNow once the id is known');
			assert.equal(encodeReplyConfluent(c.schemaId, expected).toString('hex'), c.hex);
		}
	});
}

for (const c of vectors.catalog) {
	test(`catalog ${c.name}: decoded and re-encoded by the client's catalogue codec`, () => {
		const bytes = Buffer.from(c.hex, 'hex');
		const entry = decodeCatalogEntry(bytes);
		assert.deepStrictEqual(entry, c.entry);
		assert.equal(encodeCatalogEntry(c.entry).toString('hex'), c.hex);
		assert.equal(entry.kind === 'SCHEMA' ? schemaKey(entry.name) : pipelineKey(entry.name, entry.version), c.key);
		const key = parseCatalogKey(c.key);
		assert.deepEqual(key, entry.kind === 'SCHEMA' ? {kind: 'SCHEMA', ref: entry.name} : {kind: 'PIPELINE', name: entry.name, version: entry.version});
	});
}
