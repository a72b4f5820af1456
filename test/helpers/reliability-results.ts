/**
 * The results of reliability runs, apart from the machinery that produces them (no Kafka here):
 * where a run keeps its rows (outside the tracked tree), what makes a run complete and clean, and
 * the pages `npm run reliability:publish` writes.
 */
import {execFileSync} from 'node:child_process';
import {mkdirSync, readdirSync, readFileSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {scenarios, tableFile} from '../reliability/scenarios.js';

export type Scale = 'ci' | 'full';
/** `MLBRIDGE_RELIABILITY_SCALE`: `ci` (default, bounded) or `full` (the issue's numbers). */
export const scale: Scale = process.env['MLBRIDGE_RELIABILITY_SCALE'] === 'full' ? 'full' : 'ci';

export const reliabilityDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'reliability');

function log(message: string): void {
	process.stdout.write(`[reliability] ${message}\n`);
}

export type ResultRow = {
	scenario: string;
	calls: number;
	lost: number;
	/** Calls resolved with another call's result (pipelines return their call's tag). */
	wrong: number;
	duplicates: number;
	failed: number;
	seconds: number;
	notes: string;
	passed: boolean;
};

/** A row as stored: when, at what scale and on which commit it was measured. */
export type StoredRow = ResultRow & {scale: Scale; at: string; commit: string};

const repoRoot = path.join(reliabilityDir, '..', '..');

/** The commit checked out (short hash), `+dirty` when the tracked tree has changes. */
export function currentCommit(): string {
	try {
		const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {cwd: repoRoot, encoding: 'utf8'}).trim();
		const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {cwd: repoRoot, encoding: 'utf8'}).trim() !== '';
		return dirty ? `${head}+dirty` : head;
	} catch {
		return 'unknown';
	}
}

/** When process `pid` started (clock ticks since boot, Linux), or '' where that cannot be read. */
function processStart(pid: number): string {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '';
	} catch {
		return '';
	}
}

/** Where the rows of runs are kept: outside the tracked tree. */
export const runsRoot = path.join(os.tmpdir(), 'mlbridge-reliability', 'runs');

/**
 * This run's results directory: `MLBRIDGE_RELIABILITY_RUN_DIR` if set, else one per `node --test`
 * process (every test file of one invocation is its child, so they share it; its start time tells
 * it from an earlier process with the same pid).
 */
export const runDir = process.env['MLBRIDGE_RELIABILITY_RUN_DIR']
	?? path.join(runsRoot, `run-${process.ppid}${processStart(process.ppid) === '' ? '' : `-${processStart(process.ppid)}`}`);

export function loadRun(dir: string = runDir): StoredRow[] {
	try {
		return JSON.parse(readFileSync(path.join(dir, 'results.json'), 'utf8')) as StoredRow[];
	} catch {
		return [];
	}
}

export function renderTable(rows: readonly StoredRow[]): string {
	const lines = [
		'| scenario | calls | lost | wrong | duplicates | failed | time | result | notes |',
		'|---|---:|---:|---:|---:|---:|---:|---|---|',
		...rows.map(r => `| ${r.scenario} | ${r.calls} | ${r.lost} | ${r.wrong} | ${r.duplicates} | ${r.failed} | ${r.seconds.toFixed(1)} s | ${r.passed ? 'pass' : 'FAIL'} | ${r.notes} |`),
	];
	return lines.join('\n');
}

/** The Markdown page of a set of rows (a run's `results.md`, or the published one). */
export function renderPage(rows: readonly StoredRow[], intro: string): string {
	const scales = [...new Set(rows.map(r => r.scale))].join(', ');
	return '# Reliability results\n\n' +
		`${intro} Scale: ${scales} (\`MLBRIDGE_RELIABILITY_SCALE\`). \`wrong\` counts calls resolved with another call's result; \`failed\` counts calls that rejected, whatever the error; ` +
		'`duplicates` counts executions beyond the first, from the fixture\'s execution log.\n\n' +
		renderTable(rows) +
		'\n\n' +
		rows.map(r => `- ${r.scenario}: ${r.at}, ${r.scale}, commit ${r.commit}`).join('\n') +
		'\n';
}

/** Store one scenario's row in this run's directory (replacing a row of the same scenario). */
export function recordResult(row: ResultRow): void {
	mkdirSync(runDir, {recursive: true});
	const rows = loadRun().filter(r => r.scenario !== row.scenario);
	rows.push({...row, scale, at: new Date().toISOString(), commit: currentCommit()});
	rows.sort((a, b) => a.scenario.localeCompare(b.scenario, 'en', {numeric: true}));
	writeFileSync(path.join(runDir, 'results.json'), JSON.stringify(rows, null, '\t') + '\n');
	writeFileSync(
		path.join(runDir, 'results.md'),
		renderPage(rows, 'Rows of one run of `npm run test:reliability`; `npm run reliability:publish` copies a complete run to test/reliability/.'),
	);
	log(`result: ${JSON.stringify(row)}`);
	log(`results of this run: ${path.join(runDir, 'results.md')}`);
}

/**
 * What is wrong with a run's rows: a scenario of `scenarios.ts` without a row, a row that lost or
 * misdelivered a call or failed, a row of no known scenario, a test file not in `scenarios.ts`.
 * Empty: the run is complete and clean.
 */
export function problemsOf(rows: readonly StoredRow[]): string[] {
	const problems: string[] = [];
	const known = new Set(scenarios.map(s => s.scenario));
	for (const {file, scenario} of scenarios) {
		const row = rows.find(r => r.scenario === scenario);
		if (row === undefined) {
			problems.push(`${scenario} (${file}): no row in this run`);
			continue;
		}

		if (row.lost !== 0) {
			problems.push(`${scenario}: ${row.lost} lost`);
		}

		if (row.wrong !== 0) {
			problems.push(`${scenario}: ${row.wrong} resolved with another call's result`);
		}

		if (!row.passed) {
			problems.push(`${scenario}: FAIL (${row.notes})`);
		}
	}

	for (const row of rows) {
		if (!known.has(row.scenario)) {
			problems.push(`${row.scenario}: a row of no scenario listed in test/reliability/scenarios.ts`);
		}
	}

	const listed = new Set([...scenarios.map(s => s.file), tableFile]);
	for (const file of readdirSync(reliabilityDir).filter(f => f.endsWith('.test.ts'))) {
		if (!listed.has(file)) {
			problems.push(`${file}: not listed in test/reliability/scenarios.ts`);
		}
	}

	return problems;
}
