import assert from 'node:assert/strict';
import {test} from 'node:test';
import {PendingCalls, type PendingCall} from '../../src/client/pending-calls.js';

function call(id: string, settled: string[]): PendingCall {
	return {
		id,
		pipeline: 'p',
		timeoutMs: 10,
		resolve: () => settled.push(`resolve:${id}`),
		reject: error => settled.push(`reject:${id}:${error.message}`),
		onProgress: undefined,
		detach: () => settled.push(`detach:${id}`),
		wheelHandle: undefined,
	};
}

test('a call is taken exactly once: a second reply finds nothing', () => {
	const settled: string[] = [];
	const pending = new PendingCalls(() => {});
	pending.add(call('a', settled), undefined);
	assert.equal(pending.take('a')?.id, 'a');
	assert.equal(pending.take('a'), undefined);
	assert.deepEqual(settled, ['detach:a']);
	assert.equal(pending.size, 0);
});

test('a timed-out call leaves the table before the timeout handler runs', async () => {
	const settled: string[] = [];
	const timedOut: string[] = [];
	const pending = new PendingCalls(c => {
		timedOut.push(c.id);
		assert.equal(pending.peek(c.id), undefined);
	}, 5);
	pending.add(call('slow', settled), Date.now() + 10);
	pending.add(call('fast', settled), Date.now() + 10_000);
	await new Promise(resolve => setTimeout(resolve, 60));
	assert.deepEqual(timedOut, ['slow']);
	assert.equal(pending.take('slow'), undefined, 'a late reply finds nothing');
	assert.equal(pending.takeAll().length, 1);
	assert.equal(pending.size, 0);
});
