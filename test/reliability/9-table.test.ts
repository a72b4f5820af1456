/**
 * Checks the rows that the scenarios of *this* run wrote (in `runDir`, outside the tracked tree):
 * every scenario of scenarios.ts present, none lost a call or answered one with another call's
 * result, all passed. Prints the run's table. Runs last: see scenarios.ts.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import {test} from 'node:test';
import {loadRun, problemsOf, renderTable, runDir} from '../helpers/reliability-results.js';

test('reliability table: every scenario of this run present, 0 lost, 0 wrong, passed', () => {
	const rows = loadRun();
	process.stdout.write(`\n${renderTable(rows)}\n\nthis run: ${path.join(runDir, 'results.md')}\n`
		+ '(npm run reliability:publish copies a complete run to test/reliability/results.md)\n\n');
	assert.deepEqual(problemsOf(rows), [], `the rows of this run (${runDir})`);
});
