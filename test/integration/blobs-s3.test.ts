/**
 * The S3 blob store against a real S3 API: moto's server (the runner's test extra, `moto[server]`)
 * started by this test on a free port and reached over HTTP by `@aws-sdk/client-s3` and by the
 * runner's boto3, as a MinIO or AWS endpoint would be (`AWS_ENDPOINT_URL`). The store's own
 * checks (round trip, missing, truncated, altered, foreign, sweep, unreachable), then calls and a
 * job by reference through a real broker and a real runner both configured with `s3://`.
 * Twin of python-runner/tests/unit/test_blobs_s3.py.
 */
import assert from 'node:assert/strict';
import {createHash, randomBytes} from 'node:crypto';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, before, describe, test} from 'node:test';
import {DeleteObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client} from '@aws-sdk/client-s3';
import {execa, type ResultPromise} from 'execa';
import {BlobStoreError, openBlobStore, S3BlobStore} from '../../src/blobs/index.js';
import {PipelineClient, RunnerProcess} from '../../src/index.js';
import {findPython} from '../../src/runner/find-python.js';
import {brokers, uniqueName} from '../helpers/harness.js';

const BUCKET = 'mlbridge-it';
const MOTO = `
import threading
from moto.server import ThreadedMotoServer
server = ThreadedMotoServer("127.0.0.1", 0, verbose=False)
server.start()
print(server.get_host_and_port()[1], flush=True)
threading.Event().wait()
`;
const PIPELINES = `
import numpy as np
from mlbridge_runner import Progress, pipeline

@pipeline("fit_scaler", job=True)
def fit_scaler(scale: float, progress: Progress = Progress()) -> int:
    return progress.save_model("scaler", np.full(3, scale), metrics={"scale": scale}).version

@pipeline("apply_scaler", model="scaler")
def apply_scaler(x: float, model=None) -> list:
    return (model * x).tolist()

@pipeline
def echo(data: bytes) -> bytes:
    return data

@pipeline("double", job=True)
def double(data: bytes) -> bytes:
    return bytes(data) * 2
`;

const sha = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

async function failure(promise: Promise<unknown>): Promise<BlobStoreError> {
	const error = await promise.then(() => undefined, (error: unknown) => error);
	assert.ok(error instanceof BlobStoreError, `expected BlobStoreError, got ${String(error)}`);
	return error;
}

