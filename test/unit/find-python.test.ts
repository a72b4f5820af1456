import assert from 'node:assert/strict';
import {chmodSync, mkdtempSync, mkdirSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {test} from 'node:test';
import {execa} from 'execa';
import {checkPython, findPython} from '../../src/runner/find-python.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'mlbridge-python-'));

/** A stand-in "python" that answers the dependency probe as a Python without the runner's deps would. */
function fakePython(missing: string): string {
	const file = path.join(dir, `python-missing-${missing.replaceAll(',', '-') || 'none'}`);
	writeFileSync(file, `#!/bin/sh\necho 3.11.9\necho "${missing}"\n`);
	chmodSync(file, 0o755);
	return file;
}

test('MLBRIDGE_PYTHON wins, then ./.venv, then python3', () => {
	assert.deepEqual(findPython({MLBRIDGE_PYTHON: '/opt/py/bin/python'}, dir), {python: '/opt/py/bin/python', source: 'MLBRIDGE_PYTHON'});
	const project = mkdtempSync(path.join(dir, 'project-'));
	mkdirSync(path.join(project, '.venv', 'bin'), {recursive: true});
	writeFileSync(path.join(project, '.venv', 'bin', 'python'), '');
	assert.equal(findPython({}, project).python, path.join(project, '.venv', 'bin', 'python'));
});

test('missing dependencies are named, with how to install them', async () => {
	const check = await checkPython({python: fakePython('confluent_kafka,fastavro'), source: 'test'});
	assert.equal(check.ok, false);
	assert.match(check.ok ? '' : check.problem, /lacks the runner's dependencies: confluent_kafka,fastavro/);
	assert.match(check.ok ? '' : check.problem, /npx mlbridge setup-python/);
	assert.deepEqual(await checkPython({python: fakePython(''), source: 'test'}), {ok: true, version: '3.11.9'});
});

test('a Python that does not exist is reported as such', async () => {
	const check = await checkPython({python: path.join(dir, 'no-such-python'), source: 'MLBRIDGE_PYTHON'});
	assert.equal(check.ok, false);
	assert.match(check.ok ? '' : check.problem, /Cannot run Python at .*no-such-python \(from MLBRIDGE_PYTHON\)/);
});

test('`mlbridge runner` exits 3 with that message instead of a Python traceback', async () => {
	const result = await execa('node', ['--import', 'tsx', 'src/cli/main.ts', 'runner', '--pipelines', 'x.py'], {
		env: {MLBRIDGE_PYTHON: fakePython('fastavro')},
		reject: false,
	});
	assert.equal(result.exitCode, 3);
	assert.match(result.stderr, /^mlbridge: .*lacks the runner's dependencies: fastavro/);
});

test('unknown commands exit 2 with the usage', async () => {
	const result = await execa('node', ['--import', 'tsx', 'src/cli/main.ts', 'frobnicate'], {reject: false});
	assert.equal(result.exitCode, 2);
	assert.match(result.stderr, /unknown command "frobnicate"[\s\S]*Usage: mlbridge/);
});
