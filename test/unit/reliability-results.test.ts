/** The check that ends every reliability run (test/reliability/9-table.test.ts), on made-up rows. */
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {problemsOf, type StoredRow} from '../helpers/reliability-results.js';
import {scenarios} from '../reliability/scenarios.js';

function clean(): StoredRow[] {
	return scenarios.map(({scenario}) => ({
		scenario, calls: 100, lost: 0, wrong: 0, duplicates: 3, failed: 0, seconds: 1, notes: '', passed: true,
		scale: 'ci', at: '2026-12-04T00:00:00.000Z', commit: 'abc1234',
	}));
}

test('a run with a clean row for every scenario passes', () => {
	assert.deepEqual(problemsOf(clean()), []);
});

test('a run without a scenario\'s row fails, naming it', () => {
	const rows = clean().slice(1);
	assert.deepEqual(problemsOf(rows), [`${scenarios[0]!.scenario} (${scenarios[0]!.file}): no row in this run`]);
});

test('no run at all fails for every scenario', () => {
	assert.equal(problemsOf([]).length, scenarios.length);
});

test('a lost call, a wrong result or a failed scenario fails the run', () => {
	const rows = clean();
	rows[0] = {...rows[0]!, lost: 2};
	rows[1] = {...rows[1]!, wrong: 1};
	rows[2] = {...rows[2]!, passed: false, notes: 'lag 3'};
	assert.deepEqual(problemsOf(rows), [
		`${rows[0].scenario}: 2 lost`,
		`${rows[1].scenario}: 1 resolved with another call's result`,
		`${rows[2].scenario}: FAIL (lag 3)`,
	]);
});

test('a row of an unlisted scenario is reported', () => {
	const rows = [...clean(), {...clean()[0]!, scenario: '8 something new'}];
	assert.deepEqual(problemsOf(rows), ['8 something new: a row of no scenario listed in test/reliability/scenarios.ts']);
});
