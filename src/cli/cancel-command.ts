import type {Command} from 'commander';
import type {CliJobStatus} from './cli-client.js';
import {addCommonOptions, withClient, type CommandDeps, type CommonOptions} from './command-context.js';
import {stateText, statusJson} from './job-format.js';

export type CancelCommandOptions = CommonOptions & {readonly json?: boolean};

/** What a cancel did, in words. */
export function cancelText(status: CliJobStatus): string {
	switch (status.state) {
		case 'CANCELLED': {
			return `job ${status.id}: CANCELLED`;
		}

		case 'CANCEL_REQUESTED': {
			return `job ${status.id}: CANCEL_REQUESTED; the runner holding it stops it (\`mlbridge job ${status.id} --follow\` shows when)`;
		}

		default: {
			return `job ${status.id} had already ended (${stateText(status)}): nothing changed`;
		}
	}
}

/**
 * `mlbridge cancel ID`: a queued job never starts; a running one is told to stop; a finished one
 * is left as it is (its state is printed). Exit 0 in all three cases, 1 for an unknown id.
 */
export async function runCancel(id: string, options: CancelCommandOptions, deps: CommandDeps): Promise<number> {
	return withClient(deps, options, async client => {
		const status = await client.cancel(id);
		deps.io.stdout.write(options.json === true ? `${JSON.stringify({ok: true, job: statusJson(status)})}\n` : `${cancelText(status)}\n`);
		return 0;
	});
}

export function defineCancel(program: Command, deps: CommandDeps, report: (code: number) => void): void {
	addCommonOptions(
		program
			.command('cancel')
			.description('cancel a job, from any process')
			.argument('<id>', 'the job id')
			.option('--json', 'print {"ok": true, "job": status}'),
	).action(async (id: string, options: CancelCommandOptions) => {
		report(await runCancel(id, options, deps));
	});
}
