import {existsSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {execa} from 'execa';
import {packageRoot} from './package-paths.js';

/** Where `mlbridge setup-python` puts its virtual environment unless told otherwise. */
export const defaultVenvDir: string = path.join(
	process.env['XDG_CACHE_HOME'] ?? path.join(os.homedir(), '.cache'),
	'mlbridge',
	'venv',
);

export type PythonChoice = {readonly python: string; readonly source: string};

/**
 * The Python that runs the runner: `MLBRIDGE_PYTHON`, else a project venv (`./.venv`, the package's
 * own `.venv`, the `setup-python` venv), else `python3` on PATH.
 */
export function findPython(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): PythonChoice {
	const explicit = env['MLBRIDGE_PYTHON'];
	if (explicit !== undefined && explicit !== '') {
		return {python: explicit, source: 'MLBRIDGE_PYTHON'};
	}

	for (const venv of [path.join(cwd, '.venv'), path.join(packageRoot, '.venv'), defaultVenvDir]) {
		const candidate = path.join(venv, 'bin', 'python');
		if (existsSync(candidate)) {
			return {python: candidate, source: venv};
		}
	}

	return {python: 'python3', source: 'PATH'};
}

export type PythonCheck =
	| {readonly ok: true; readonly version: string}
	| {readonly ok: false; readonly problem: string};

const probe = `
import importlib.util, sys
missing = [m for m in ("confluent_kafka", "fastavro") if importlib.util.find_spec(m) is None]
print(sys.version.split()[0])
print(",".join(missing))
`;

/** Check that `python` runs and has the runner's dependencies; say exactly what is missing if not. */
export async function checkPython(choice: PythonChoice): Promise<PythonCheck> {
	const result = await execa(choice.python, ['-c', probe], {reject: false, timeout: 30_000});
	if (result.failed && result.exitCode === undefined) {
		return {ok: false, problem: `Cannot run Python at ${choice.python} (from ${choice.source}): ${result.shortMessage}`};
	}

	const [version = '?', missing = ''] = result.stdout.split('\n');
	if (result.exitCode !== 0) {
		return {ok: false, problem: `Python at ${choice.python} failed: ${result.stderr.trim()}`};
	}

	if (missing.trim() !== '') {
		return {
			ok: false,
			problem:
				`Python ${version} at ${choice.python} (from ${choice.source}) lacks the runner's dependencies: ${missing.trim()}. ` +
				'Run `npx mlbridge setup-python` (creates a venv with them), or `pip install confluent-kafka fastavro`, ' +
				'or point MLBRIDGE_PYTHON at a Python that has them.',
		};
	}

	return {ok: true, version};
}
