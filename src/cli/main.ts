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

  invoke NAME [--args JSON] [--json] [--timeout MS]
                                            call a pipeline, print its result as JSON
  submit NAME [--args JSON] [--job-id ID] [--max-attempts N] [--follow]
                                            start a job, print its id
  jobs [--state S] [--pipeline P] [--limit N] [--json]
                                            recent jobs, newest first
  job ID [--follow] [--json]                a job's status and result; --follow: its progress
                                            until it ends (Ctrl-C detaches, the job goes on)
  cancel ID                                 cancel a job from any process
  pipelines [--json]                        the catalogue: names, lanes, versions, signatures
  dashboard [--port 8080] [--host 127.0.0.1] [--token T] [--group G]
                                            the operator's web page: jobs (live progress, cancel),
                                            pipelines, runners and lag, dead letters
  status [--group G] [--json] [--timeout MS]
                                            runners of a group (pipelines, partitions, in-flight,
                                            last seen), lag per partition, dead letters
  gc-replies [--dry-run] [--idle DURATION] [--json]
                                            delete reply topics of clients that are gone
  (these take --brokers LIST, --request-topic T, --catalog-topic T, --verbose; COMMAND --help lists all)

Environment:
  KAFKA_BROKERS            bootstrap servers, comma-separated (default 127.0.0.1:9092)
  MLBRIDGE_REQUEST_TOPIC   request topic (default ml.pipeline.input)
  MLBRIDGE_CATALOG_TOPIC   catalogue topic (default ml.pipeline.catalog)
  MLBRIDGE_PYTHON          the Python to run the runner with
  MLBRIDGE_LOG_LEVEL       debug | info | warn | error
  MLBRIDGE_DASHBOARD_TOKEN the dashboard's access token (required beyond loopback)
`;

/** The commands that talk to the broker through a PipelineClient (client-commands.ts). */
const clientCommands: ReadonlySet<string> = new Set(['invoke', 'submit', 'jobs', 'job', 'cancel', 'pipelines']);

async function main(argv: readonly string[]): Promise<number> {
	const [command, ...rest] = argv;
	if (command !== undefined && clientCommands.has(command)) {
		// Loaded only for these: `runner`, `help` and `version` never load the client.
		const {runClientCommand} = await import('./client-commands.js');
		const code = await runClientCommand(argv);
		// The client is closed by now; should a socket linger, it must not keep a finished command
		// waiting (the timer itself keeps nothing alive).
		setTimeout(() => process.exit(code), 2000).unref();
		return code;
	}

	switch (command) {
		case 'runner': {
			return runRunnerCommand(rest);
		}

		case 'dashboard': {
			// Loaded only for this command: the others never load the server.
			const {runDashboardCommand} = await import('./dashboard-command.js');
			const code = await runDashboardCommand(rest);
			setTimeout(() => process.exit(code), 2000).unref();
			return code;
		}

		case 'status':
		case 'gc-replies': {
			// Loaded only for these: admin reads, no client.
			const code = command === 'status'
				? await (await import('./status-command.js')).runStatusCommand(rest)
				: await (await import('./gc-replies-command.js')).runGcRepliesCommand(rest);
			setTimeout(() => process.exit(code), 2000).unref();
			return code;
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
