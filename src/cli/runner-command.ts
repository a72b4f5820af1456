import {execa} from 'execa';
import {checkPython, findPython} from '../runner/find-python.js';
import {pythonRunnerDir} from '../runner/package-paths.js';

/**
 * `mlbridge runner ...`: run the bundled Python runner in the foreground with the user's flags,
 * passing signals through so Ctrl-C and SIGTERM stop it gracefully.
 */
export async function runRunnerCommand(args: readonly string[]): Promise<number> {
	const choice = findPython();
	const check = await checkPython(choice);
	if (!check.ok) {
		process.stderr.write(`mlbridge: ${check.problem}\n`);
		return 3;
	}

	const child = execa(choice.python, ['-m', 'mlbridge_runner', ...args], {
		env: {PYTHONPATH: [pythonRunnerDir, process.env['PYTHONPATH']].filter(Boolean).join(':'), PYTHONUNBUFFERED: '1'},
		stdio: 'inherit',
		reject: false,
	});
	const forward = (signal: NodeJS.Signals) => () => {
		child.kill(signal);
	};

	// The terminal already sends Ctrl-C to the whole process group; SIGTERM from an orchestrator
	// reaches only us, so pass it on and let the runner drain.
	process.on('SIGTERM', forward('SIGTERM'));
	process.on('SIGINT', () => {});
	const result = await child;
	return result.exitCode ?? (result.signal === undefined ? 1 : 128 + 15);
}
