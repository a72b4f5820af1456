/**
 * Large payloads by reference (claim check) through a real broker and a real runner: a 200 MB bytes
 * argument goes to a directory store, the runner reads and verifies it, echoes it, its 200 MB result
 * comes back by reference; client and runner peak memory are measured and printed, for a typed
 * pipeline (the catalogue's Avro record) and a generic one (Value), and the runner's heap must grow
 * by less than 1.5 payloads: the blob is mapped, not read whole; the result is written to the store
 * from the pipeline's own value, not from a concatenated copy. A blob corrupted
 * between the client's write and the runner's read is refused with BlobUnavailableError.
 * Topics keep Kafka's default max.message.bytes (1 MiB): nothing large travels in a record.
 */
import assert from 'node:assert/strict';
import {createHash} from 'node:crypto';
import {mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {pathToFileURL} from 'node:url';
import {after, before, describe, test} from 'node:test';
import {BlobUnavailableError, PipelineClient, RunnerProcess} from '../../src/index.js';
import {brokers, uniqueName} from '../helpers/harness.js';

const PIPELINES = `
from mlbridge_runner import pipeline

@pipeline
def echo(data: bytes) -> bytes:
    return data

@pipeline
def echo_any(data):
    return data

@pipeline
def size(data: bytes) -> int:
    return len(data)
`;

function statusKiB(pid: number, field: 'VmHWM' | 'RssAnon'): number {
	const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find(l => l.startsWith(`${field}:`));
	return Number(/(\d+)/.exec(line ?? '')?.[1] ?? Number.NaN);
}

const vmHwmKiB = (pid: number): number => statusKiB(pid, 'VmHWM');

/**
 * The peak of a process's anonymous memory (its heap: what it copied), sampled every 5 ms. VmHWM
 * also counts mapped file pages, and the runner maps a large blob instead of reading it (they are
 * the page cache's, shared and reclaimable).
 */
function anonPeak(pid: number): {stop(): number} {
	let peak = statusKiB(pid, 'RssAnon');
	const timer = setInterval(() => {
		peak = Math.max(peak, statusKiB(pid, 'RssAnon'));
	}, 5);
	return {
		stop() {
			clearInterval(timer);
			return Math.max(peak, statusKiB(pid, 'RssAnon'));
		},
	};
}

describe('large payloads by reference through a real runner', () => {
	const requestTopic = uniqueName('blobs');
	const dir = mkdtempSync(join(tmpdir(), 'mlbridge-blobs-it-'));
	const store = pathToFileURL(join(dir, 'store')).href;
	let client: PipelineClient;
	let runner: RunnerProcess;

	before(async () => {
		const file = join(dir, 'blob_pipelines.py');
		writeFileSync(file, PIPELINES);
		client = await PipelineClient.connect({
			brokers, requestTopic, catalogTopic: `${requestTopic}.catalog`, defaultTimeoutMs: 50_000, largePayloads: {store},
		});
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

	/** Peak memory from now on: VmHWM reset (clear_refs 5), as for each measured call below. */
	function resetPeak(pid: number): void {
		writeFileSync(`/proc/${pid}/clear_refs`, '5');
	}

	test('a 200 MB bytes payload round-trips exactly by reference, typed and generic, and the blobs are deleted', async () => {
		const payload = Buffer.allocUnsafe(200 * 1024 * 1024);
		for (let i = 0; i < payload.length; i += 4096) payload.writeUInt32LE((i * 2_654_435_761) >>> 0, i);
		const digest = createHash('sha256').update(payload).digest('hex');
		// `echo` is typed (bytes -> bytes: the catalogue's Avro record), `echo_any` takes the generic Value.
		for (const pipeline of ['echo', 'echo_any']) {
			resetPeak(process.pid);
			resetPeak(runner.pid!);
			const clientBefore = vmHwmKiB(process.pid);
			const runnerBefore = vmHwmKiB(runner.pid!);
			const runnerAnonBefore = statusKiB(runner.pid!, 'RssAnon');
			const runnerAnon = anonPeak(runner.pid!);
			const started = Date.now();
			const back = (await client.invoke(pipeline, {data: payload})) as Buffer; // eslint-disable-line no-await-in-loop
			const ms = Date.now() - started;
			const runnerAnonPeak = runnerAnon.stop();
			assert.equal(back.length, payload.length);
			assert.equal(createHash('sha256').update(back).digest('hex'), digest);
			const clientHwm = vmHwmKiB(process.pid);
			const runnerHwm = vmHwmKiB(runner.pid!);
			const mib = (kib: number): string => (kib / 1024).toFixed(0);
			console.log(`# 200 MiB ${pipeline} by reference: ${ms} ms; client peak ${mib(clientHwm)} MiB, +${mib(clientHwm - clientBefore)} over the ${mib(clientBefore)} MiB resident before the call (the payload included); runner peak ${mib(runnerHwm)} MiB, +${mib(runnerHwm - runnerBefore)} over ${mib(runnerBefore)} MiB (anonymous memory, its heap: +${mib(runnerAnonPeak - runnerAnonBefore)} MiB)`);
			// One copy of the payload at most in the runner's heap: the decoded argument, which the
			// echo returns; the result is written to the store from it, not from a second body.
			assert.ok(runnerAnonPeak - runnerAnonBefore < 1.5 * payload.length / 1024, `runner heap +${mib(runnerAnonPeak - runnerAnonBefore)} MiB for a 200 MiB echo: more than one copy`);
			await new Promise(resolve => setTimeout(resolve, 200)); // eslint-disable-line no-await-in-loop -- the args blob is deleted in the background
			assert.deepEqual(readdirSync(join(dir, 'store')), []);
		}
	});

	test('an args blob corrupted before the runner reads it is refused with BlobUnavailableError', async () => {
		process.kill(runner.pid!, 'SIGSTOP');
		let call: Promise<unknown>;
		try {
			call = client.invoke('size', {data: Buffer.alloc(2 * 1024 * 1024, 7)});
			call.catch(() => undefined);
			let name: string | undefined;
			for (let i = 0; i < 200 && name === undefined; i++) {
				await new Promise(resolve => setTimeout(resolve, 25)); // eslint-disable-line no-await-in-loop
				name = readdirSync(join(dir, 'store')).find(n => n.endsWith('.args'));
			}

			assert.ok(name !== undefined, 'the client wrote no args blob');
			const path = join(dir, 'store', name);
			const bytes = readFileSync(path);
			bytes[bytes.length - 1] = bytes.at(-1)! ^ 0xff;
			writeFileSync(path, bytes);
		} finally {
			process.kill(runner.pid!, 'SIGCONT');
		}

		const error = await call.then(() => undefined, (error: unknown) => error);
		assert.ok(error instanceof BlobUnavailableError, `expected BlobUnavailableError, got ${String(error)}`);
		assert.equal(error.code, 'BLOB_UNAVAILABLE');
		assert.equal(error.remoteType, 'BlobCorrupt');
		assert.equal(error.origin, 'remote');
		assert.match(error.message, /SHA-256/);
	});
});
