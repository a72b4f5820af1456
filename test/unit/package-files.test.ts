/**
 * What the npm tarball carries (`npm pack --dry-run --json`): the runtime Python package, never the
 * project's developer tooling (python-runner/mlbridge_devtools), the Python tests or the benchmarks.
 * The wheel's list is checked by python-runner/tests/unit/test_distribution.py.
 */
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {execa} from 'execa';

test('the npm tarball holds the runner package and none of the developer tooling', {timeout: 120_000}, async () => {
	// --ignore-scripts: the list comes from package.json's `files`; no build needed to read it.
	const {stdout} = await execa('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {cwd: process.cwd()});
	const [packed] = JSON.parse(stdout) as Array<{files: Array<{path: string}>}>;
	const files = packed!.files.map(file => file.path);
	for (const file of [
		'python-runner/pyproject.toml',
		'python-runner/setup.py',
		'python-runner/mlbridge_runner/__main__.py',
		'python-runner/mlbridge_runner/loading.py',
		'python-runner/mlbridge_runner/runner/loop.py',
		'python-runner/mlbridge_runner/schemas/reply.avsc',
		'schemas/error-codes.json',
		'schemas/versions/index.json',
		'python-runner/mlbridge_runner/schemas/versions/index.json',
		'python-runner/mlbridge_runner/schemas/versions/request-v0.avsc',
	]) {
		assert.ok(files.includes(file), `${file} missing from the tarball`);
	}

	const unwanted = files.filter(file =>
		/^python-runner\/(mlbridge_devtools|tests|build)\//.test(file)
		|| file.includes('/tools/')
		|| file.includes('__pycache__')
		|| file.endsWith('.pyc')
		|| file.endsWith('.so')
		|| /^(bench|test)\//.test(file));
	assert.deepEqual(unwanted, []);
	assert.ok(files.some(file => file.startsWith('python-runner/mlbridge_runner/codec/')), 'the runner package is there');
});
