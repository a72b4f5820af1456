/** The client's catalogue view: newest entry per key, tombstones, schema texts by ref, waiting. */
import assert from 'node:assert/strict';
import test from 'node:test';
import {type CatalogEntry, encodeCatalogEntry, pipelineKey, schemaEntry, schemaKey} from '../../src/catalog/catalog-entry.js';
import {CatalogView} from '../../src/catalog/catalog-view.js';
import {openCatalog} from '../../src/catalog/open-catalog.js';
import {createLogger, type LogFields, type Logger} from '../../src/logging/logger.js';
import type {RecordHandler, Transport} from '../../src/transport/transport.js';

function recordingLogger(): Logger & {events: string[]} {
	const events: string[] = [];
	const base = createLogger('error');
	const log = (event: string, _fields?: LogFields): void => {
		events.push(event);
	};

	return {...base, debug: log, info: log, warn: log, error: log, events};
}

const argsSchema = '{"type":"record","name":"Args","fields":[{"name":"a","type":"long"}]}';

function entry(name: string, version: number, extra: Partial<CatalogEntry> = {}): CatalogEntry {
	return {
		kind: 'PIPELINE', name, version, doc: `${name} v${version}`, typed: true,
		argsRef: `crc64:a${version}`, argsSchema, resultRef: `crc64:r${version}`, resultSchema: '"long"',
		timeoutMs: null, runner: 'host/1', publishedAtMs: 1, ...extra,
	};
}

const put = (view: CatalogView, e: CatalogEntry): void => view.apply({key: pipelineKey(e.name, e.version), value: encodeCatalogEntry(e)});

test('the newest version wins; describe lists every version', () => {
	const view = new CatalogView(recordingLogger());
	put(view, entry('train', 2));
	put(view, entry('train', 1));
	put(view, entry('add', 1, {typed: false, argsSchema: '', resultSchema: '', argsRef: 'crc64:v', resultRef: 'crc64:v', timeoutMs: 500}));
	assert.equal(view.newest('train')?.version, 2);
	assert.deepEqual(view.names(), ['add', 'train']);
	const train = view.describe('train')!;
	assert.deepEqual({...train, argsSchema: undefined}, {
		name: 'train', version: 2, versions: [1, 2], doc: 'train v2', typed: true, argsSchema: undefined,
		resultSchema: 'long', timeoutMs: undefined, runner: 'host/1', lane: 'CALL',
	});
	assert.deepEqual(train.argsSchema, JSON.parse(argsSchema));
	const add = view.describe('add')!;
	assert.equal(add.typed, false);
	put(view, entry('fit', 1, {lane: 'JOB'}));
	assert.equal(view.describe('fit')?.lane, 'JOB', 'a job pipeline says so');
	assert.equal(add.argsSchema, undefined);
	assert.equal(add.resultSchema, undefined);
	assert.equal(add.timeoutMs, 500);
	assert.equal(view.describe('nope'), undefined);
});

test('a re-published key replaces the entry; a tombstone retires it', () => {
	const view = new CatalogView(recordingLogger());
	put(view, entry('train', 1));
	put(view, entry('train', 2));
	put(view, entry('train', 2, {doc: 'again'}));
	assert.equal(view.describe('train')?.doc, 'again');
	view.apply({key: pipelineKey('train', 2), value: null});
	assert.equal(view.newest('train')?.version, 1);
	view.apply({key: pipelineKey('train', 1), value: null});
	assert.equal(view.newest('train'), undefined);
	assert.deepEqual(view.names(), []);
	// Schema texts stay known: replies written with them may still be on their way.
	assert.equal(view.schemaText('crc64:a2'), argsSchema);
});

