/**
 * The typed codec: every type of the design table both ways, Date logical types, enums, maps,
 * nested records, unions, plain objects out, resolution between versions, and fingerprints equal
 * to the Python runner's (fastavro's canonical form).
 */
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import test from 'node:test';
import {CodecError} from '../../src/codec/index.js';
import type {AvroSchema} from '../../src/contract/contract.js';
import {TypedSchema} from '../../src/contract/typed-codec.js';
import {fixturesDir} from '../helpers/harness.js';

type Entry = {name: string; argsRef: string; argsSchema: string; resultRef: string; resultSchema: string};
const catalog = (file: string): Entry[] => JSON.parse(readFileSync(join(fixturesDir, file), 'utf8')) as Entry[];
const v1 = catalog('typed-catalog-v1.json');
const v2 = catalog('typed-catalog-v2.json');
const entry = (entries: Entry[], name: string): Entry => entries.find(e => e.name === name)!;

function roundTrip(schema: AvroSchema, value: unknown): unknown {
	const typed = TypedSchema.compile(schema);
	assert.equal(typed.check(value, 'v'), undefined, `valid: ${String(value)}`);
	return typed.decode(typed.encode(value));
}

test('refs equal the Python runner\'s (fastavro canonical form + CRC-64-AVRO) for every fixture schema', () => {
	for (const e of [...v1, ...v2]) {
		assert.equal(TypedSchema.compile(e.argsSchema).ref, e.argsRef, `${e.name} args`);
		assert.equal(TypedSchema.compile(e.resultSchema).ref, e.resultRef, `${e.name} result`);
	}
});

test('canonical form drops defaults, docs and logical types and uses full names', () => {
	const typed = TypedSchema.compile({
		type: 'record', name: 'R', namespace: 'n', doc: 'x',
		fields: [{name: 'at', type: {type: 'long', logicalType: 'timestamp-millis'}, default: 0, doc: 'when'}],
	});
	assert.equal(typed.canonicalForm, '{"name":"n.R","type":"record","fields":[{"name":"at","type":"long"}]}');
	assert.match(typed.ref, /^crc64:[0-9a-f]{16}$/);
});

test('primitives of the design table round-trip', () => {
	assert.equal(roundTrip('long', 42), 42);
	assert.equal(roundTrip('long', -(2 ** 53) + 1), -(2 ** 53) + 1);
	assert.equal(roundTrip('long', 2n ** 62n), 2n ** 62n, 'beyond 2^53 stays exact, as a bigint');
	assert.equal(roundTrip('double', 1.5), 1.5);
	assert.ok(Number.isNaN(roundTrip('double', Number.NaN) as number), 'a double carries NaN');
	assert.equal(roundTrip('double', -Infinity), -Infinity);
	assert.equal(roundTrip('string', 'héllo'), 'héllo');
	assert.equal(roundTrip('boolean', true), true);
	assert.deepEqual(roundTrip('bytes', Buffer.from([0, 1, 255])), Buffer.from([0, 1, 255]));
	assert.equal(roundTrip('null', null), null);
	assert.equal(roundTrip('int', -7), -7);
	assert.equal(roundTrip('float', 0.5), 0.5);
});

test('timestamp-millis and date are Dates', () => {
	const at = new Date('2024-01-02T03:04:05.678Z');
	const ts = TypedSchema.compile({type: 'long', logicalType: 'timestamp-millis'});
	assert.equal(ts.encode(at).toString('hex'), TypedSchema.compile('long').encode(at.getTime()).toString('hex'));
	assert.deepEqual(ts.decode(ts.encode(at)), at);
	const date = TypedSchema.compile({type: 'int', logicalType: 'date'});
	assert.deepEqual(date.decode(date.encode(new Date('2024-05-01T00:00:00Z'))), new Date('2024-05-01T00:00:00Z'));
	// The UTC calendar day: the time of day is dropped.
	assert.deepEqual(date.decode(date.encode(new Date('2024-05-01T23:59:59Z'))), new Date('2024-05-01T00:00:00Z'));
	assert.equal(date.encode(new Date('1970-01-02T00:00:00Z')).toString('hex'), '02');
	assert.deepEqual(date.decode(date.encode(new Date('1969-12-31T00:00:00Z'))), new Date('1969-12-31T00:00:00Z'));
});

