import {Command, CommanderError} from 'commander';
import {PipelineClient} from '../index.js';
import {defineCancel} from './cancel-command.js';
import type {ConnectClient} from './cli-client.js';
import {processIo, type CliIo} from './command-context.js';
import {defineInvoke} from './invoke-command.js';
import {defineJob} from './job-command.js';
import {defineJobs} from './jobs-command.js';
import {definePipelines} from './pipelines-command.js';
import {defineSubmit} from './submit-command.js';

export const usageExitCode = 2;

const connectPipelineClient: ConnectClient = async options => PipelineClient.connect(options);

/**
 * Run `argv` (`invoke NAME --args ...`, `jobs --state running`, ...); returns the exit code:
 * 0 done, 1 a typed error (printed with its class, code and message), 2 bad usage (with the usage),
 * 130 interrupted (a followed job goes on).
 */
export async function runClientCommand(
	argv: readonly string[],
	io: CliIo = processIo(),
	connect: ConnectClient = connectPipelineClient,
): Promise<number> {
	let exitCode = 0;
	const report = (code: number): void => {
		exitCode = code;
	};

	const program = new Command('mlbridge')
		.exitOverride()
		.showHelpAfterError()
		.configureOutput({
			writeOut: text => io.stdout.write(text),
			writeErr: text => io.stderr.write(text),
		});
	const deps = {io, connect};
	defineInvoke(program, deps, report);
	defineSubmit(program, deps, report);
	defineJobs(program, deps, report);
	defineJob(program, deps, report);
	defineCancel(program, deps, report);
	definePipelines(program, deps, report);
	for (const command of program.commands) {
		// Positional arguments are pipeline names and job ids: one each, never more.
		command.allowExcessArguments(false);
	}

	try {
		await program.parseAsync([...argv], {from: 'user'});
	} catch (error) {
		if (error instanceof CommanderError) {
			// --help prints and "exits" 0; anything else commander rejects is bad usage.
			return error.exitCode === 0 ? 0 : usageExitCode;
		}

		throw error;
	}

	return exitCode;
}
