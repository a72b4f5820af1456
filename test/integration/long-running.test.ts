import assert from 'node:assert/strict';
import {randomBytes} from 'node:crypto';
import {after, before, describe, test} from 'node:test';
import {PipelineTimeoutError, type InvocationProgress} from '../../src/index.js';
import {createStack, type Stack} from '../helpers/harness.js';

describe('long-running calls: progress, time limits, idempotency', () => {
	let stack: Stack;
	before(async () => {
		stack = await createStack('long');
	});
	after(async () => {
		await stack.close();
	});

	test('progress reports arrive in order before the result', async () => {
		const reports: InvocationProgress[] = [];
		let resolvedAfter = -1;
		const result = await stack.client.invoke('train', {epochs: 4}, {
			onProgress: report => reports.push(report),
		}).then(value => {
			resolvedAfter = reports.length;
			return value;
		});
		assert.deepEqual(result, {epochs: 4});
		assert.deepEqual(reports.map(r => [r.current, r.total, r.message]), [
			[1, 4, 'epoch 1'],
			[2, 4, 'epoch 2'],
			[3, 4, 'epoch 3'],
			[4, 4, 'epoch 4'],
		]);
		assert.equal(resolvedAfter, 4);
		assert.ok(reports.every(r => r.requestId === reports[0]?.requestId));
	});

	test('a caller cannot pass the progress argument itself', async () => {
		await assert.rejects(stack.client.invoke('train', {epochs: 1, progress: 'x'}), {name: 'InvalidArgumentsError'});
	});

	test('a pipeline past its declared time limit rejects with PipelineTimeoutError', async () => {
		await assert.rejects(stack.client.invoke('limited', {seconds: 3}), (error: unknown) => {
			assert.ok(error instanceof PipelineTimeoutError);
			assert.equal(error.code, 'PIPELINE_TIMEOUT');
			assert.ok(error.requestId);
			return true;
		});
		assert.equal(await stack.client.invoke('limited', {seconds: 0}), 'finished');
	});

	test('a repeated idempotency key is answered from the first result, not run again', async () => {
		const key = `order-${randomBytes(4).toString('hex')}`;
		const first = await stack.client.invoke('count_executions', {key}, {idempotencyKey: key});
		const again = await stack.client.invoke('count_executions', {key}, {idempotencyKey: key});
		const concurrent = await Promise.all([1, 2, 3].map(async () => stack.client.invoke('count_executions', {key}, {idempotencyKey: key})));
		assert.deepEqual([first, again, ...concurrent], [1, 1, 1, 1, 1]);
		// Without the key the same call runs again.
		assert.equal(await stack.client.invoke('count_executions', {key}), 2);
	});
});