test('enums, arrays, maps, nested records and optional fields', () => {
	const train = TypedSchema.compile(entry(v1, 'typed_train').argsSchema);
	const args = {dataset: 'cpu', config: {epochs: 3, learning_rate: 0.1, optimizer: 'SGD', layers: [8]}, mode: 'full', tags: {a: 'b'}};
	assert.deepEqual(train.decode(train.encode(args)), args);
	// Defaults fill what the caller left out.
	assert.deepEqual(train.decode(train.encode({dataset: 'cpu', config: {epochs: 1}})), {
		dataset: 'cpu', config: {epochs: 1, learning_rate: 0.01, optimizer: 'ADAM', layers: [64, 32]}, mode: 'fast', tags: null,
	});
});

test('records decode as plain objects', () => {
	const result = TypedSchema.compile(entry(v1, 'typed_train').resultSchema);
	const value = {
		model_id: 'm', metrics: {accuracy: 1, loss: 0.5}, history: [1, 0.5], trained_at: new Date(0), tags: {}, mode: 'fast',
	};
	const decoded = result.decode(result.encode(value)) as typeof value;
	assert.equal(Object.getPrototypeOf(decoded), Object.prototype);
	assert.equal(Object.getPrototypeOf(decoded.metrics), Object.prototype);
	assert.deepStrictEqual(decoded, value);
});

test('unions: optional, distinguishable branches, and branches avsc would wrap', () => {
	assert.equal(roundTrip(['null', 'long'], null), null);
	assert.equal(roundTrip(['null', 'long'], 5), 5);
	assert.equal(roundTrip(['long', 'string'], 'x'), 'x');
	assert.equal(roundTrip(['long', 'string'], 7), 7);
	// [long, double]: integers take the first branch, fractions the second; values stay plain.
	const numbers = TypedSchema.compile(['long', 'double']);
	assert.equal(numbers.encode(2).toString('hex'), '0004');
	assert.equal(numbers.encode(2.5).toString('hex'), '020000000000000440');
	assert.equal(numbers.decode(numbers.encode(2.5)), 2.5);
	// Two records: the first one the value fits exactly.
	const a = {type: 'record', name: 'A', fields: [{name: 'x', type: 'long'}]} as const;
	const b = {type: 'record', name: 'B', fields: [{name: 'x', type: 'long'}, {name: 'y', type: 'string'}]} as const;
	const records = TypedSchema.compile(['null', a, b]);
	assert.deepStrictEqual(records.decode(records.encode({x: 1, y: 'z'})), {x: 1, y: 'z'});
	assert.deepStrictEqual(records.decode(records.encode({x: 1})), {x: 1});
	assert.equal(records.decode(records.encode(null)), null);
	assert.equal(records.encode({x: 1, y: 'z'})[0], 4, 'branch index 2 (B), zig-zag encoded');
});

test('typed_echo arguments and result round-trip with every feature', () => {
	const args = TypedSchema.compile(entry(v1, 'typed_echo').argsSchema);
	const value = {
		i: -3, f: 2.25, s: 'ß', b: false, raw: Buffer.from('hi'), day: new Date('2020-02-29T00:00:00Z'),
		at: new Date(1_700_000_000_123), optimizer: 'ADAM', maybe: 9, either: 'word', items: ['a', 'b'], scores: {x: 0.5},
	};
	assert.deepStrictEqual(args.decode(args.encode(value)), value);
	const result = TypedSchema.compile(entry(v1, 'typed_echo').resultSchema);
	assert.deepStrictEqual(result.decode(result.encode({...value, nothing: null})), {...value, nothing: null});
});

