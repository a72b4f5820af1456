/**
 * Jobs through the claim check, on the real broker with a real runner (process isolation for
 * jobs, the default): a job whose args and result are both past the topics' 1 MiB limit travels by
 * reference; the result is verified when read, read again by a second client that reattaches, and
 * the job's blobs stay until the sweep's job age (not deleted on read: a job is read many times).
 * A job result blob gone missing rejects result() with BlobUnavailableError, never a wrong value.
 */
import assert from 'node:assert/strict';
import {createHash} from 'node:crypto';
import {mkdtempSync, readdirSync, rmSync, unlinkSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {pathToFileURL} from 'node:url';
import {after, before, describe, test} from 'node:test';
import {Kafka, logLevel} from 'kafkajs';
import {FileBlobStore} from '../../src/blobs/index.js';
import {BlobUnavailableError, PipelineClient, RunnerProcess} from '../../src/index.js';
import {brokers, uniqueName} from '../helpers/harness.js';

const PIPELINES = `
import hashlib
from mlbridge_runner import Progress, pipeline

@pipeline("grow", job=True)
def grow(data: bytes, times: int, progress: Progress = Progress()) -> bytes:
    progress(1, 2, "read " + hashlib.sha256(data).hexdigest())
    return bytes(data) * times
`;

const sha = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

describe('jobs with args and results by reference', () => {
	const requestTopic = uniqueName('blobjobs');
	const dir = mkdtempSync(join(tmpdir(), 'mlbridge-blob-jobs-'));
	const storeDir = join(dir, 'store');
	const store = pathToFileURL(storeDir).href;
	const options = {brokers, requestTopic, catalogTopic: `${requestTopic}.catalog`, defaultTimeoutMs: 60_000, largePayloads: {store}};
	let client: PipelineClient;
	let runner: RunnerProcess;

	before(async () => {
		const file = join(dir, 'job_blob_pipelines.py');
		writeFileSync(file, PIPELINES);
		client = await PipelineClient.connect(options);
		runner = await RunnerProcess.start({
			pipelines: [file],
			brokers,
			requestTopic,
			group: `${requestTopic}.runners`,
			extraArgs: ['--partitions', '1'],
			env: {MLBRIDGE_CATALOG_TOPIC: `${requestTopic}.catalog`, MLBRIDGE_BLOB_STORE: store},
		});
	});

	after(async () => {
		await client?.close();
		await runner?.stop();
		rmSync(dir, {recursive: true, force: true});
	});

	test('a 3 MB arg and a 9 MB result go by reference, read and verified by the submitter and a reattaching client', {timeout: 90_000}, async () => {
		const data = Buffer.alloc(3 * 1024 * 1024);
		for (let i = 0; i < data.length; i += 4) data.writeUInt32LE((i * 2_654_435_761) >>> 0, i);
		const seen: string[] = [];
		const job = await client.submit('grow', {data, times: 3}, {onProgress: event => seen.push(event.message)});
		const result = (await job.result({timeoutMs: 60_000})) as Buffer;
		assert.deepEqual(seen, [`read ${sha(data)}`], 'the runner read the args exactly');
		assert.equal(result.length, 9 * 1024 * 1024);
		assert.equal(sha(result), sha(Buffer.concat([data, data, data])));

		const names = readdirSync(storeDir);
		assert.equal(names.length, 2, names.join(', '));
		assert.ok(names.some(name => name.startsWith(`job-${job.id}-`) && /-[\da-f]{8}\.args$/.test(name)), names.join(', '));
		assert.ok(names.some(name => name.startsWith(`job-${job.id}-`) && /-[\da-f]{8}\.result$/.test(name)), names.join(', '));

		const other = await PipelineClient.connect(options);
		try {
			const again = await other.job(job.id);
			assert.equal(sha((await again.result()) as Buffer), sha(result), 'a reattaching client reads the same result');
			assert.equal(sha(((await again.args()) as {data: Buffer}).data), sha(data), 'and the args as submitted');
		} finally {
			await other.close();
		}

		const sweeper = new FileBlobStore(store);
		assert.equal(await sweeper.sweep(0), 0, 'a call-age sweep keeps jobs\' blobs (their age is the jobs\' retention)');
		assert.equal(readdirSync(storeDir).length, 2);
		assert.equal(await sweeper.sweep(0, 0), 2, 'the job age sweep removes them');
	});

	test('a job result blob gone missing rejects result() with BlobUnavailableError', {timeout: 90_000}, async () => {
		const job = await client.submit('grow', {data: Buffer.alloc(600 * 1024, 5), times: 2});
		let name: string | undefined;
		for (let i = 0; i < 400 && name === undefined; i++) {
			await new Promise(resolve => setTimeout(resolve, 50)); // eslint-disable-line no-await-in-loop
			const status = await job.status(); // eslint-disable-line no-await-in-loop
			if (status.state === 'SUCCEEDED') name = readdirSync(storeDir).find(n => n.endsWith('.result') && n.includes(job.id));
		}

		assert.ok(name !== undefined, 'the job stored no result blob');
		unlinkSync(join(storeDir, name));
		const error = await job.result().then(() => undefined, (error: unknown) => error);
		assert.ok(error instanceof BlobUnavailableError, `expected BlobUnavailableError, got ${String(error)}`);
		assert.equal(error.remoteType, 'BlobMissing');
		assert.equal(error.requestId, job.id);
	});

	test('a job whose args blob is gone fails with BlobUnavailableError and leaves a blob-unavailable dead letter', {timeout: 90_000}, async () => {
		process.kill(runner.pid!, 'SIGSTOP');
		let job;
		try {
			job = await client.submit('grow', {data: Buffer.alloc(2 * 1024 * 1024, 9), times: 1});
			const name = readdirSync(storeDir).find(n => n.endsWith('.args') && n.includes(job!.id));
			assert.ok(name !== undefined, 'the client wrote no args blob');
			unlinkSync(join(storeDir, name));
		} finally {
			process.kill(runner.pid!, 'SIGCONT');
		}

		const error = await job.result({timeoutMs: 60_000}).then(() => undefined, (error: unknown) => error);
		assert.ok(error instanceof BlobUnavailableError, `expected BlobUnavailableError, got ${String(error)}`);
		assert.equal(error.remoteType, 'BlobMissing');
		const kafka = new Kafka({brokers: [...brokers], clientId: `${requestTopic}-reader`, logLevel: logLevel.NOTHING});
		const reader = kafka.consumer({groupId: `${requestTopic}.dlq-reader`});
		try {
			await reader.connect();
			await reader.subscribe({topic: `${requestTopic}.dlq`, fromBeginning: true});
			const headers = await new Promise<Record<string, string>>((resolve, reject) => {
				const timer = setTimeout(() => reject(new Error('no dead letter read within 20 s')), 20_000);
				void reader.run({
					async eachMessage({message}) {
						clearTimeout(timer);
						resolve(Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])));
					},
				});
			});
			assert.equal(headers['mlbridge.dlq.reason'], 'blob-unavailable');
			assert.equal(headers['mlbridge.request.id'], job.id);
			assert.equal(headers['mlbridge.source.topic'], `${requestTopic}.jobs`);
		} finally {
			await reader.disconnect();
		}
	});
});
