import type {Command} from 'commander';
import type {AvroSchema} from '../index.js';
import type {CliPipeline} from './cli-client.js';
import {addCommonOptions, withClient, type CommandDeps, type CommonOptions} from './command-context.js';
import {clip, formatTable, toJsonValue} from './output.js';

export type PipelinesCommandOptions = CommonOptions & {readonly json?: boolean};

/** An Avro type as a reader writes it: `long`, `string | null`, `array<double>`, `Config`. */
export function avroTypeText(schema: AvroSchema): string {
	if (typeof schema === 'string') {
		return schema.slice(schema.lastIndexOf('.') + 1);
	}

	if (Array.isArray(schema)) {
		const branches = schema as readonly AvroSchema[];
		return branches.map(branch => avroTypeText(branch)).join(' | ');
	}

	const complex = schema as Exclude<AvroSchema, string | readonly AvroSchema[]>;
	if (typeof complex.logicalType === 'string') {
		return complex.logicalType;
	}

	switch (complex.type) {
		case 'array': {
			return `array<${avroTypeText(complex.items as AvroSchema)}>`;
		}

		case 'map': {
			return `map<${avroTypeText(complex.values as AvroSchema)}>`;
		}

		case 'record':
		case 'error':
		case 'enum':
		case 'fixed': {
			return avroTypeText(String(complex.name));
		}

		default: {
			return complex.type;
		}
	}
}

/** `(dataset: string, epochs: long = 5) -> Model`; `(untyped)` without schemas. */
export function signatureText(pipeline: CliPipeline): string {
	const {argsSchema, resultSchema} = pipeline;
	if (argsSchema === undefined || typeof argsSchema !== 'object' || Array.isArray(argsSchema) || !('fields' in argsSchema)) {
		return '(untyped)';
	}

	const fields = (argsSchema.fields as ReadonlyArray<{name: string; type: AvroSchema; default?: unknown}>).map(
		field => `${field.name}: ${avroTypeText(field.type)}${field.default === undefined ? '' : ` = ${JSON.stringify(field.default)}`}`,
	);
	return `(${fields.join(', ')}) -> ${resultSchema === undefined ? 'unknown' : avroTypeText(resultSchema)}`;
}

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
