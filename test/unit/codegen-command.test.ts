/**
 * `mlbridge codegen` without Python or a broker: the command line, the entries JSON the runner
 * prints, and choosing entries. The paths through Python and Kafka are in
 * test/integration/codegen.test.ts.
 */
import assert from 'node:assert/strict';
import {mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {Writable} from 'node:stream';
import {after, describe, test} from 'node:test';
import {runCodegenCommand} from '../../src/cli/codegen-command.js';
import {newestPerName, parseEntriesJson, selectEntries, type CodegenEntry} from '../../src/codegen/codegen-entry.js';
import {NoPipelinesError, PipelinesLoadError} from '../../src/codegen/codegen-errors.js';

async function run(args: string[]): Promise<{code: number; stdout: string; stderr: string}> {
	let stdout = '';
	let stderr = '';
	const sink = (append: (text: string) => void): Writable =>
		new Writable({
			write(chunk: Buffer, _encoding, done) {
				append(chunk.toString());
				done();
			},
		});
	const code = await runCodegenCommand(args, {stdout: sink(t => (stdout += t)), stderr: sink(t => (stderr += t))}, {});
	return {code, stdout, stderr};
}

describe('mlbridge codegen: the command line', () => {
	const cases: Array<[string, string[], RegExp]> = [
		['no --out', ['--pipelines', 'p.py'], /--out FILE is required/],
		['an empty --out', ['--out', '', '--pipelines', 'p.py'], /--out FILE is required/],
		['no source', ['--out', 'x.ts'], /give a source: --pipelines FILE_OR_MODULE or --brokers LIST/],
		['both sources', ['--out', 'x.ts', '--pipelines', 'p.py', '--brokers', 'b:9092'], /give one source, not both/],
		['an unknown flag', ['--out', 'x.ts', '--pipeline', 'p.py'], /Unknown option '--pipeline'/],
		['a stray positional', ['x.ts'], /Unexpected argument 'x\.ts'/],
		['--catalog-topic without --brokers', ['--out', 'x.ts', '--pipelines', 'p.py', '--catalog-topic', 't'], /--catalog-topic goes with --brokers/],
		['an empty --brokers', ['--out', 'x.ts', '--brokers', ' , '], /--brokers needs host:port/],
		['an empty --pipelines', ['--out', 'x.ts', '--pipelines', 'p.py', '--pipelines', ''], /--pipelines needs a file or module name/],
		['an empty --only', ['--out', 'x.ts', '--pipelines', 'p.py', '--only', ','], /--only needs pipeline names/],
		['a flag without its value', ['--out'], /argument missing|requires an argument|--out/],
	];
	for (const [what, args, message] of cases) {
		test(`${what}: exit 2 with the reason and the usage`, async () => {
			const {code, stderr, stdout} = await run(args);
			assert.equal(code, 2);
			assert.match(stderr, message);
			assert.match(stderr, /Usage: mlbridge codegen --out FILE/);
			assert.equal(stdout, '');
		});
	}

	test('--help prints the usage and exits 0', async () => {
		const {code, stdout} = await run(['--help']);
		assert.equal(code, 0);
		assert.match(stdout, /Usage: mlbridge codegen --out FILE \(--pipelines FILE_OR_MODULE \| --brokers LIST\)/);
		assert.match(stdout, /Exit codes:/);
	});

	test('a pipelines file that does not exist: exit 4 before any Python runs', async () => {
		const dir = mkdtempSync(path.join(os.tmpdir(), 'mlbridge-codegen-'));
		after(() => {
			rmSync(dir, {recursive: true, force: true});
		});
		const out = path.join(dir, 'out.ts');
		const {code, stderr} = await run(['--out', out, '--pipelines', path.join(dir, 'missing.py')]);
		assert.equal(code, 4);
		assert.match(stderr, /Pipelines file .*missing\.py does not exist/);
	});
});

const entry = (name: string, version = 1, typed = true): CodegenEntry => ({
	name,
	version,
	doc: '',
	typed,
	argsSchema: typed ? '{"type":"record","name":"Args","fields":[]}' : '',
	resultSchema: typed ? '"long"' : '',
});

describe('entries printed by the runner', () => {
	test('an array of catalogue entries; SCHEMA entries and extra fields are left out', () => {
		const json = JSON.stringify([
			{key: 'pipeline/add/1', kind: 'PIPELINE', ...entry('add'), argsRef: 'crc64:00', runner: '', timeoutMs: null},
			{key: 'schema/crc64:00', kind: 'SCHEMA', name: 'crc64:00', argsSchema: '"long"'},
			{kind: 'PIPELINE', name: 'legacy', version: 2, typed: false},
		]);
		assert.deepEqual(parseEntriesJson(json, 'p.py'), [entry('add'), {...entry('legacy', 2, false), doc: ''}]);
		assert.deepEqual(parseEntriesJson(JSON.stringify({entries: [entry('add')]}), 'p.py'), [entry('add')]);
	});

	const bad: Array<[string, string, RegExp]> = [
		['not JSON', 'Traceback (most recent call last):', /is not JSON: "Traceback/],
		['empty output', '', /is not JSON: \(empty output\)/],
		['not a list', '{"name": "add"}', /is not a list of entries/],
		['an entry that is not an object', '[1]', /entry 0 is not an object/],
		['an entry without a name', '[{"version": 1, "typed": false}]', /entry 0: "name" is missing/],
		['a version that is not an integer', '[{"name": "a", "version": "1", "typed": false}]', /entry 0: "version" is "1"/],
		['typed without a schema', '[{"name": "a", "version": 1, "typed": true, "argsSchema": "{}"}]', /typed pipeline a has no resultSchema/],
	];
	for (const [what, stdout, message] of bad) {
		test(`${what}: PipelinesLoadError`, () => {
			assert.throws(
				() => parseEntriesJson(stdout, 'p.py'),
				(error: unknown) => error instanceof PipelinesLoadError && error.exitCode === 4 && error.pipelines === 'p.py' && message.test(error.message),
			);
		});
	}
});

describe('choosing entries', () => {
	test('the newest version of each pipeline', () => {
		const chosen = newestPerName([entry('a', 1), entry('b', 3), entry('a', 4), entry('a', 2), entry('b', 1)]);
		assert.deepEqual(chosen.map(e => `${e.name}@${e.version}`).sort(), ['a@4', 'b@3']);
	});

	test('--only keeps the named ones; a name matching nothing is an error listing the known ones', () => {
		const all = [entry('a'), entry('b'), entry('c')];
		assert.deepEqual(selectEntries(all, ['c', 'a']).map(e => e.name), ['a', 'c']);
		assert.deepEqual(selectEntries(all, undefined), all);
		assert.throws(
			() => selectEntries(all, ['a', 'zz']),
			(error: unknown) => error instanceof NoPipelinesError && error.exitCode === 5 && /--only names "zz", not found; known pipelines: a, b, c/.test(error.message),
		);
	});
});
