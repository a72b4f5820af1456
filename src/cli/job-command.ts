import type {Command} from 'commander';
import {addCommonOptions, withClient, type CommandDeps, type CommonOptions} from './command-context.js';
import {followJob} from './follow-job.js';
import {formatStatus, statusJson} from './job-format.js';
import {jsonText, toJsonValue} from './output.js';

export type JobCommandOptions = CommonOptions & {
	readonly follow?: boolean;
	readonly json?: boolean;
};

/**
 * `mlbridge job ID`: the job's status (and its result once it succeeded), from any process. With
 * `--follow`: its progress until it ends, then the result.
 */
export async function runJob(id: string, options: JobCommandOptions, deps: CommandDeps): Promise<number> {
	const json = options.json === true;
	return withClient(deps, options, async client => {
		const job = await client.job(id);
		if (options.follow === true) {
			return followJob(job, deps, {json, verbose: options.verbose === true});
		}

		const status = await job.status();
		const result = status.state === 'SUCCEEDED' ? {value: await job.result()} : undefined;
		const {io} = deps;
		if (json) {
			const body = {
				ok: status.state !== 'FAILED' && status.state !== 'CANCELLED',
				job: statusJson(status),
				...(result === undefined ? {} : {result: toJsonValue(result.value)}),
			};
			io.stdout.write(`${JSON.stringify(body)}\n`);
		} else {
			io.stdout.write(formatStatus(status, io.now()));
			if (result !== undefined) {
				io.stdout.write(`result\n${jsonText(result.value, true)}\n`);
			}
		}

		return 0;
	});
}

export function defineJob(program: Command, deps: CommandDeps, report: (code: number) => void): void {
	addCommonOptions(
		program
			.command('job')
			.description("a job's status (and result); --follow shows its progress until it ends")
			.argument('<id>', 'the job id')
			.option('-f, --follow', 'progress bar with message and ETA until the job ends, then the result; Ctrl-C detaches (the job goes on)')
			.option('--json', 'print {"ok", "job": status, "result" | "error"} on stdout'),
	).action(async (id: string, options: JobCommandOptions) => {
		report(await runJob(id, options, deps));
	});
}
