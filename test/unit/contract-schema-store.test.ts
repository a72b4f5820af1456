/** The schema store: one compile per ref, texts from the catalogue, waiting, bad texts. */
import assert from 'node:assert/strict';
import test from 'node:test';
import {SchemaStore, type SchemaSource} from '../../src/contract/schema-store.js';
import {TypedSchema} from '../../src/contract/typed-codec.js';
import {createLogger, type Logger} from '../../src/logging/logger.js';

function logger(events: string[]): Logger {
	const base = createLogger('error');
	const log = (event: string): void => {
		events.push(event);
	};

	return {...base, debug: log, info: log, warn: log, error: log};
}

function source(texts: Map<string, string>, reads: string[] = []): SchemaSource {
	return {
		schemaText(ref) {
			reads.push(ref);
			return texts.get(ref);
		},
		async waitForSchema(ref, timeoutMs) {
			await new Promise(resolve => setTimeout(resolve, Math.min(timeoutMs, 20)));
			return texts.get(ref);
		},
	};
}

const record = '{"type":"record","name":"R","fields":[{"name":"a","type":"long"}]}';
const recordRef = TypedSchema.compile(record).ref;

test('the same schema is compiled once and shared', () => {
	const store = new SchemaStore(logger([]));
	const first = store.add(record);
	assert.equal(store.add(JSON.parse(record) as never), first);
	assert.equal(store.get(first.ref), first);
});

test('an unknown ref is compiled from the source\'s text on first use, then reused', () => {
	const reads: string[] = [];
	const store = new SchemaStore(logger([]), source(new Map([[recordRef, record]]), reads));
	const compiled = store.get(recordRef);
	assert.equal(compiled?.ref, recordRef);
	assert.equal(store.get(recordRef), compiled);
	assert.deepEqual(reads, [recordRef], 'the text is read once');
	assert.equal(store.get('crc64:0000000000000000'), undefined);
});

test('wait() gives the source time to learn the ref', async () => {
	const texts = new Map<string, string>();
	const store = new SchemaStore(logger([]), source(texts));
	setTimeout(() => texts.set(recordRef, record), 5);
	assert.equal((await store.wait(recordRef, 1000))?.ref, recordRef);
	assert.equal(await store.wait('crc64:0000000000000001', 10), undefined);
	assert.equal(await new SchemaStore(logger([])).wait(recordRef, 10), undefined, 'no source: nothing to wait for');
});

test('a text that does not compile is logged once and never used', () => {
	const events: string[] = [];
	const store = new SchemaStore(logger(events), source(new Map([['crc64:00000000000000aa', '{"type":"nope"}']])));
	assert.equal(store.get('crc64:00000000000000aa'), undefined);
	assert.equal(store.get('crc64:00000000000000aa'), undefined);
	assert.deepEqual(events, ['schema.invalid']);
});

test('a text whose fingerprint differs from its ref is used under that ref, with a warning', () => {
	const events: string[] = [];
	const store = new SchemaStore(logger(events), source(new Map([['crc64:00000000000000bb', record]])));
	assert.equal(store.get('crc64:00000000000000bb')?.ref, recordRef);
	assert.deepEqual(events, ['schema.ref_mismatch']);
});
