import assert from 'node:assert/strict';
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http';
import type {AddressInfo} from 'node:net';
import {after, before, test} from 'node:test';
import {SchemaRegistryError} from '../../src/registry/registry-errors.js';
import {ConfluentSchemaRegistry, type RegistryTransport} from '../../src/registry/schema-registry.js';

/** Counts calls; answers from a map, or with the error a test sets. */
function countingTransport(): RegistryTransport & {registers: number; lookups: number; fail: unknown} {
	const texts = new Map<number, string>([[5, '"long"']]);
	const t = {
		registers: 0,
		lookups: 0,
		fail: undefined as unknown,
		async register(_subject: string, text: string): Promise<number> {
			t.registers++;
			await new Promise((r) => setTimeout(r, 5));
			if (t.fail !== undefined) throw t.fail;
			const id = 100 + texts.size;
			texts.set(id, text);
			return id;
		},
		async schemaText(id: number): Promise<string> {
			t.lookups++;
			await new Promise((r) => setTimeout(r, 5));
			if (t.fail !== undefined) throw t.fail;
			const text = texts.get(id);
			if (text === undefined) throw Object.assign(new Error('Confluent_Schema_Registry - Schema not found'), {status: 404});
			return text;
		},
	};
	return t;
}

const record = {type: 'record', name: 'Args', namespace: 'mlbridge.pipeline.p', fields: [{name: 'a', type: 'long'}]} as const;

test('register is asked once per subject and schema, also when asked concurrently', async () => {
	const t = countingTransport();
	const registry = new ConfluentSchemaRegistry({host: 'http://registry.invalid'}, t);
	const ids = await Promise.all([registry.register('s-value', record), registry.register('s-value', record), registry.register('s-value', JSON.stringify(record))]);
	assert.equal(new Set(ids).size, 1);
	assert.equal(t.registers, 1);
	await registry.register('other-value', record);
	assert.equal(t.registers, 2);
	// The schema just registered needs no lookup.
	assert.equal(await registry.schemaText(ids[0]!), JSON.stringify(record));
	assert.equal(registry.cachedSchemaText(ids[0]!), JSON.stringify(record));
	assert.equal(t.lookups, 0);
});

test('lookups by id are cached and shared while in flight', async () => {
	const t = countingTransport();
	const registry = new ConfluentSchemaRegistry({host: 'http://registry.invalid'}, t);
	assert.equal(registry.cachedSchemaText(5), undefined);
	const texts = await Promise.all([registry.schemaText(5), registry.schemaText(5), registry.schema(5)]);
	assert.deepEqual(texts, ['"long"', '"long"', {id: 5, text: '"long"'}]);
	assert.equal(t.lookups, 1);
	await registry.schemaText(5);
	assert.equal(t.lookups, 1);
});

test('an unknown id is schema-not-found; a failure is not cached', async () => {
	const t = countingTransport();
	const registry = new ConfluentSchemaRegistry({host: 'http://registry.invalid'}, t);
	await assert.rejects(registry.schemaText(77), (e: unknown) => e instanceof SchemaRegistryError && e.reason === 'schema-not-found' && e.schemaId === 77 && !e.retryable && e.code === 'SCHEMA_REGISTRY_ERROR');
	await assert.rejects(registry.schemaText(77));
	assert.equal(t.lookups, 2);
	await assert.rejects(registry.schemaText(-3), (e: unknown) => e instanceof SchemaRegistryError && e.reason === 'schema-not-found');
});

test('a failed register is retried on the next call', async () => {
	const t = countingTransport();
	const registry = new ConfluentSchemaRegistry({host: 'http://registry.invalid'}, t);
	t.fail = Object.assign(new Error('Confluent_Schema_Registry - Error, status 400: connect ECONNREFUSED'), {status: 400});
	await assert.rejects(registry.register('s-value', record), (e: unknown) => e instanceof SchemaRegistryError && e.reason === 'unavailable' && e.retryable && e.subject === 's-value');
	t.fail = undefined;
	assert.equal(typeof (await registry.register('s-value', record)), 'number');
	assert.equal(t.registers, 2);
});

test('the host must be an http(s) URL', () => {
	for (const host of ['', 'localhost:8081', 'ftp://x', undefined]) {
		assert.throws(() => new ConfluentSchemaRegistry({host} as never), TypeError, String(host));
	}
});

// --- the real REST client against a small HTTP server answering like a registry ---------------

let server: Server;
let base: string;
const seen: string[] = [];
let answer: (req: IncomingMessage, res: ServerResponse, body: string) => void = () => {};

