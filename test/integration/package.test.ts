import assert from 'node:assert/strict';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {createInterface} from 'node:readline';
import {after, before, describe, test} from 'node:test';
import {execa} from 'execa';
import {findPython} from '../../src/runner/find-python.js';
import {brokers, uniqueName} from '../helpers/harness.js';

const repoRoot = process.cwd();

describe('the npm package, installed into an empty folder', {timeout: 300_000}, () => {
	let workDir: string;
	let tarball: string;
	before(async () => {
		workDir = mkdtempSync(path.join(os.tmpdir(), 'mlbridge-pack-'));
		const packed = await execa('npm', ['pack', '--silent', '--pack-destination', workDir], {cwd: repoRoot});
		tarball = path.join(workDir, packed.stdout.trim().split('\n').at(-1) ?? '');
		const app = path.join(workDir, 'app');
		await execa('mkdir', ['-p', app]);
		writeFileSync(path.join(app, 'package.json'), JSON.stringify({name: 'app', private: true, type: 'module'}));
		await execa('npm', ['install', '--silent', '--no-audit', '--no-fund', tarball], {cwd: app});
	});
	after(() => {
		rmSync(workDir, {recursive: true, force: true});
	});

	test('the tarball holds the built library, the CLI, the schemas and the Python runner', async () => {
		const {stdout} = await execa('tar', ['-tzf', tarball]);
		const files = new Set(stdout.split('\n'));
		for (const file of [
			'package/dist/src/index.js',
			'package/dist/src/index.d.ts',
			'package/dist/src/cli/main.js',
			'package/schemas/request.avsc',
			'package/schemas/reply.avsc',
			'package/schemas/value.avsc',
			'package/python-runner/pyproject.toml',
			'package/python-runner/setup.py', // builds the optional C codec at install
			'package/python-runner/mlbridge_runner/codec/_envelope_accel.c',
			'package/python-runner/mlbridge_runner/__main__.py',
		]) {
			assert.ok(files.has(file), `${file} missing from the tarball`);
		}

		assert.ok(![...files].some(file => file.includes('__pycache__') || file.startsWith('package/test/')));
		assert.ok(![...files].some(file => file.endsWith('.so')), 'a locally built extension (platform-specific) was packed');
	});

	test('npx mlbridge runner serves a 10-line script that calls invoke', async () => {
		const app = path.join(workDir, 'app');
		const requestTopic = uniqueName('package');
		writeFileSync(
			path.join(app, 'pipelines.py'),
			'from mlbridge_runner import pipeline\n\n@pipeline("greet")\ndef greet(name: str) -> str:\n    return f"hello {name}"\n',
		);
		writeFileSync(
			path.join(app, 'main.mjs'),
			[
				"import {PipelineClient} from 'mlbridge';",
				'const brokers = process.env.KAFKA_BROKERS.split(",");',
				'const requestTopic = process.env.MLBRIDGE_REQUEST_TOPIC;',
				'const client = await PipelineClient.connect({brokers, requestTopic});',
				'try {',
				"  console.log(JSON.stringify(await client.invoke('greet', {name: 'package'})));",
				'} finally {',
				'  await client.close();',
				'}',
			].join('\n'),
		);
		const env = {KAFKA_BROKERS: brokers.join(','), MLBRIDGE_REQUEST_TOPIC: requestTopic, MLBRIDGE_PYTHON: findPython({}, repoRoot).python};
		// Its own process group, so the test can stop npx, the CLI and Python together.
		const runner = execa('npx', ['mlbridge', 'runner', '--pipelines', './pipelines.py', '--group', `${requestTopic}.runners`], {
			cwd: app,
			env,
			reject: false,
			detached: true,
			stdin: 'ignore',
			stdout: 'ignore',
			stderr: 'pipe',
			buffer: false,
		});
		const log: string[] = [];
		const assigned = new Promise<void>((resolve, reject) => {
			createInterface({input: runner.stderr!}).on('line', line => {
				log.push(line);
				if (line.includes('"runner.assigned"')) {
					resolve();
				}
			});
			void runner.then(result => reject(new Error(`runner exited early (${String(result.exitCode)}):\n${log.join('\n')}`)));
		});
		try {
			await assigned;
			const script = await execa('node', ['main.mjs'], {cwd: app, env, timeout: 60_000});
			assert.equal(script.stdout.trim(), '"hello package"');
		} finally {
			process.kill(-runner.pid!, 'SIGTERM');
			const result = await runner;
			assert.ok(log.some(line => line.includes('"runner.stopped"')), `runner did not stop cleanly:\n${log.join('\n')}`);
			assert.ok(result.exitCode === 0 || result.signal === 'SIGTERM', `runner exit ${String(result.exitCode)} ${String(result.signal)}`);
		}
	});
});
