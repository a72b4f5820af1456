#!/usr/bin/env node
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {packageRoot} from '../runner/package-paths.js';
import {runCodegenCommand} from './codegen-command.js';
import {runRunnerCommand} from './runner-command.js';
import {runSetupPythonCommand} from './setup-python-command.js';

const usage = `Usage: mlbridge <command> [options]

Commands:
  runner --pipelines FILE_OR_MODULE [...]   run the bundled Python runner
                                            (all flags go to python -m mlbridge_runner; --help lists them)
  setup-python [--venv DIR] [--python EXE]  create a venv with the runner's dependencies
  codegen --out FILE (--pipelines FILE_OR_MODULE | --brokers LIST) [--catalog-topic T] [--only NAME,...]
                                            generate the pipelines' TypeScript types (--help lists options)
  version                                   print the version

Environment:
  KAFKA_BROKERS            bootstrap servers, comma-separated (default 127.0.0.1:9092)
  MLBRIDGE_REQUEST_TOPIC   request topic (default ml.pipeline.input)
  MLBRIDGE_PYTHON          the Python to run the runner with
  MLBRIDGE_LOG_LEVEL       debug | info | warn | error
`;

async function main(argv: readonly string[]): Promise<number> {
	const [command, ...rest] = argv;
	switch (command) {
		case 'runner': {
			return runRunnerCommand(rest);
		}

		case 'setup-python': {
			return runSetupPythonCommand(rest);
		}

		case 'codegen': {
			return runCodegenCommand(rest);
		}

		case 'version':
		case '--version': {
			const manifest = JSON.parse(readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as {version: string};
			process.stdout.write(`${manifest.version}\n`);
			return 0;
		}

		case undefined:
		case 'help':
		case '--help':
		case '-h': {
			process.stdout.write(usage);
			return 0;
		}

		default: {
			process.stderr.write(`mlbridge: unknown command ${JSON.stringify(command)}\n\n${usage}`);
			return 2;
		}
	}
}

process.exitCode = await main(process.argv.slice(2));
