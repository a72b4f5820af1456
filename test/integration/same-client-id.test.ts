/**
 * Two instances with the same clientId (a service's pods, configured alike): each gets its own
 * results, closing one does not break the other, close() returns promptly. The clientId is the
 * readable start of a reply topic each instance has to itself.
 */
import assert from 'node:assert/strict';
import {createInterface} from 'node:readline';
import {after, before, describe, test} from 'node:test';
import {execa, type ResultPromise} from 'execa';
import {createStack, uniqueName, type Stack} from '../helpers/harness.js';

type Instance = {child: ResultPromise; next: () => Promise<Record<string, unknown>>; send: (line: string) => void};

function spawnInstance(stack: Stack, clientId: string, tag: string): Instance {
	const child = execa('node', ['--import', 'tsx', 'test/fixtures/same-client-id-process.ts', stack.requestTopic, stack.catalogTopic, clientId, tag], {
		stdin: 'pipe',
		stdout: 'pipe',
		stderr: 'inherit',
		buffer: false,
		timeout: 120_000,
	});
	const lines = createInterface({input: child.stdout!})[Symbol.asyncIterator]();
	return {
		child,
		async next() {
			const {value, done} = await lines.next();
			assert.ok(!done, `${tag} ended before answering`);
			return JSON.parse(String(value)) as Record<string, unknown>;
		},
		send(line) {
			child.stdin!.write(`${line}\n`);
		},
	};
}

describe('two instances with the same clientId', () => {
	let stack: Stack;
	before(async () => {
		stack = await createStack('sameid');
	});
	after(async () => {
		await stack.close();
	});

	test('two processes: each gets its own results; closing one leaves the other working; close() is prompt', {timeout: 180_000}, async () => {
		const clientId = uniqueName('api3'); // what both pods read from configuration
		const [a, b] = [spawnInstance(stack, clientId, 'a'), spawnInstance(stack, clientId, 'b')];
		try {
			const [readyA, readyB] = await Promise.all([a.next(), b.next()]);
			assert.equal(readyA['ready'], true);
			assert.equal(readyB['ready'], true);
			assert.notEqual(readyA['replyTopic'], readyB['replyTopic']);
			for (const ready of [readyA, readyB]) {
				assert.match(String(ready['replyTopic']), new RegExp(`^ml\\.pipeline\\.reply\\.${clientId.replaceAll('.', '\\.')}-[\\da-f]{8}$`));
			}

			a.send('run 20');
			b.send('run 20');
			assert.deepEqual(await Promise.all([a.next(), b.next()]), [
				{ok: 20, foreign: 0, errors: []},
				{ok: 20, foreign: 0, errors: []},
			]);

			a.send('close');
			const closedA = await a.next();
			assert.ok(Number(closedA['closedMs']) < 10_000, `close() took ${String(closedA['closedMs'])} ms`);
			assert.equal((await a.child).exitCode, 0);

			b.send('run 10'); // its reply topic and group were untouched by a's close()
			assert.deepEqual(await b.next(), {ok: 10, foreign: 0, errors: []});
			b.send('close');
			const closedB = await b.next();
			assert.ok(Number(closedB['closedMs']) < 10_000, `close() took ${String(closedB['closedMs'])} ms`);
			assert.equal((await b.child).exitCode, 0);
		} finally {
			a.child.kill();
			b.child.kill();
		}
	});

	test('two clients in one process with the same clientId: both answer, both close promptly', {timeout: 120_000}, async () => {
		const clientId = uniqueName('api3');
		const first = await stack.connect({clientId});
		const second = await stack.connect({clientId});
		assert.equal(first.clientId, second.clientId);
		assert.notEqual(first.replyTopic, second.replyTopic);
		const results = await Promise.all(Array.from({length: 10}, async (_, n) => [
			await first.invoke('tagged', {tag: 'first', n}),
			await second.invoke('tagged', {tag: 'second', n}),
		]));
		for (const [n, [one, two]] of results.entries()) {
			assert.deepEqual([(one as {tag: string; n: number}).tag, (one as {n: number}).n], ['first', n]);
			assert.deepEqual([(two as {tag: string; n: number}).tag, (two as {n: number}).n], ['second', n]);
		}

		const started = Date.now();
		await Promise.all([first.close(), second.close()]);
		assert.ok(Date.now() - started < 10_000, `close() took ${Date.now() - started} ms`);
	});
});