test('schema texts come from pipeline entries and schema/<ref> entries', () => {
	const view = new CatalogView(recordingLogger());
	put(view, entry('train', 1));
	view.apply({key: schemaKey('crc64:s1'), value: encodeCatalogEntry(schemaEntry('crc64:s1', '"string"', 'c-1'))});
	assert.equal(view.schemaText('crc64:a1'), argsSchema);
	assert.equal(view.schemaText('crc64:r1'), '"long"');
	assert.equal(view.schemaText('crc64:s1'), '"string"');
	assert.equal(view.hasSchemaEntry('crc64:s1', '"string"'), true);
	assert.equal(view.hasSchemaEntry('crc64:s1', '"other"'), false);
	assert.equal(view.hasSchemaEntry('crc64:a1', argsSchema), false, 'only schema/<ref> entries count as published');
	assert.equal(view.schemaText('crc64:none'), undefined);
});

test('bad records are skipped and logged, never thrown', () => {
	const logger = recordingLogger();
	const view = new CatalogView(logger);
	view.apply({key: null, value: Buffer.from('x')});
	view.apply({key: 'pipeline/train/1', value: Buffer.from('garbage')});
	view.apply({key: 'pipeline/other/1', value: encodeCatalogEntry(entry('train', 1))});
	view.apply({key: schemaKey('crc64:x'), value: encodeCatalogEntry(entry('train', 1))});
	view.apply({key: schemaKey('crc64:x'), value: encodeCatalogEntry(schemaEntry('crc64:y', '"long"', ''))});
	assert.deepEqual(view.names(), []);
	assert.deepEqual(logger.events, ['catalog.bad_key', 'catalog.undecodable', 'catalog.key_mismatch', 'catalog.key_mismatch', 'catalog.key_mismatch']);
});

test('waitForSchema resolves when the ref arrives, or undefined after the bound', async () => {
	const view = new CatalogView(recordingLogger());
	const waiting = view.waitForSchema('crc64:a3', 2000);
	const second = view.waitForSchema('crc64:a3', 2000);
	setTimeout(() => put(view, entry('train', 3)), 20);
	assert.equal(await waiting, argsSchema);
	assert.equal(await second, argsSchema);
	assert.equal(await view.waitForSchema('crc64:a3', 1), argsSchema, 'known: at once');
	const started = Date.now();
	assert.equal(await view.waitForSchema('crc64:never', 50), undefined);
	assert.ok(Date.now() - started >= 45);
});

function tailingTransport(tail: (onRecord: RecordHandler) => Promise<void>): Transport {
	return {
		ensureTopics: async () => {},
		send: async () => {},
		post() {},
		consume: async () => {},
		maxMessageBytes: async () => undefined,
		close: async () => {},
		tail: async (_topic, _group, onRecord) => tail(onRecord),
	};
}

test('openCatalog waits for the records present at connect', async () => {
	const transport = tailingTransport(async onRecord => {
		await new Promise(resolve => setTimeout(resolve, 30));
		onRecord({key: pipelineKey('train', 1), value: encodeCatalogEntry(entry('train', 1))});
	});
	const view = await openCatalog(transport, {topic: 't', groupId: 'g', catchUpMs: 2000, logger: recordingLogger()});
	assert.equal(view.newest('train')?.version, 1);
});

test('openCatalog gives up waiting after the bound and keeps filling the view', async () => {
	let deliver: RecordHandler | undefined;
	const logger = recordingLogger();
	const transport = tailingTransport(async onRecord => {
		deliver = onRecord;
		await new Promise(() => {});
	});
	const started = Date.now();
	const view = await openCatalog(transport, {topic: 't', groupId: 'g', catchUpMs: 100, logger});
	assert.ok(Date.now() - started < 1000);
	assert.deepEqual(logger.events, ['catalog.catch_up_slow']);
	deliver?.({key: pipelineKey('late', 1), value: encodeCatalogEntry(entry('late', 1))});
	assert.equal(view.newest('late')?.version, 1);
});

test('openCatalog passes on a failure to tail', async () => {
	const transport = tailingTransport(async () => {
		throw new Error('no such topic');
	});
	await assert.rejects(openCatalog(transport, {topic: 't', groupId: 'g', catchUpMs: 100, logger: recordingLogger()}), /no such topic/);
});
