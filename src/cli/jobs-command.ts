import type {Command} from 'commander';
import type {CliJobState} from './cli-client.js';
import {addCommonOptions, parseJobStates, parsePositiveInt, withClient, type CommandDeps, type CommonOptions} from './command-context.js';
import {formatJobsTable, statusJson} from './job-format.js';

export type JobsCommandOptions = CommonOptions & {
	readonly state?: CliJobState | CliJobState[];
	readonly pipeline?: string;
	readonly limit?: number;
	readonly json?: boolean;
};

/** `mlbridge jobs`: recent jobs, newest first, as a table (or a JSON array). */
export async function runJobs(options: JobsCommandOptions, deps: CommandDeps): Promise<number> {
	return withClient(deps, options, async client => {
		const statuses = await client.jobs({
			...(options.pipeline === undefined ? {} : {pipeline: options.pipeline}),
			...(options.state === undefined ? {} : {state: options.state}),
			...(options.limit === undefined ? {} : {limit: options.limit}),
		});
		const {io} = deps;
		io.stdout.write(options.json === true ? `${JSON.stringify(statuses.map(s => statusJson(s)))}\n` : formatJobsTable(statuses, io.now()));
		return 0;
	});
}

export function defineJobs(program: Command, deps: CommandDeps, report: (code: number) => void): void {
	addCommonOptions(
		program
			.command('jobs')
			.description('list recent jobs, newest first')
			.option('--state <states>', 'only jobs in these states (comma-separated): queued, running, cancel-requested, succeeded, failed, cancelled', parseJobStates)
			.option('--pipeline <name>', 'only jobs of this pipeline')
			.option('--limit <n>', 'at most this many (default: the client\'s)', parsePositiveInt)
			.option('--json', 'print a JSON array of statuses'),
	).action(async (options: JobsCommandOptions) => {
		report(await runJobs(options, deps));
	});
}