describe('the S3 blob store against a real S3 API (moto server)', () => {
	const dir = mkdtempSync(join(tmpdir(), 'mlbridge-blobs-s3-'));
	let moto: ResultPromise;
	let awsEnv: Record<string, string>;
	let s3: S3Client;

	before(async () => {
		moto = execa(findPython().python, ['-c', MOTO], {stderr: 'ignore'});
		const port = await new Promise<string>((resolve, reject) => {
			moto.stdout!.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
			moto.catch(reject);
		});
		awsEnv = {
			AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test',
			AWS_REGION: 'us-east-1', AWS_DEFAULT_REGION: 'us-east-1', AWS_MAX_ATTEMPTS: '1',
		};
		Object.assign(process.env, awsEnv);
		s3 = new S3Client({});
		await s3.send(new (await import('@aws-sdk/client-s3')).CreateBucketCommand({Bucket: BUCKET}));
	});

	after(async () => {
		s3?.destroy();
		moto?.kill();
		await moto?.catch(() => undefined);
		rmSync(dir, {recursive: true, force: true});
	});

	async function keys(prefix: string): Promise<string[]> {
		const page = await s3.send(new ListObjectsV2Command({Bucket: BUCKET, Prefix: prefix}));
		return (page.Contents ?? []).map(item => item.Key!).sort();
	}

	test('a blob round-trips, verified; truncated, altered, missing and foreign ones are refused by kind', async () => {
		const store = await openBlobStore(`s3://${BUCKET}/checks`);
		assert.ok(store instanceof S3BlobStore);
		const body = randomBytes(3 * 1024 * 1024 + 5);
		const stored = await store.put('r-1.args', body);
		assert.deepEqual(stored, {uri: `s3://${BUCKET}/checks/r-1.args`, size: body.length, sha256: sha(body)});
		assert.ok((await store.get(stored.uri, stored.size, stored.sha256)).equals(body));

		const replace = async (bytes: Buffer): Promise<void> => {
			await s3.send(new PutObjectCommand({Bucket: BUCKET, Key: 'checks/r-1.args', Body: bytes}));
		};

		await replace(body.subarray(0, 1000));
		const short = await failure(store.get(stored.uri, stored.size, stored.sha256));
		assert.equal(short.kind, 'BlobCorrupt');
		assert.match(short.message, new RegExp(`ends after 1000 of ${body.length}`));
		const altered = Buffer.from(body);
		altered[12_345] = altered[12_345]! ^ 0xff;
		await replace(altered);
		const wrong = await failure(store.get(stored.uri, stored.size, stored.sha256));
		assert.equal(wrong.kind, 'BlobCorrupt');
		assert.match(wrong.message, /SHA-256/);
		await replace(Buffer.concat([body, Buffer.from('!')]));
		assert.equal((await failure(store.get(stored.uri, stored.size, stored.sha256))).kind, 'BlobCorrupt');
		assert.equal((await failure(store.get(`s3://other/checks/r-1.args`, 1, 'a'.repeat(64)))).kind, 'BlobMissing');
		await store.delete(stored.uri);
		await store.delete(stored.uri); // already gone: fine
		assert.equal((await failure(store.get(stored.uri, stored.size, stored.sha256))).kind, 'BlobMissing');
	});

	test('the sweep deletes old call blobs, keeps jobs\' until their age, and only under its prefix', async () => {
		const store = await openBlobStore(`s3://${BUCKET}/swept/`);
		await store.put('r-2.args', Buffer.from('call'));
		await store.put('job-j1-0000abcd.result', Buffer.from('job'));
		await s3.send(new PutObjectCommand({Bucket: BUCKET, Key: 'elsewhere/r-3.args', Body: Buffer.from('other')}));
		await new Promise(resolve => setTimeout(resolve, 1100)); // S3 times have a resolution of one second
		assert.equal(await store.sweep(3_600_000), 0);
		assert.equal(await store.sweep(500), 1);
		assert.deepEqual(await keys('swept/'), ['swept/job-j1-0000abcd.result']);
		assert.equal(await store.sweep(500, 500), 1);
		assert.deepEqual(await keys('elsewhere/'), ['elsewhere/r-3.args']);
		await s3.send(new DeleteObjectCommand({Bucket: BUCKET, Key: 'elsewhere/r-3.args'}));
	});

	test('putNew is create-if-absent on S3 (If-None-Match: *), put overwrites', async () => {
		const {BlobExistsError} = await import('../../src/blobs/index.js');
		const store = await openBlobStore(`s3://${BUCKET}/once`);
		const first = await store.putNew('model-m-v1', Buffer.from('first'));
		await assert.rejects(store.putNew('model-m-v1', Buffer.from('second')), (error: unknown) => error instanceof BlobExistsError);
		assert.equal((await store.get(first.uri, first.size, first.sha256)).toString(), 'first');
		await store.put('r-5.result', Buffer.from('a'));
		const second = await store.put('r-5.result', Buffer.from('b'));
		assert.equal((await store.get(second.uri, 1, second.sha256)).toString(), 'b');
		assert.equal(await store.sweep(0, 0), 1, 'the result; never the model version');
	});

	test('an endpoint that refuses connections is BlobStoreUnreachable', async () => {
		// The SDK reads its endpoint when it first sends: the variable stays changed for the test.
		const endpoint = process.env['AWS_ENDPOINT_URL'];
		process.env['AWS_ENDPOINT_URL'] = 'http://127.0.0.1:9'; // the discard port: refused at once
		try {
			const store = await openBlobStore(`s3://${BUCKET}/down`);
			assert.equal((await failure(store.put('r-4.args', Buffer.from('x')))).kind, 'BlobStoreUnreachable');
			assert.equal((await failure(store.get(`s3://${BUCKET}/down/r-4.args`, 1, 'a'.repeat(64)))).kind, 'BlobStoreUnreachable');
		} finally {
			process.env['AWS_ENDPOINT_URL'] = endpoint;
		}
	});

	describe('through a real broker and runner, both on s3://', () => {
		const requestTopic = uniqueName('blobs3');
		const store = `s3://${BUCKET}/calls`;
		let client: PipelineClient;
		let runner: RunnerProcess;

		before(async () => {
			const file = join(dir, 's3_pipelines.py');
			writeFileSync(file, PIPELINES);
			client = await PipelineClient.connect({
				brokers, requestTopic, catalogTopic: `${requestTopic}.catalog`, defaultTimeoutMs: 60_000, largePayloads: {store},
			});
			runner = await RunnerProcess.start({
				pipelines: [file],
				brokers,
				requestTopic,
				group: `${requestTopic}.runners`,
				extraArgs: ['--partitions', '1', '--model-store', `s3://${BUCKET}/models`],
				env: {MLBRIDGE_CATALOG_TOPIC: `${requestTopic}.catalog`, MLBRIDGE_BLOB_STORE: store, ...awsEnv},
			});
		});

		after(async () => {
			await client?.close();
			await runner?.stop();
		});

		test('a 6 MB call round-trips by reference through S3 and leaves no blob behind', {timeout: 60_000}, async () => {
			const payload = randomBytes(6 * 1024 * 1024);
			const back = (await client.invoke('echo', {data: payload})) as Buffer;
			assert.equal(sha(back), sha(payload));
			await new Promise(resolve => setTimeout(resolve, 300)); // the args blob is deleted in the background
			assert.deepEqual(await keys('calls/'), []);
		});

		test('a job with a 2 MB arg and a 4 MB result by reference through S3', {timeout: 60_000}, async () => {
			const data = randomBytes(2 * 1024 * 1024);
			const job = await client.submit('double', {data});
			const result = (await job.result({timeoutMs: 50_000})) as Buffer;
			assert.equal(sha(result), sha(Buffer.concat([data, data])));
			const names = await keys('calls/');
			assert.equal(names.length, 2, names.join(', '));
			assert.ok(names.every(name => /^calls\/job-/.test(name)), names.join(', '));
		});

		test('a training job saves a model version to S3 and an inference call loads it from there', {timeout: 60_000}, async () => {
			const job = await client.submit('fit_scaler', {scale: 2.5});
			assert.equal(await job.result({timeoutMs: 50_000}), 1);
			assert.deepEqual(await keys('models/'), ['models/model-scaler-v1']);
			let scaled: unknown;
			for (let i = 0; i < 100 && scaled === undefined; i++) {
				// The runner's follower learns of the version from the model topic within a moment.
				scaled = await client.invoke('apply_scaler', {x: 2}).catch(async () => new Promise(resolve => setTimeout(resolve, 100))); // eslint-disable-line no-await-in-loop
			}

			assert.deepEqual(scaled, [5, 5, 5]);
			const [version] = await client.models.list('scaler');
			assert.equal(version?.uri, `s3://${BUCKET}/models/model-scaler-v1`);
		});
	});
});