before(async () => {
	server = createServer((req, res) => {
		let body = '';
		req.on('data', (c: Buffer) => (body += c.toString()));
		req.on('end', () => {
			seen.push(`${req.method} ${req.url} ${req.headers['content-type'] ?? ''} ${req.headers.authorization ?? ''}`);
			answer(req, res, body);
		});
	});
	await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
	base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/apis/ccompat/v6`;
});
after(() => new Promise<void>((r) => server.close(() => r())));

function json(res: ServerResponse, status: number, data: unknown): void {
	res.writeHead(status, {'content-type': 'application/vnd.schemaregistry.v1+json'});
	res.end(JSON.stringify(data));
}

test('REST: register posts the schema to /subjects/{s}/versions, lookup gets /schemas/ids/{id}', async () => {
	seen.length = 0;
	answer = (req, res, body) => {
		if (req.method === 'POST') {
			assert.deepEqual(JSON.parse(body), {schema: JSON.stringify(record)});
			json(res, 200, {id: 9});
		} else json(res, 200, {schema: '"string"'});
	};
	const registry = new ConfluentSchemaRegistry({host: base, auth: {username: 'key', password: 'secret'}, retries: 0});
	assert.equal(await registry.register('ml.pipeline.input-value', record), 9);
	assert.equal(await registry.schemaText(10), '"string"');
	assert.match(seen[0]!, /^POST \/apis\/ccompat\/v6\/subjects\/ml\.pipeline\.input-value\/versions application\/vnd\.schemaregistry\.v1\+json Basic a2V5OnNlY3JldA==$/);
	assert.match(seen[1]!, /^GET \/apis\/ccompat\/v6\/schemas\/ids\/10 /);
});

test('REST: registry answers become typed reasons', async () => {
	const cases: [number, unknown, string][] = [
		[404, {error_code: 40403, message: 'Schema not found'}, 'schema-not-found'],
		[409, {error_code: 409, message: 'Incompatible schema'}, 'rejected'],
		[422, {error_code: 42201, message: 'Invalid schema'}, 'rejected'],
		[401, {error_code: 401, message: 'Unauthorized'}, 'unauthorized'],
		[503, {error_code: 50301, message: 'Backend down'}, 'unavailable'],
	];
	for (const [status, data, reason] of cases) {
		answer = (_req, res) => json(res, status, data);
		const registry = new ConfluentSchemaRegistry({host: base, retries: 0});
		await assert.rejects(registry.schemaText(1), (e: unknown) => e instanceof SchemaRegistryError && e.reason === reason && e.status === status && e.host === base, `${status}`);
	}
});

test('REST: a schema that is not Avro, or not JSON, is bad-schema', async () => {
	answer = (_req, res) => json(res, 200, {schema: 'syntax = "proto3";', schemaType: 'PROTOBUF'});
	await assert.rejects(new ConfluentSchemaRegistry({host: base, retries: 0}).schemaText(3), (e: unknown) => e instanceof SchemaRegistryError && e.reason === 'bad-schema');
	answer = (_req, res) => json(res, 200, {schema: '{not json'});
	await assert.rejects(new ConfluentSchemaRegistry({host: base, retries: 0}).schemaText(3), (e: unknown) => e instanceof SchemaRegistryError && e.reason === 'bad-schema');
});

test('REST: nothing listening, or no answer in time, is unavailable (retryable)', async () => {
	const closed = createServer();
	await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
	const port = (closed.address() as AddressInfo).port;
	await new Promise<void>((r) => closed.close(() => r()));
	const down = new ConfluentSchemaRegistry({host: `http://127.0.0.1:${port}`, retries: 0});
	await assert.rejects(down.schemaText(1), (e: unknown) => e instanceof SchemaRegistryError && e.reason === 'unavailable' && e.retryable);
	await assert.rejects(down.register('s-value', record), (e: unknown) => e instanceof SchemaRegistryError && e.reason === 'unavailable');

	answer = () => {}; // never answers
	const started = Date.now();
	const slow = new ConfluentSchemaRegistry({host: base, retries: 0, requestTimeoutMs: 200});
	await assert.rejects(slow.schemaText(1), (e: unknown) => e instanceof SchemaRegistryError && e.reason === 'unavailable');
	assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
});

test('a registry answering 5xx (busy) is asked again with backoff; a 4xx refusal is not', async () => {
	const t = countingTransport();
	const registry = new ConfluentSchemaRegistry({host: 'http://registry.invalid'}, t);
	const busy = Object.assign(new Error('Timeout trying to lock table'), {status: 500});
	let failures = 2;
	const register = t.register.bind(t);
	t.register = async (subject: string, text: string) => {
		if (failures-- > 0) {
			t.registers++;
			throw busy;
		}
		return register(subject, text);
	};
	assert.equal(typeof (await registry.register('busy-value', record)), 'number');
	assert.equal(t.registers, 3);

	failures = 10;
	t.registers = 0;
	await assert.rejects(registry.register('down-value', record), (e: unknown) => e instanceof SchemaRegistryError && e.reason === 'unavailable');
	assert.equal(t.registers, 4, 'gives up after 4 attempts');

	failures = 0;
	t.registers = 0;
	t.fail = Object.assign(new Error('Confluent_Schema_Registry - Schema being registered is incompatible'), {status: 409});
	await assert.rejects(registry.register('refused-value', record), (e: unknown) => e instanceof SchemaRegistryError && e.reason === 'rejected');
	assert.equal(t.registers, 1);
});
