import assert from 'node:assert/strict';
import test from 'node:test';
import {TailPositions} from '../../src/transport/tail-positions.js';

test('reached once every partition was read to its end offset; batch ends count, not records', () => {
	const positions = new TailPositions();
	const ends = new Map([[0, 5n], [2, 1n]]);
	assert.equal(positions.reached(ends), false);
	positions.advance(0, 4n);
	assert.equal(positions.reached(ends), false, 'partition 2 not read yet');
	positions.advance(2, 0n);
	assert.equal(positions.reached(ends), true);
	positions.advance(0, 1n);
	assert.equal(positions.reached(ends), true, 'an older batch never moves a position back');
	assert.equal(positions.reached(new Map()), true, 'an empty topic is read at once');
});

test('waitFor resolves true when the tail gets there, false after its timeout', async () => {
	const positions = new TailPositions();
	const waiting = positions.waitFor(new Map([[1, 10n]]), 5000);
	positions.advance(1, 8n);
	positions.advance(1, 9n);
	assert.equal(await waiting, true);
	const started = Date.now();
	assert.equal(await positions.waitFor(new Map([[3, 1n]]), 30), false);
	assert.ok(Date.now() - started >= 25);
});
