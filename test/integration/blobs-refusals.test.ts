/**
 * Every way an args blob can be refused, through a real broker and a real runner: missing,
 * truncated, altered (SHA-256 mismatch) and an unreachable store. Each gives the caller a typed
 * BlobUnavailableError (code BLOB_UNAVAILABLE, remoteType the kind) and the runner a dead-letter
 * record on <requestTopic>.dlq (reason `blob-unavailable`, the request with its reference as
 * value): never a hang, never a wrong result. The runner is paused (SIGSTOP) between the client's
 * write and its read, so the blob can be damaged in that window. A large result the store cannot
 * take gets the same typed error and a dead letter of reason `result-unstored` (the request, to run
 * again: the call ran but its result is lost).
 */
import assert from 'node:assert/strict';
import {mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, truncateSync, unlinkSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {pathToFileURL} from 'node:url';
import {after, before, describe, test} from 'node:test';
import {Kafka, logLevel} from 'kafkajs';
import {blobRefSchemaRef, decodeBlobRef} from '../../src/blobs/index.js';
import {decodeRequest} from '../../src/codec/envelopes.js';
import {BlobUnavailableError, PipelineClient, RunnerProcess} from '../../src/index.js';
import {brokers, uniqueName} from '../helpers/harness.js';

const PIPELINES = `
from mlbridge_runner import pipeline

@pipeline
def size(data: bytes) -> int:
    return len(data)

@pipeline
def filled(n: int) -> bytes:
    return bytes(n)
`;

type Letter = {headers: Record<string, string>; value: Buffer};

describe('refused blobs: a typed error and a dead letter for each kind', () => {
	const requestTopic = uniqueName('blobrefusal');
	const dir = mkdtempSync(join(tmpdir(), 'mlbridge-blob-refusal-'));
	const storeDir = join(dir, 'store');
	const store = pathToFileURL(storeDir).href;
	const failures = new Map<string, BlobUnavailableError>();
	let client: PipelineClient;
	let runner: RunnerProcess;

	before(async () => {
		mkdirSync(storeDir);
		const file = join(dir, 'refusal_pipelines.py');
		writeFileSync(file, PIPELINES);
		client = await PipelineClient.connect({
			brokers, requestTopic, catalogTopic: `${requestTopic}.catalog`, defaultTimeoutMs: 30_000, largePayloads: {store, thresholdBytes: 64 * 1024},
		});
		runner = await RunnerProcess.start({
			pipelines: [file],
			brokers,
			requestTopic,
			group: `${requestTopic}.runners`,
			extraArgs: ['--partitions', '1'],
			env: {MLBRIDGE_CATALOG_TOPIC: `${requestTopic}.catalog`, MLBRIDGE_BLOB_STORE: store},
		});
		assert.equal(await client.invoke('size', {data: Buffer.alloc(100_000, 1)}), 100_000, 'a sound blob is read');
	});

	after(async () => {
		await client?.close();
		await runner?.stop();
		rmSync(dir, {recursive: true, force: true});
	});

	/** Call with a 200 KB arg while the runner is paused; `damage` the args blob before it reads it. */
	async function refusedCall(damage: (path: string) => void): Promise<BlobUnavailableError> {
		process.kill(runner.pid!, 'SIGSTOP');
		let call: Promise<unknown>;
		try {
			const before = new Set(readdirSync(storeDir));
			call = client.invoke('size', {data: Buffer.alloc(200_000, 7)});
			call.catch(() => undefined);
			let name: string | undefined;
			for (let i = 0; i < 200 && name === undefined; i++) {
				await new Promise(resolve => setTimeout(resolve, 25)); // eslint-disable-line no-await-in-loop
				name = readdirSync(storeDir).find(n => n.endsWith('.args') && !before.has(n));
			}

			assert.ok(name !== undefined, 'the client wrote no args blob');
			damage(join(storeDir, name));
		} finally {
			process.kill(runner.pid!, 'SIGCONT');
		}

		const error = await call.then(() => undefined, (error: unknown) => error);
		assert.ok(error instanceof BlobUnavailableError, `expected BlobUnavailableError, got ${String(error)}`);
		assert.equal(error.code, 'BLOB_UNAVAILABLE');
		assert.equal(error.origin, 'remote');
		failures.set(error.requestId ?? '', error);
		return error;
	}

	test('a missing blob → BlobMissing', async () => {
		const error = await refusedCall(path => {
			unlinkSync(path);
		});
		assert.equal(error.remoteType, 'BlobMissing');
	});

	test('a truncated blob → BlobCorrupt naming the length', async () => {
		const error = await refusedCall(path => {
			truncateSync(path, 1000);
		});
		assert.equal(error.remoteType, 'BlobCorrupt');
		assert.match(error.message, /1000 bytes, the reference says/);
	});

	test('an altered blob → BlobCorrupt naming the SHA-256', async () => {
		const error = await refusedCall(path => {
			const bytes = readFileSync(path);
			bytes[bytes.length >> 1] = bytes[bytes.length >> 1]! ^ 0xff;
			writeFileSync(path, bytes);
		});
		assert.equal(error.remoteType, 'BlobCorrupt');
		assert.match(error.message, /SHA-256 [\da-f]{64}, the reference says/);
	});

	test('an unreachable store → BlobStoreUnreachable', async () => {
		// The store's directory replaced by a file: the runner's open() fails with ENOTDIR.
		const error = await refusedCall(() => {
			renameSync(storeDir, `${storeDir}.away`);
			writeFileSync(storeDir, 'not a directory');
		});
		rmSync(storeDir);
		renameSync(`${storeDir}.away`, storeDir);
		assert.equal(error.remoteType, 'BlobStoreUnreachable');
		assert.equal(await client.invoke('size', {data: Buffer.alloc(100_000, 1)}), 100_000, 'the runner serves on');
	});

	let unstored: BlobUnavailableError | undefined;
	test('a result the store cannot take → BlobStoreUnreachable, and the runner serves on', async () => {
		renameSync(storeDir, `${storeDir}.away`);
		writeFileSync(storeDir, 'not a directory');
		let error: unknown;
		try {
			error = await client.invoke('filled', {n: 1_000_000}).then(() => undefined, (error_: unknown) => error_);
		} finally {
			rmSync(storeDir);
			renameSync(`${storeDir}.away`, storeDir);
		}

		assert.ok(error instanceof BlobUnavailableError, `expected BlobUnavailableError, got ${String(error)}`);
		assert.equal(error.remoteType, 'BlobStoreUnreachable');
		assert.match(error.message, /cannot write/);
		unstored = error;
		assert.equal((await client.invoke('filled', {n: 1_000_000}) as Buffer).length, 1_000_000, 'once the store is back, results go by reference again');
	});

	test('each refusal left one dead letter holding the request: blob-unavailable with its reference, result-unstored with its args', async () => {
		assert.equal(failures.size, 4);
		assert.ok(unstored !== undefined, 'the result refusal ran');
		const kafka = new Kafka({brokers: [...brokers], clientId: `${requestTopic}-reader`, logLevel: logLevel.NOTHING});
		const reader = kafka.consumer({groupId: `${requestTopic}.dlq-reader`});
		const letters: Letter[] = [];
		try {
			await reader.connect();
			await reader.subscribe({topic: `${requestTopic}.dlq`, fromBeginning: true});
			await new Promise<void>((resolve, reject) => {
				const timer = setTimeout(() => reject(new Error(`${letters.length} of 5 dead letters read within 20 s`)), 20_000);
				void reader.run({
					async eachMessage({message}) {
						const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
						letters.push({headers, value: message.value ?? Buffer.alloc(0)});
						if (letters.length >= 5) {
							clearTimeout(timer);
							resolve();
						}
					},
				});
			});
		} finally {
			await reader.disconnect();
		}

		assert.equal(letters.length, 5);
		const resultLetters = letters.filter(l => l.headers['mlbridge.dlq.reason'] === 'result-unstored');
		assert.equal(resultLetters.length, 1, 'one result-unstored letter');
		const [resultLetter] = resultLetters;
		assert.equal(resultLetter!.headers['mlbridge.request.id'], unstored.requestId);
		assert.match(resultLetter!.headers['mlbridge.dlq.error']!, /^BlobStoreUnreachable: /);
		const rerunnable = decodeRequest(resultLetter!.value);
		assert.equal(rerunnable.pipeline, 'filled', 'the letter holds the request, inline args and all');
		for (const {headers, value} of letters.filter(l => l !== resultLetter)) {
			assert.equal(headers['mlbridge.dlq.reason'], 'blob-unavailable');
			assert.equal(headers['mlbridge.source.topic'], requestTopic);
			const id = headers['mlbridge.request.id']!;
			const failure = failures.get(id);
			assert.ok(failure !== undefined, `a dead letter for a call that did not fail: ${id}`);
			assert.ok(headers['mlbridge.dlq.error']!.startsWith(`${failure.remoteType}: `), headers['mlbridge.dlq.error']);
			const request = decodeRequest(value);
			assert.equal(request.id, id);
			assert.equal(request.pipeline, 'size');
			assert.equal(request.argsSchema, blobRefSchemaRef);
			assert.equal(decodeBlobRef(request.args).size > 200_000, true, 'the reference to the 200 KB args body');
		}
	});
});
