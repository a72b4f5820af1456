import assert from 'node:assert/strict';
import {execa} from 'execa';
import {createHash, randomBytes} from 'node:crypto';
import {existsSync, mkdtempSync, readdirSync, rmSync, truncateSync, utimesSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';
import {after, test} from 'node:test';
import {BlobStoreError, decodeBlobRef, encodeBlobRef, FileBlobStore, openBlobStore, type S3Api, S3BlobStore} from '../../src/blobs/index.js';

const dir = mkdtempSync(join(tmpdir(), 'mlbridge-blobs-'));
after(() => rmSync(dir, {recursive: true, force: true}));
const url = pathToFileURL(dir).href;

async function failure(promise: Promise<unknown>): Promise<BlobStoreError> {
	const error = await promise.then(() => undefined, (error: unknown) => error);
	assert.ok(error instanceof BlobStoreError, `expected a BlobStoreError, got ${String(error)}`);
	return error;
}

test('a blob reference round-trips and a malformed one is refused', () => {
	const ref = {uri: 'file:///x/y', size: 3, sha256: 'a'.repeat(64), schema: 'crc64:071d3e746c3ca3bc'};
	assert.deepEqual(decodeBlobRef(encodeBlobRef(ref)), ref);
	assert.throws(() => decodeBlobRef(encodeBlobRef({...ref, sha256: 'xyz'})), /malformed/);
});

test('the directory store writes, verifies and reads back a body larger than its chunk', async () => {
	const store = await openBlobStore(url);
	const body = randomBytes(20 * 1024 * 1024 + 7);
	const stored = await store.put('r-1.args', body);
	assert.equal(stored.size, body.length);
	assert.equal(stored.sha256, createHash('sha256').update(body).digest('hex'));
	assert.ok(stored.uri.startsWith(url));
	assert.ok(!existsSync(`${fileURLToPath(stored.uri)}.partial`));
	assert.ok((await store.get(stored.uri, stored.size, stored.sha256)).equals(body));
	await store.delete(stored.uri);
	await store.delete(stored.uri); // gone already: fine
	assert.equal((await failure(store.get(stored.uri, stored.size, stored.sha256))).kind, 'BlobMissing');
});

test('the directory store refuses truncated, altered and foreign blobs', async () => {
	const store = new FileBlobStore(url);
	const body = Buffer.from('x'.repeat(1000));
	const stored = await store.put('r-2.result', body);
	writeFileSync(fileURLToPath(stored.uri), Buffer.from('y'.repeat(1000)));
	const altered = await failure(store.get(stored.uri, stored.size, stored.sha256));
	assert.equal(altered.kind, 'BlobCorrupt');
	assert.match(altered.message, /SHA-256/);
	truncateSync(fileURLToPath(stored.uri), 10);
	assert.match((await failure(store.get(stored.uri, stored.size, stored.sha256))).message, /10 bytes, the reference says 1000/);
	assert.equal((await failure(store.get('file:///etc/passwd', 1, 'a'.repeat(64)))).kind, 'BlobMissing');
	assert.equal((await failure(store.get(`${url}/../x`, 1, 'a'.repeat(64)))).kind, 'BlobMissing');
});

test('an unreachable directory store fails the write with BlobStoreUnreachable', async () => {
	const file = join(dir, 'not-a-dir');
	writeFileSync(file, '');
	const store = new FileBlobStore(pathToFileURL(join(file, 'sub')).href);
	assert.equal((await failure(store.put('r-3.args', Buffer.from('a')))).kind, 'BlobStoreUnreachable');
});

test('the sweep deletes only blobs older than its age', async () => {
	const sub = join(dir, 'sweep');
	const store = new FileBlobStore(pathToFileURL(sub).href);
	const old = await store.put('old', Buffer.from('a'));
	const fresh = await store.put('fresh', Buffer.from('b'));
	const hourAgo = new Date(Date.now() - 3_600_000);
	utimesSync(fileURLToPath(old.uri), hourAgo, hourAgo);
	assert.equal(await store.sweep(60_000), 1);
	assert.ok(!existsSync(fileURLToPath(old.uri)));
	assert.ok(existsSync(fileURLToPath(fresh.uri)));
});

/** An in-memory S3 (no S3 server here): the adapter over the AWS SDK itself is not exercised. */
function fakeS3(): S3Api & {objects: Map<string, {body: Buffer; at: number}>; down: boolean} {
	const objects = new Map<string, {body: Buffer; at: number}>();
	const fake = {
		objects,
		down: false,
		async put(bucket: string, key: string, body: Uint8Array) {
			if (fake.down) throw new Error('connect ECONNREFUSED');
			objects.set(`${bucket}/${key}`, {body: Buffer.from(body), at: Date.now()});
		},
		async get(bucket: string, key: string) {
			if (fake.down) throw new Error('connect ECONNREFUSED');
			const found = objects.get(`${bucket}/${key}`);
			if (found === undefined) return undefined;
			return (async function * () {
				for (let i = 0; i < found.body.length; i += 4) yield found.body.subarray(i, i + 4);
			})();
		},
		async delete(bucket: string, key: string) {
			objects.delete(`${bucket}/${key}`);
		},
		async list(bucket: string, prefix: string) {
			return [...objects].filter(([k]) => k.startsWith(`${bucket}/${prefix}`)).map(([k, v]) => ({key: k.slice(bucket.length + 1), lastModifiedMs: v.at}));
		},
	};
	return fake;
}

test('the S3 store (against an in-memory fake) writes, verifies, sweeps and reports each failure', async () => {
	const s3 = fakeS3();
	const store = new S3BlobStore('s3://bucket/mlbridge', s3);
	const body = Buffer.from('hello, claim check');
	const stored = await store.put('r-4.args', body);
	assert.equal(stored.uri, 's3://bucket/mlbridge/r-4.args');
	assert.ok((await store.get(stored.uri, stored.size, stored.sha256)).equals(body));
	s3.objects.get('bucket/mlbridge/r-4.args')!.body = Buffer.from('hello, claim checK');
	assert.equal((await failure(store.get(stored.uri, stored.size, stored.sha256))).kind, 'BlobCorrupt');
	s3.objects.get('bucket/mlbridge/r-4.args')!.body = Buffer.from('hello');
	assert.match((await failure(store.get(stored.uri, stored.size, stored.sha256))).message, /ends after 5 of 18/);
	assert.equal((await failure(store.get('s3://other/mlbridge/r-4.args', 1, 'a'.repeat(64)))).kind, 'BlobMissing');
	s3.objects.get('bucket/mlbridge/r-4.args')!.at = Date.now() - 3_600_000;
	assert.equal(await store.sweep(60_000), 1);
	assert.equal((await failure(store.get(stored.uri, stored.size, stored.sha256))).kind, 'BlobMissing');
	s3.down = true;
	assert.equal((await failure(store.get(stored.uri, stored.size, stored.sha256))).kind, 'BlobStoreUnreachable');
	assert.equal((await failure(store.put('r-5.args', body))).kind, 'BlobStoreUnreachable');
});

test('an s3:// store without @aws-sdk/client-s3 installed rejects naming the package', async () => {
	// A child process in which the package (a dev dependency here) cannot be resolved.
	const script = `import {openBlobStore, BlobStorePackageMissingError} from './src/blobs/index.ts';
		openBlobStore('s3://bucket/prefix').then(() => console.log('opened'), e => console.log(e instanceof BlobStorePackageMissingError ? e.packageName : String(e)));`;
	const {stdout} = await execa('node', ['--import', 'tsx', '--import', './test/helpers/hide-package.mjs', '--input-type=module', '-e', script], {
		env: {MLBRIDGE_HIDE_PACKAGE: '@aws-sdk/client-s3'},
	});
	assert.equal(stdout.trim(), '@aws-sdk/client-s3');
});

test('putNew is create-if-absent; the sweep keeps job blobs for their age and never deletes model versions', async () => {
	const {BlobExistsError} = await import('../../src/blobs/index.js');
	const sub = join(dir, 'put-new');
	const store = new FileBlobStore(pathToFileURL(sub).href);
	const first = await store.putNew('model-m-v1', Buffer.from('first'));
	await assert.rejects(store.putNew('model-m-v1', Buffer.from('second')), (error: unknown) => error instanceof BlobExistsError);
	assert.equal((await store.get(first.uri, first.size, first.sha256)).toString(), 'first');
	assert.deepEqual(readdirSync(sub), ['model-m-v1'], 'no temporary file left behind');
	await store.put('job-j-0000abcd.result', Buffer.from('job'));
	await store.put('r-1.args', Buffer.from('call'));
	writeFileSync(join(sub, 'model-m-v2.0badc0de.partial'), 'a model write whose process died');
	const day = 24 * 3600;
	for (const name of readdirSync(sub)) utimesSync(join(sub, name), Date.now() / 1000 - 2 * day, Date.now() / 1000 - 2 * day);
	assert.equal(await store.sweep(60_000), 2, 'the call\'s blob and the dead write; the job\'s is younger than 7 days');
	for (const name of readdirSync(sub)) utimesSync(join(sub, name), Date.now() / 1000 - 30 * day, Date.now() / 1000 - 30 * day);
	assert.equal(await store.sweep(60_000), 1, 'the job\'s, past 7 days');
	assert.deepEqual(readdirSync(sub), ['model-m-v1']);
});

test('a store whose directory is a file is unreachable for put and putNew (not "exists")', async () => {
	const blocker = join(dir, 'not-a-dir');
	writeFileSync(blocker, 'a file where the store directory should be');
	const store = new FileBlobStore(pathToFileURL(blocker).href);
	assert.equal((await failure(store.put('r-9.args', Buffer.from('x')))).kind, 'BlobStoreUnreachable');
	assert.equal((await failure(store.putNew('model-m-v9', Buffer.from('x')))).kind, 'BlobStoreUnreachable');
});
