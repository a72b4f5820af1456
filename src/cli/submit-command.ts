import {Option, type Command} from 'commander';
import type {CliArgs} from './cli-client.js';
import {addCommonOptions, parseArgsJson, parsePositiveInt, withClient, type CommandDeps, type CommonOptions} from './command-context.js';
import {followJob} from './follow-job.js';

export type SubmitCommandOptions = CommonOptions & {
	readonly args: CliArgs;
	readonly jobId?: string;
	readonly maxAttempts?: number;
	readonly follow?: boolean;
	readonly json?: boolean;
};

/**
 * `mlbridge submit NAME --args JSON`: start a job and print its id (alone on its line, for
 * `id=$(mlbridge submit ...)`). The same `--job-id` again returns the existing job, never a second
 * run. With `--follow`, then as `mlbridge job ID --follow`.
 */
export async function runSubmit(name: string, options: SubmitCommandOptions, deps: CommandDeps): Promise<number> {
	const json = options.json === true;
	return withClient(deps, options, async client => {
		const job = await client.submit(name, options.args, {
			...(options.jobId === undefined ? {} : {jobId: options.jobId}),
			...(options.maxAttempts === undefined ? {} : {maxAttempts: options.maxAttempts}),
		});
		if (!json || options.follow !== true) {
			deps.io.stdout.write(json ? `${JSON.stringify({ok: true, id: job.id, pipeline: job.pipeline})}\n` : `${job.id}\n`);
		}

		return options.follow === true ? followJob(job, deps, {json, verbose: options.verbose === true}) : 0;
	});
}

export function defineSubmit(program: Command, deps: CommandDeps, report: (code: number) => void): void {
	addCommonOptions(
		program
			.command('submit')
			.description('start a pipeline as a job and print the job id')
			.argument('<name>', 'the pipeline')
			.addOption(new Option('--args <json>', 'named arguments: a JSON object, or @FILE holding one').default({}, '{}').argParser(parseArgsJson))
			.option('--job-id <id>', 'choose the id: submitting an id that exists returns that job, never a second run')
			.option('--max-attempts <n>', 'runs allowed when runners die mid-job (default: the client\'s)', parsePositiveInt)
			.option('-f, --follow', 'then follow it as `mlbridge job ID --follow` does')
			.option('--json', 'print {"ok": true, "id": ...} (with --follow: the outcome, as `job --json`)'),
	).action(async (name: string, options: SubmitCommandOptions) => {
		report(await runSubmit(name, options, deps));
	});
}
