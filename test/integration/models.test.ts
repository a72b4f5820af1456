/**
 * Models end to end (docs/models.md): a job saves a model version, an inference pipeline receives
 * it loaded; a new version published while calls run under load is served within seconds with no
 * failed call and no call switching model mid-run; a pinned old version; promote and rollback from
 * TypeScript; a pickle-based model refused without --allow-pickle-models. Real broker, real runner.
 */
import assert from 'node:assert/strict';
import {mkdtempSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {after, before, test} from 'node:test';
import {ModelNotFoundError, PipelineError, type PipelineClient} from '../../src/index.js';
import {createStack, fixturesDir, type Stack} from '../helpers/harness.js';

const modelPipelines = path.join(fixturesDir, 'model_pipelines.py');
const modelDir = mkdtempSync(path.join(tmpdir(), 'mlbridge-models-'));
let stack: Stack;
let client: PipelineClient;

before(async () => {
	stack = await createStack('models', {runners: 0});
	await stack.startRunner({pipelines: [modelPipelines], extraArgs: ['--partitions', '4', '--model-dir', modelDir]});
	client = stack.client;
});
after(async () => stack.close());

async function sleep(ms: number): Promise<void> {
	await new Promise(resolve => setTimeout(resolve, ms));
}

async function train(scale: number): Promise<number> {
	const job = await client.submit('save_scale', {scale});
	return await job.result() as number;
}

async function scaleServed(): Promise<number> {
	const [, scale] = await client.invoke('score', {x: 1}) as [number, number];
	return scale;
}

test('a job saves a model version and an inference pipeline receives it loaded', {timeout: 60_000}, async () => {
	await assert.rejects(client.invoke('score', {x: 2}), (error: unknown) => error instanceof PipelineError && /ModelNotFound/.test(String((error as PipelineError).remoteType)));
	assert.equal(await train(3), 1);
	const started = Date.now();
	while (await client.invoke('score', {x: 2}).catch(() => undefined) === undefined) {
		assert.ok(Date.now() - started < 10_000, 'version 1 not served within 10 s');
		await sleep(50);
	}

	assert.deepEqual(await client.invoke('score', {x: 2}), [6, 3]);
	const versions = await client.models.list('scaler');
	assert.equal(versions.length, 1);
	assert.equal(versions[0]!.format, 'npz');
	assert.deepEqual(versions[0]!.metrics, {scale: 3});
	assert.match(versions[0]!.sha256, /^[\da-f]{64}$/);
	assert.ok(versions[0]!.current);
});

test('a new version under load: zero failed calls, served within seconds, no call switches mid-run', {timeout: 90_000}, async () => {
	await train(4);
	await client.models.promote('scaler', 2);
	const old = await client.models.current('scaler');
	assert.equal(old, 2);
	while (await scaleServed() !== 4) await sleep(50);
	// A call holding its model across the publish: it must finish with the model it started with.
	const held = client.invoke('score', {x: 1, hold_s: 1.5}) as Promise<[number, number]>;
	let stop = false;
	let calls = 0;
	let failures = 0;
	let firstFailure: unknown;
	const servedNew: number[] = [];
	const workers = Array.from({length: 4}, async () => {
		while (!stop) {
			try {
				const [product, first] = await client.invoke('score', {x: 10}) as [number, number];
				assert.equal(product, 10 * first); // one model object through the whole call
				calls++;
				if (first === 5) servedNew.push(Date.now());
			} catch (error) {
				firstFailure ??= error;
				failures++;
			}
		}
	});
	await sleep(300);
	const published = Date.now();
	const version = await train(5);
	assert.equal(version, 3);
	await client.models.promote('scaler', 3);
	const promoted = Date.now();
	while (servedNew.length === 0 && Date.now() - promoted < 10_000) await sleep(20);
	await sleep(500);
	stop = true;
	await Promise.all(workers);
	const [heldProduct, heldFirst] = await held;
	assert.equal(failures, 0, `${failures} of ${calls + failures} calls failed, first: ${String(firstFailure)}`);
	assert.ok(servedNew.length > 0, 'the new version was never served');
	const swapMs = servedNew[0]! - promoted;
	console.log(`models: ${calls} calls under load, 0 failed; version 3 served ${swapMs} ms after promote (${promoted - published} ms to train+save+promote)`);
	assert.ok(swapMs < 5000, `swap took ${swapMs} ms`);
	assert.deepEqual([heldProduct, heldFirst], [4, 4]);
});

test('a call pins an old version; rollback from TypeScript moves latest back', {timeout: 60_000}, async () => {
	assert.deepEqual(await client.invoke('score', {x: 1}, {modelVersion: 1}), [3, 3]);
	assert.equal(await scaleServed(), 5);
	await assert.rejects(client.invoke('score', {x: 1}, {modelVersion: 99}), (error: unknown) => error instanceof PipelineError && /version 99/.test(error.message));
	assert.equal(await client.models.rollback('scaler'), 2);
	const rolledBack = Date.now();
	while (await scaleServed() !== 4) {
		assert.ok(Date.now() - rolledBack < 10_000, 'rollback not served within 10 s');
		await sleep(50);
	}

	const versions = await client.models.list('scaler');
	assert.deepEqual(versions.map(v => [v.version, v.current]), [[1, false], [2, true], [3, false]]);
	await assert.rejects(client.models.promote('scaler', 42), ModelNotFoundError);
	await client.models.promote('scaler', 3);
	while (await scaleServed() !== 5) await sleep(50);
});

test('scikit-learn through skops; a joblib (pickle) model is refused without --allow-pickle-models', {timeout: 90_000}, async () => {
	const job = await client.submit('fit_forest', {seed: 1});
	assert.equal(await job.result(), 1);
	assert.equal((await client.models.list('forest'))[0]!.format, 'skops');
	let outlier: unknown;
	let last: unknown;
	const started = Date.now();
	while (outlier === undefined) {
		// The first load imports scikit-learn in the runner: seconds on a busy 2-core machine.
		outlier = await client.invoke('is_anomaly', {x: 8, y: 8}).catch((error: unknown) => {
			last = error;
			return undefined;
		});
		assert.ok(Date.now() - started < 30_000, `forest not served within 30 s: ${String(last)}`);
		if (outlier === undefined) await sleep(100);
	}

	assert.equal(outlier, true);
	assert.equal(await client.invoke('is_anomaly', {x: 0, y: 0}), false);
	const pickled = await client.submit('save_pickled', {});
	assert.equal(await pickled.result(), 1);
	await sleep(500);
	await assert.rejects(client.invoke('use_pickled', {}), (error: unknown) => error instanceof PipelineError && /allow-pickle-models/.test(error.message));
});
