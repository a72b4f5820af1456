import path from 'node:path';
import {execa} from 'execa';
import {defaultVenvDir} from '../runner/find-python.js';
import {pythonRunnerDir} from '../runner/package-paths.js';

/**
 * `mlbridge setup-python [--venv DIR] [--python python3]`: a virtual environment with the bundled
 * runner and its dependencies, where `mlbridge runner` finds it.
 */
export async function runSetupPythonCommand(args: readonly string[]): Promise<number> {
	const venv = flag(args, '--venv') ?? defaultVenvDir;
	const basePython = flag(args, '--python') ?? 'python3';
	process.stderr.write(`mlbridge: creating a Python environment in ${venv}\n`);
	await execa(basePython, ['-m', 'venv', venv], {stdio: 'inherit'});
	const python = path.join(venv, 'bin', 'python');
	await execa(python, ['-m', 'pip', 'install', '--quiet', '--upgrade', 'pip'], {stdio: 'inherit'});
	await execa(python, ['-m', 'pip', 'install', '--quiet', pythonRunnerDir], {stdio: 'inherit'});
	process.stderr.write(`mlbridge: ready; \`mlbridge runner\` will use ${python}\n`);
	return 0;
}

function flag(args: readonly string[], name: string): string | undefined {
	const index = args.indexOf(name);
	return index === -1 ? undefined : args[index + 1];
}
