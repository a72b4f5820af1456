/**
 * npm run reliability:publish [-- <run dir>] [--partial]
 *
 * Publishes one run of `npm run test:reliability` (its rows are in `$TMPDIR/mlbridge-reliability/
 * runs/run-*` or `MLBRIDGE_RELIABILITY_RUN_DIR`; default: the latest run there) as a dated
 * artefact, `test/reliability/runs/<date>-<time>-<scale>-<commit>.json`, and — for a complete run —
 * as the table in `test/reliability/results.{md,json}`. Runs never touch the tracked tree; this is
 * the one deliberate step that does. Refused: a row that lost a call, answered one with another
 * call's result or failed. `--partial`: a run of some scenarios only (e.g. two scenarios at
 * `full` scale) gets its dated artefact but does not replace the table.
 */
import {existsSync, mkdirSync, readdirSync, statSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {loadRun, problemsOf, reliabilityDir, renderPage, runsRoot, type StoredRow} from '../test/helpers/reliability-results.js';

function fail(message: string): never {
	process.stderr.write(`reliability:publish: ${message}\n`);
	process.exit(1);
}

function latestRun(): string {
	const runs = existsSync(runsRoot)
		? readdirSync(runsRoot)
			.map(name => path.join(runsRoot, name, 'results.json'))
			.filter(file => existsSync(file))
			.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)
		: [];
	if (runs.length === 0) {
		fail(`no run under ${runsRoot}; run npm run test:reliability first, or name a run directory`);
	}

	return path.dirname(runs[0]!);
}

const args = process.argv.slice(2);
const partial = args.includes('--partial');
const dir = args.find(a => !a.startsWith('--')) ?? latestRun();
const rows: StoredRow[] = loadRun(dir);
if (rows.length === 0) {
	fail(`no rows in ${path.join(dir, 'results.json')}`);
}

const problems = problemsOf(rows);
const missing = problems.filter(p => p.endsWith(': no row in this run'));
const bad = problems.filter(p => !missing.includes(p));
if (bad.length > 0 || (missing.length > 0 && !partial)) {
	fail(`not published, ${dir}:\n  ${problems.join('\n  ')}${missing.length > 0 && bad.length === 0 ? '\n(a run of some scenarios only: --partial)' : ''}`);
}

const last = rows.map(r => r.at).sort().at(-1)!;
const scales = [...new Set(rows.map(r => r.scale))].join('+');
const commits = [...new Set(rows.map(r => r.commit))].join('+');
const name = `${last.slice(0, 10)}-${last.slice(11, 16).replace(':', '')}-${scales}-${commits}.json`;
const runsDir = path.join(reliabilityDir, 'runs');
mkdirSync(runsDir, {recursive: true});
const artefact = path.join(runsDir, name);
writeFileSync(artefact, JSON.stringify({date: last, scale: scales, commit: commits, complete: missing.length === 0, rows}, null, '\t') + '\n');
process.stdout.write(`reliability:publish: ${path.relative(process.cwd(), artefact)}\n`);
if (missing.length === 0) {
	writeFileSync(path.join(reliabilityDir, 'results.json'), JSON.stringify(rows, null, '\t') + '\n');
	writeFileSync(
		path.join(reliabilityDir, 'results.md'),
		renderPage(rows, `Published by \`npm run reliability:publish\` from one run of \`npm run test:reliability\` (artefact: [\`runs/${name}\`](runs/${name})).`),
	);
	process.stdout.write('reliability:publish: test/reliability/results.{md,json}\n');
}
