import type {Command} from 'commander';
import {signatureText} from '../catalog/signature-text.js';
import type {CliPipeline} from './cli-client.js';
import {addCommonOptions, withClient, type CommandDeps, type CommonOptions} from './command-context.js';
import {clip, formatTable, toJsonValue} from './output.js';

export {avroTypeText, signatureText} from '../catalog/signature-text.js';

export type PipelinesCommandOptions = CommonOptions & {readonly json?: boolean};

export function formatPipelinesTable(pipelines: readonly CliPipeline[]): string {
	if (pipelines.length === 0) {
		return 'no pipelines in the catalogue (is a runner up, on the same --catalog-topic?)\n';
	}

	return formatTable(
		['NAME', 'LANE', 'VERSION', 'SIGNATURE', 'DOC'],
		pipelines.map(p => [p.name, p.lane, String(p.version), signatureText(p), clip(p.doc, 60)]),
	);
}

/** `mlbridge pipelines`: what the runners published to the catalogue. */
export async function runPipelines(options: PipelinesCommandOptions, deps: CommandDeps): Promise<number> {
	return withClient(deps, options, async client => {
		const pipelines = await client.listPipelines();
		deps.io.stdout.write(options.json === true ? `${JSON.stringify(toJsonValue(pipelines))}\n` : formatPipelinesTable(pipelines));
		return 0;
	});
}

export function definePipelines(program: Command, deps: CommandDeps, report: (code: number) => void): void {
	addCommonOptions(
		program
			.command('pipelines')
			.description('list the pipelines in the catalogue: name, lane (CALL or JOB), version, signature, doc')
			.option('--json', 'print the catalogue descriptions as a JSON array'),
	).action(async (options: PipelinesCommandOptions) => {
		report(await runPipelines(options, deps));
	});
}
