/**
 * A pipeline's time limit (`@pipeline(timeout=...)`) reaches describe() and listPipelines() through
 * the catalogue, with its doc and version, for typed and untyped pipelines (test/fixtures/typed_limits.py
 * against a real runner and broker); the runner enforces it.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import {after, before, describe, test} from 'node:test';
import {PipelineTimeoutError, type PipelineClient, type UntypedPipelines} from '../../src/index.js';
import {createTypedStack, typedPipelinesV1, type TypedStack} from '../helpers/typed-stack.js';

const typedLimits = path.join(path.dirname(typedPipelinesV1), 'typed_limits.py');

describe('pipeline time limits in the catalogue', {timeout: 120_000}, () => {
	let stack: TypedStack;
	let client: PipelineClient<UntypedPipelines>;

	before(async () => {
		stack = createTypedStack('limits');
		await stack.startRunner(typedLimits);
		client = await stack.connect();
	});

	after(async () => {
		await stack.close();
	});

	test('describe() shows the time limit, doc and version of a typed pipeline', async () => {
		const scale = await client.describe('limited_scale');
		assert.equal(scale.timeoutMs, 2500);
		assert.equal(scale.typed, true);
		assert.equal(scale.version, 3);
		assert.deepEqual(scale.versions, [3]);
		assert.equal(scale.doc, 'Multiply ``x`` by ``factor`` within 2.5 s.');
		assert.deepEqual(
			(scale.argsSchema as unknown as {fields: Array<{name: string}>}).fields.map(f => f.name),
			['x', 'factor'],
		);
		assert.equal(scale.resultSchema, 'double');
	});

	test('listPipelines() shows every limit, typed or not', async () => {
		const list = await client.listPipelines();
		assert.deepEqual(
			list.map(p => [p.name, p.timeoutMs, p.typed, p.version, p.doc]),
			[
				['limited_scale', 2500, true, 3, 'Multiply ``x`` by ``factor`` within 2.5 s.'],
				['limited_sleep', 300, true, 1, 'Sleep ``seconds``; longer than 0.3 s times out.'],
				['limited_untyped', 750, false, 1, ''],
			],
		);
		const untyped = list.find(p => p.name === 'limited_untyped')!;
		assert.equal(untyped.argsSchema, undefined);
		assert.equal(untyped.resultSchema, undefined);
	});

	test('the runner holds the pipeline to its limit', async () => {
		assert.equal(await client.invoke('limited_scale', {x: 1.5} as never), 3);
		assert.equal(await client.invoke('limited_sleep', {seconds: 0} as never), 0);
		await assert.rejects(
			client.invoke('limited_sleep', {seconds: 3} as never),
			(error: unknown) => error instanceof PipelineTimeoutError && error.pipeline === 'limited_sleep',
		);
	});
});