test('resolution: a v1 reader reads v2 data (extra field ignored) and a v2 reader reads v1 data (default)', () => {
	const r1 = TypedSchema.compile(entry(v1, 'typed_train').resultSchema);
	const r2 = TypedSchema.compile(entry(v2, 'typed_train').resultSchema);
	const base = {model_id: 'm', metrics: {accuracy: 1, loss: 0}, history: [], trained_at: new Date(5), tags: {k: 'v'}, mode: 'full'};
	assert.deepStrictEqual(r1.decodeFrom(r2, r2.encode({...base, notes: 'seed 1'})), base);
	assert.deepStrictEqual(r2.decodeFrom(r1, r1.encode(base)), {...base, notes: null});
	const a1 = TypedSchema.compile(entry(v1, 'typed_add').argsSchema);
	const a2 = TypedSchema.compile(entry(v2, 'typed_add').argsSchema);
	assert.deepStrictEqual(a2.decodeFrom(a1, a1.encode({a: 1, b: 2})), {a: 1, b: 2, c: 0});
	assert.deepStrictEqual(a1.decodeFrom(a2, a2.encode({a: 1, b: 2, c: 3})), {a: 1, b: 2});
	const e1 = TypedSchema.compile(entry(v1, 'typed_echo').resultSchema);
	const e2 = TypedSchema.compile(entry(v2, 'typed_echo').resultSchema);
	assert.equal(e1.resolverFor(e2), e1.resolverFor(e2), 'a resolver is built once per writer ref');
});

test('resolution follows Avro promotion and refuses what cannot be read', () => {
	const long = TypedSchema.compile('long');
	const double = TypedSchema.compile('double');
	assert.equal(double.decodeFrom(long, long.encode(3)), 3);
	assert.throws(() => long.decodeFrom(double, double.encode(3.5)), (e: unknown) => e instanceof CodecError);
	const withRequired = TypedSchema.compile({type: 'record', name: 'R', fields: [{name: 'x', type: 'long'}, {name: 'y', type: 'long'}]});
	const without = TypedSchema.compile({type: 'record', name: 'R', fields: [{name: 'x', type: 'long'}]});
	assert.throws(() => withRequired.decodeFrom(without, without.encode({x: 1})), /cannot be read/);
	// A timestamp written as a plain long is read as a Date.
	const ts = TypedSchema.compile({type: 'long', logicalType: 'timestamp-millis'});
	assert.deepEqual(ts.decodeFrom(long, long.encode(1000)), new Date(1000));
});

test('decoding garbage is a CodecError', () => {
	const typed = TypedSchema.compile({type: 'record', name: 'R', fields: [{name: 's', type: 'string'}]});
	assert.throws(() => typed.decode(Buffer.from([0x10, 0x61])), (e: unknown) => e instanceof CodecError && e.reason === 'malformed-body');
	assert.throws(() => typed.decode(Buffer.from([0x02, 0x61, 0x00])), (e: unknown) => e instanceof CodecError);
});

test('invalid schemas are refused with a CodecError', () => {
	for (const bad of ['{"type": "nope"}', '{not json', {type: 'record', name: 'R'}, {type: 'enum', name: 'E', symbols: ['a', 'a']}]) {
		assert.throws(() => TypedSchema.compile(bad as AvroSchema), (e: unknown) => e instanceof CodecError, JSON.stringify(bad));
	}
});

test('a schema given as JSON text and as an object compile to the same ref', () => {
	const text = entry(v1, 'typed_weigh').argsSchema;
	assert.equal(TypedSchema.compile(text).ref, TypedSchema.compile(JSON.parse(text) as AvroSchema).ref);
	assert.equal(TypedSchema.compile('"long"').ref, TypedSchema.compile('long').ref);
});
