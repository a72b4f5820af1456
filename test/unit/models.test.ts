import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {test} from 'node:test';
import {schemaDir} from '../../src/codec/schemas.js';
import {createLogger} from '../../src/logging/logger.js';
import {ModelClient, ModelNotFoundError} from '../../src/index.js';
import {decodeModelRecord, encodeModelRecord, type ModelRecord, modelRecordFingerprintHex, modelRecordKey, ModelView} from '../../src/models/index.js';
import type {OutgoingMessage, RecordHandler, Transport} from '../../src/transport/transport.js';

// Model topic records framed by the Python runner (schemas/vectors/models.json): read field for
// field, written back to the same bytes.
type Case = {name: string; key: string; value: ModelRecord; hex: string};
const vectors = JSON.parse(readFileSync(join(schemaDir, 'vectors', 'models.json'), 'utf8')) as {fingerprint: string; cases: Case[]};

test('models.json is written with the schema both sides load', () => {
	assert.equal(vectors.fingerprint, modelRecordFingerprintHex);
	assert.deepEqual(vectors.cases.map(c => c.name), ['version', 'version-no-metrics', 'latest-tag']);
});

for (const c of vectors.cases) {
	test(`model record "${c.name}" written by Python decodes, keys and re-encodes byte for byte`, () => {
		const decoded = decodeModelRecord(Buffer.from(c.hex, 'hex'));
		assert.deepEqual({...decoded, metrics: {...decoded.metrics}}, c.value);
		assert.equal(modelRecordKey(decoded), c.key);
		assert.equal(encodeModelRecord(decoded).toString('hex'), c.hex);
	});
}

test('a record of another schema or a truncated body is refused', () => {
	const bytes = Buffer.from(vectors.cases[0]!.hex, 'hex');
	assert.throws(() => decodeModelRecord(bytes.subarray(0, bytes.length - 4)), /Bad model record body/);
	const other = Buffer.from(bytes);
	other[2] = other[2]! ^ 0xff;
	assert.throws(() => decodeModelRecord(other), /Not a model record/);
});

function version(n: number): ModelRecord {
	return {kind: 'VERSION', name: 'm', version: n, tag: null, format: 'npz', uri: `file:///m/v${n}`, size: 1, sha256: '0', metrics: {}, createdAtMs: n, createdBy: 'job'};
}

function tag(n: number): ModelRecord {
	return {...version(n), kind: 'TAG', tag: 'latest'};
}

test('the view follows the runner rule: latest tag when its version exists, else newest', () => {
	const view = new ModelView();
	assert.equal(view.current('m'), undefined);
	view.apply(version(1));
	view.apply(version(2));
	assert.equal(view.current('m'), 2);
	assert.equal(view.previous('m'), 1);
	view.apply(tag(1));
	assert.equal(view.current('m'), 1);
	assert.equal(view.previous('m'), undefined);
	view.apply(version(3));
	assert.equal(view.current('m'), 1);
	view.apply(tag(7));
	assert.equal(view.current('m'), 3);
	assert.deepEqual(view.list('m').map(v => [v.version, v.current]), [[1, false], [2, false], [3, true]]);
});

/** A compacted topic in memory: what the model client needs of a transport. */
class LogTransport implements Pick<Transport, 'ensureTopics' | 'send' | 'tail' | 'tailCaughtUp'> {
	readonly records: OutgoingMessage[] = [];
	#handler: RecordHandler | undefined;

	async ensureTopics(): Promise<void> {}

	async send(_topic: string, message: OutgoingMessage): Promise<void> {
		this.records.push(message);
		this.#handler?.({key: message.key, value: message.value});
	}

	async tail(_topic: string, _groupId: string, onRecord: RecordHandler): Promise<void> {
		this.#handler = onRecord;
		for (const r of this.records) onRecord({key: r.key, value: r.value});
	}

	async tailCaughtUp(): Promise<boolean> {
		return true;
	}
}

test('promote writes a latest tag record; rollback promotes the version before the current one', async () => {
	const transport = new LogTransport();
	for (const n of [1, 2, 3]) transport.records.push({key: `m/${n}`, value: encodeModelRecord(version(n))});
	const models = new ModelClient({transport: transport as unknown as Transport, topic: 't.models', groupId: 'g', clientId: 'c-1', logger: createLogger('silent'), syncTimeoutMs: 1000});
	assert.equal(await models.current('m'), 3);
	assert.equal(await models.rollback('m'), 2);
	const written = decodeModelRecord(transport.records.at(-1)!.value);
	assert.equal(transport.records.at(-1)!.key, 'm/latest');
	assert.deepEqual([written.kind, written.tag, written.version, written.createdBy], ['TAG', 'latest', 2, 'c-1']);
	assert.equal(await models.current('m'), 2);
	assert.equal(await models.rollback('m'), 1);
	await assert.rejects(models.rollback('m'), ModelNotFoundError);
	await assert.rejects(models.promote('m', 9), (error: unknown) => error instanceof ModelNotFoundError && error.version === 9);
	await assert.rejects(models.current('other'), ModelNotFoundError);
	await models.promote('m', 3);
	assert.deepEqual((await models.list('m')).map(v => v.current), [false, false, true]);
});
