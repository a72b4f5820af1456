import assert from 'node:assert/strict';
import {test} from 'node:test';
import type {OutgoingMessage} from '../../src/transport/transport.js';
import {SendBatcher} from '../../src/transport/send-batcher.js';

const message = (key: string): OutgoingMessage => ({key, value: Buffer.from(key)});

test('sends made in one turn travel together; later ones wait for a free slot', async () => {
	const batches: string[][] = [];
	let release: () => void = () => {};
	const batcher = new SendBatcher(
		async batch => {
			batches.push([...batch.values()].flat().map(m => m.key));
			await new Promise<void>(resolve => {
				release = resolve;
			});
		},
		{maxInFlight: 1},
	);
	const first = ['a', 'b', 'c'].map(async key => batcher.enqueue('t', message(key)));
	await new Promise(resolve => setImmediate(resolve));
	const second = ['d', 'e'].map(async key => batcher.enqueue('t', message(key)));
	await new Promise(resolve => setImmediate(resolve));
	assert.deepEqual(batches, [['a', 'b', 'c']]);
	release();
	await Promise.all(first);
	await new Promise(resolve => setImmediate(resolve));
	assert.deepEqual(batches, [['a', 'b', 'c'], ['d', 'e']]);
	release();
	await Promise.all(second);
});

test('a failed batch rejects each of its messages and nothing else', async () => {
	let fail = true;
	const batcher = new SendBatcher(async () => {
		if (fail) {
			fail = false;
			throw new Error('broker gone');
		}
	});
	const doomed = batcher.enqueue('t', message('x'));
	await assert.rejects(doomed, /broker gone/);
	await batcher.enqueue('t', message('y'));
});

test('post: travels with the sends of its turn; only a failed batch calls onFailure, once per message', async () => {
	const batches: string[][] = [];
	let fail = false;
	const batcher = new SendBatcher(async batch => {
		batches.push([...batch.values()].flat().map(m => m.key));
		if (fail) {
			throw new Error('broker gone');
		}
	});
	const failures: string[] = [];
	batcher.post('t', message('a'), error => failures.push(`a: ${String(error)}`));
	const sent = batcher.enqueue('t', message('b'));
	await sent;
	assert.deepEqual(batches, [['a', 'b']]);
	assert.equal(failures.length, 0);
	fail = true;
	batcher.post('t', message('c'), error => failures.push(`c: ${String(error)}`));
	batcher.post('t', message('d'), error => failures.push(`d: ${String(error)}`));
	await new Promise(resolve => setImmediate(resolve));
	await new Promise(resolve => setImmediate(resolve));
	assert.deepEqual(failures, ['c: Error: broker gone', 'd: Error: broker gone']);
	const queued: string[] = [];
	batcher.post('t', message('e'), error => queued.push(String(error)));
	batcher.rejectQueued(new Error('closed'));
	assert.deepEqual(queued, ['Error: closed']);
});

test('messages to several topics in one turn are grouped by topic', async () => {
	const seen: Array<[string, string[]]> = [];
	const batcher = new SendBatcher(async batch => {
		for (const [topic, messages] of batch) {
			seen.push([topic, messages.map(m => m.key)]);
		}
	});
	await Promise.all([batcher.enqueue('a', message('1')), batcher.enqueue('b', message('2')), batcher.enqueue('a', message('3'))]);
	assert.deepEqual(seen, [['a', ['1', '3']], ['b', ['2']]]);
});

test('rejectQueued fails what has not been handed to Kafka yet', async () => {
	const batcher = new SendBatcher(async () => {});
	const queued = batcher.enqueue('t', message('q'));
	batcher.rejectQueued(new Error('closed'));
	await assert.rejects(queued, /closed/);
});

test('a batch stays under the byte limit: big messages travel in separate requests', async () => {
	const batches: number[][] = [];
	const batcher = new SendBatcher(async batch => {
		batches.push([...batch.values()].flat().map(m => m.value.length));
	}, {maxBatchBytes: 1000, maxInFlight: 1});
	const big = (n: number): OutgoingMessage => ({key: String(n), value: Buffer.alloc(600)});
	await Promise.all([batcher.enqueue('t', big(1)), batcher.enqueue('t', big(2)), batcher.enqueue('t', message('s')), batcher.enqueue('t', {key: 'huge', value: Buffer.alloc(5000)})]);
	assert.deepEqual(batches, [[600], [600, 1], [5000]]);
});
