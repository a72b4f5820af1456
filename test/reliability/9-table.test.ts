/** Prints the reliability table that the scenarios wrote to test/reliability/results.md. */
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {printTable} from '../helpers/reliability.js';

test('reliability table (test/reliability/results.md)', () => {
	const table = printTable();
	assert.match(table, /\| scenario \|/);
});
