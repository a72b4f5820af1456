/**
 * Entries from a pipelines file or module, without a broker: the bundled runner imports it and
 * prints what it would publish (`python -m mlbridge_runner catalog --pipelines SPEC --json`).
 */
import {existsSync} from 'node:fs';
import path from 'node:path';
import {execa} from 'execa';
import {checkPython, findPython, type PythonChoice} from '../runner/find-python.js';
import {pythonRunnerDir} from '../runner/package-paths.js';
import {parseEntriesJson, type CodegenEntry} from './codegen-entry.js';
import {NoPipelinesError, PipelinesLoadError, PythonUnavailableError} from './codegen-errors.js';

export type PipelinesSourceOptions = {
	/** The Python to run; @default findPython() */
	readonly python?: PythonChoice;
	/** Where a relative FILE or a module name is resolved. @default process.cwd() */
	readonly cwd?: string;
	/** @default 120_000 — importing a pipelines file may load heavy ML libraries. */
	readonly timeoutMs?: number;
};

/** Lines of the runner's stderr kept in an error message (the end of a traceback says the most). */
const stderrLines = 25;

/** The entries of every pipeline that `specs` (files or modules, as for the runner) register. */
export async function entriesFromPipelines(specs: readonly string[], options: PipelinesSourceOptions = {}): Promise<CodegenEntry[]> {
	const cwd = options.cwd ?? process.cwd();
	const spec = specs.join(', ');
	for (const one of specs) {
		// Same rule as the runner's load_pipelines: a .py name or a path is a file, anything else a module.
		if ((one.endsWith('.py') || one.includes('/') || one.includes(path.sep)) && !existsSync(path.resolve(cwd, one))) {
			throw new PipelinesLoadError(one, `Pipelines file ${one} does not exist (looked in ${cwd})`);
		}
	}

	const choice = options.python ?? findPython(process.env, cwd);
	const check = await checkPython(choice);
	if (!check.ok) {
		throw new PythonUnavailableError(check.problem);
	}

	const timeoutMs = options.timeoutMs ?? 120_000;
	const result = await execa(choice.python, ['-m', 'mlbridge_runner', 'catalog', ...specs.flatMap(one => ['--pipelines', one]), '--json'], {
		cwd,
		env: {PYTHONPATH: [pythonRunnerDir, process.env['PYTHONPATH']].filter(Boolean).join(path.delimiter), PYTHONUNBUFFERED: '1'},
		stdin: 'ignore',
		reject: false,
		timeout: timeoutMs,
	});
	if (result.timedOut) {
		throw new PipelinesLoadError(spec, `Loading ${spec} took longer than ${timeoutMs / 1000} s; the runner was stopped`);
	}

	if (result.exitCode !== 0) {
		const stderr = result.stderr.trim().split('\n').slice(-stderrLines).join('\n');
		// The runner's only way to say "imported fine, registered nothing" is its message.
		if (/no pipelines registered/.test(stderr)) {
			throw new NoPipelinesError(`${spec} registers no pipelines: decorate functions with @pipeline\n${stderr}`);
		}

		const how = result.exitCode === undefined ? `was killed by ${result.signal ?? 'a signal'}` : `exited with ${result.exitCode}`;
		throw new PipelinesLoadError(spec, `Loading ${spec} failed (the runner ${how}):\n${stderr || '(no output)'}`);
	}

	return parseEntriesJson(result.stdout, spec);
}
