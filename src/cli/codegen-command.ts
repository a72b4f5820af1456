import {mkdirSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {parseArgs} from 'node:util';
import {CodegenError, CodegenUsageError, NoPipelinesError, OutputWriteError} from '../codegen/codegen-errors.js';
import {selectEntries} from '../codegen/codegen-entry.js';
import {generateFile} from '../codegen/generate-file.js';
import {defaultCatalogTopic, loadEntries, type CodegenSource} from '../codegen/sources.js';

export const codegenUsage = `Usage: mlbridge codegen --out FILE (--pipelines FILE_OR_MODULE | --brokers LIST) [options]

Write a TypeScript file with the argument and result types of your pipelines (\`Pipelines\`)
and their pinned schemas (\`contract\`, for PipelineClient.connect({contract})).

Source (exactly one):
  --pipelines FILE_OR_MODULE  import the pipelines with the bundled Python runner (no broker;
                              repeat for several files)
  --brokers LIST              read the catalogue the runners published (host:port,...)

Options:
  --out FILE             the file to write (its folder is created)
  --catalog-topic T      the catalogue topic (env MLBRIDGE_CATALOG_TOPIC, default ${defaultCatalogTopic})
  --only NAME,...        only these pipelines
  --import-from MODULE   where the file imports Contract from (default mlbridge)
  --check                write nothing; exit 1 if FILE is missing or out of date (for CI)

Exit codes: 0 written (or up to date), 1 out of date (--check), 2 bad command line,
3 no usable Python, 4 pipelines file missing or raising, 5 no pipelines, 6 broker or catalogue
unreachable, 7 a schema codegen cannot read, 8 FILE cannot be written.
`;

type Streams = {readonly stdout: NodeJS.WritableStream; readonly stderr: NodeJS.WritableStream};

/** `mlbridge codegen ...`; returns the exit code. */
export async function runCodegenCommand(
	argv: readonly string[],
	streams: Streams = {stdout: process.stdout, stderr: process.stderr},
	env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
	try {
		return await codegen(argv, streams, env);
	} catch (error) {
		if (error instanceof CodegenError) {
			streams.stderr.write(`mlbridge codegen: ${error.message}\n`);
			if (error instanceof CodegenUsageError) {
				streams.stderr.write(`\n${codegenUsage}`);
			}

			return error.exitCode;
		}

		streams.stderr.write(`mlbridge codegen: unexpected failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
		return 1;
	}
}

type Command = {
	readonly out: string;
	readonly source: CodegenSource;
	readonly only: readonly string[] | undefined;
	readonly importFrom: string | undefined;
	readonly check: boolean;
};

function parseCommand(argv: readonly string[], env: NodeJS.ProcessEnv): Command | 'help' {
	let values;
	try {
		({values} = parseArgs({
			args: [...argv],
			strict: true,
			allowPositionals: false,
			options: {
				out: {type: 'string'},
				pipelines: {type: 'string', multiple: true},
				brokers: {type: 'string'},
				'catalog-topic': {type: 'string'},
				only: {type: 'string'},
				'import-from': {type: 'string'},
				check: {type: 'boolean'},
				help: {type: 'boolean', short: 'h'},
			},
		}));
	} catch (error) {
		throw new CodegenUsageError((error as Error).message);
	}

	if (values.help === true) {
		return 'help';
	}

	if (values.out === undefined || values.out === '') {
		throw new CodegenUsageError('--out FILE is required');
	}

	if ((values.pipelines === undefined) === (values.brokers === undefined)) {
		throw new CodegenUsageError(
			values.pipelines === undefined
				? 'give a source: --pipelines FILE_OR_MODULE or --brokers LIST'
				: 'give one source, not both: --pipelines FILE_OR_MODULE or --brokers LIST',
		);
	}

	if (values['catalog-topic'] !== undefined && values.brokers === undefined) {
		throw new CodegenUsageError('--catalog-topic goes with --brokers');
	}

	let source: CodegenSource;
	if (values.pipelines === undefined) {
		const brokers = list(values.brokers ?? '');
		if (brokers.length === 0) {
			throw new CodegenUsageError('--brokers needs host:port[,host:port...]');
		}

		source = {kind: 'catalog', brokers, topic: values['catalog-topic'] ?? env['MLBRIDGE_CATALOG_TOPIC'] ?? defaultCatalogTopic};
	} else {
		if (values.pipelines.includes('')) {
			throw new CodegenUsageError('--pipelines needs a file or module name');
		}

		source = {kind: 'pipelines', specs: values.pipelines};
	}

	let only: string[] | undefined;
	if (values.only !== undefined) {
		only = list(values.only);
		if (only.length === 0) {
			throw new CodegenUsageError('--only needs pipeline names, comma-separated');
		}
	}

	return {out: values.out, source, only, importFrom: values['import-from'], check: values.check === true};
}

async function codegen(argv: readonly string[], {stdout, stderr}: Streams, env: NodeJS.ProcessEnv): Promise<number> {
	const command = parseCommand(argv, env);
	if (command === 'help') {
		stdout.write(codegenUsage);
		return 0;
	}

	const warn = (message: string): void => {
		stderr.write(`mlbridge codegen: warning: ${message}\n`);
	};

	const entries = selectEntries(await loadEntries(command.source, warn), command.only);
	if (entries.length === 0) {
		throw new NoPipelinesError(
			command.source.kind === 'catalog'
				? `The catalogue topic ${command.source.topic ?? defaultCatalogTopic} lists no pipelines`
				: `${command.source.specs.join(', ')} register no pipelines`,
		);
	}

	for (const entry of entries.filter(e => !e.typed)) {
		warn(`pipeline ${entry.name} is untyped (not every parameter and the return value are annotated): generated with generic WireValue types`);
	}

	const text = generateFile(entries, command.importFrom === undefined ? {} : {importFrom: command.importFrom});
	const out = path.resolve(command.out);
	if (command.check) {
		if (readIfExists(out) === text) {
			stdout.write(`${command.out} is up to date (${entries.length} pipelines)\n`);
			return 0;
		}

		stderr.write(`mlbridge codegen: ${command.out} is missing or out of date; run the same command without --check\n`);
		return 1;
	}

	// Write then rename: an editor or tsc watching the file never sees half of it.
	const temporary = `${out}.${process.pid}.tmp`;
	try {
		mkdirSync(path.dirname(out), {recursive: true});
		writeFileSync(temporary, text);
		renameSync(temporary, out);
	} catch (error) {
		try {
			rmSync(temporary, {force: true});
		} catch {
			// The folder itself could not be made: there is no temporary file to remove.
		}

		throw new OutputWriteError(command.out, error);
	}

	stdout.write(`wrote ${command.out}: ${entries.length} pipelines (${entries.map(e => e.name).sort().join(', ')})\n`);
	return 0;
}

function list(text: string): string[] {
	return text
		.split(',')
		.map(item => item.trim())
		.filter(item => item !== '');
}

function readIfExists(file: string): string | undefined {
	try {
		return readFileSync(file, 'utf8');
	} catch {
		return undefined;
	}
}
