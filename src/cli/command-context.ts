import {readFileSync} from 'node:fs';
import {CommanderError, InvalidArgumentError, type Command} from 'commander';
import type {ClientOptions, LogLevel} from '../index.js';
import {jobStates, type CliArgs, type CliClient, type CliJobState, type ConnectClient} from './cli-client.js';
import {printError} from './output.js';

/**
 * What the client commands (invoke, submit, jobs, job, cancel, pipelines) share: their streams, the
 * flags every one of them takes, connecting a quiet client, and the option parsers.
 */

export type CliIo = {
	readonly stdout: NodeJS.WritableStream;
	readonly stderr: NodeJS.WritableStream;
	readonly env: NodeJS.ProcessEnv;
	/** Draw a progress bar (stdout is a terminal); otherwise progress is printed as plain lines. */
	readonly tty: boolean;
	/** Call `handler` on Ctrl-C instead of dying; returns the undo. */
	onInterrupt(handler: () => void): () => void;
	/** Milliseconds since the epoch. */
	now(): number;
};

export function processIo(): CliIo {
	return {
		stdout: process.stdout,
		stderr: process.stderr,
		env: process.env,
		tty: process.stdout.isTTY === true,
		onInterrupt(handler) {
			let seen = 0;
			const listener = (): void => {
				seen++;
				if (seen > 1) {
					// A second Ctrl-C while the first is being handled: leave now.
					process.exit(130);
				}

				handler();
			};

			process.on('SIGINT', listener);
			return () => process.off('SIGINT', listener);
		},
		now: Date.now,
	};
}

/** The flags every client command takes (commander's camel-cased option values). */
export type CommonOptions = {
	readonly brokers?: readonly string[];
	readonly requestTopic?: string;
	readonly catalogTopic?: string;
	readonly clientId?: string;
	readonly verbose?: boolean;
};

export function addCommonOptions(command: Command): Command {
	return command
		.option('--brokers <list>', 'Kafka bootstrap servers, host:port,... (env KAFKA_BROKERS, default 127.0.0.1:9092)', splitList)
		.option('--request-topic <topic>', 'the request topic (env MLBRIDGE_REQUEST_TOPIC, default ml.pipeline.input)')
		.option('--catalog-topic <topic>', 'the catalogue topic (env MLBRIDGE_CATALOG_TOPIC, default ml.pipeline.catalog)')
		.option('--client-id <id>', 'the client id (env MLBRIDGE_CLIENT_ID, default a random one); under ACLs, the one the reply-topic ACL names')
		.option('-v, --verbose', 'client logs on stderr and remote tracebacks with errors');
}

/** Client options from the flags; what a flag leaves out the client takes from the environment. */
export function clientOptions(options: CommonOptions, env: NodeJS.ProcessEnv): ClientOptions {
	const {brokers} = options;
	// Under per-client ACLs the reply topic must start with a clientId the ACL names.
	const clientId = options.clientId ?? env['MLBRIDGE_CLIENT_ID'];
	// A command line tool keeps stderr for what went wrong; --verbose: info, or MLBRIDGE_LOG_LEVEL
	// (which the client reads and checks itself).
	let logLevel: LogLevel | undefined = 'error';
	if (options.verbose === true) {
		logLevel = env['MLBRIDGE_LOG_LEVEL'] === undefined ? 'info' : undefined;
	}

	return {
		...(brokers === undefined ? {} : {brokers}),
		...(options.requestTopic === undefined ? {} : {requestTopic: options.requestTopic}),
		...(options.catalogTopic === undefined ? {} : {catalogTopic: options.catalogTopic}),
		...(clientId === undefined || clientId === '' ? {} : {clientId}),
		...(logLevel === undefined ? {} : {logLevel}),
	};
}

export type CommandDeps = {
	readonly io: CliIo;
	readonly connect: ConnectClient;
};

/**
 * Connect, run `body`, close; returns the exit code. A typed error prints its class, code and
 * message (the remote traceback with --verbose), exit 1.
 */
export async function withClient(
	deps: CommandDeps,
	options: CommonOptions & {readonly json?: boolean},
	body: (client: CliClient) => Promise<number>,
): Promise<number> {
	let client: CliClient | undefined;
	try {
		client = await deps.connect(clientOptions(options, deps.io.env));
		return await body(client);
	} catch (error) {
		printError(deps.io, error, {json: options.json === true, verbose: options.verbose === true});
		return 1;
	} finally {
		await client?.close().catch(() => undefined);
	}
}

// Option parsers: they throw InvalidArgumentError, which commander reports with the usage (exit 2).

/** `--args`: a JSON object, or `@FILE` holding one. */
export function parseArgsJson(text: string): CliArgs {
	let source = text;
	if (text.startsWith('@')) {
		try {
			source = readFileSync(text.slice(1), 'utf8');
		} catch (error) {
			throw new InvalidArgumentError(`cannot read ${text.slice(1)}: ${(error as Error).message}`);
		}
	}

	let value: unknown;
	try {
		value = JSON.parse(source);
	} catch (error) {
		throw new InvalidArgumentError(`not JSON: ${(error as Error).message}`);
	}

	if (value === null || typeof value !== 'object' || Array.isArray(value)) {
		throw new InvalidArgumentError('expected a JSON object of named arguments, like {"epochs": 5}');
	}

	return value as CliArgs;
}

export function parsePositiveInt(text: string): number {
	const value = Number(text);
	if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value <= 0) {
		throw new InvalidArgumentError('expected a whole number > 0');
	}

	return value;
}

/** `--state running`, `queued,running`, `cancel-requested`: case and dashes do not matter. */
export function parseJobStates(text: string): CliJobState | CliJobState[] {
	const states = text
		.split(',')
		.map(item => item.trim().toUpperCase().replaceAll('-', '_'))
		.filter(item => item !== '');
	for (const state of states) {
		if (!jobStates.includes(state as CliJobState)) {
			throw new InvalidArgumentError(`expected one or more of ${jobStates.map(s => s.toLowerCase().replaceAll('_', '-')).join(', ')}`);
		}
	}

	if (states.length === 0) {
		throw new InvalidArgumentError('expected a state');
	}

	return states.length === 1 ? (states[0] as CliJobState) : (states as CliJobState[]);
}

export function splitList(text: string): string[] {
	const items = text
		.split(',')
		.map(item => item.trim())
		.filter(item => item !== '');
	if (items.length === 0) {
		throw new InvalidArgumentError('expected host:port[,host:port...]');
	}

	return items;
}

/**
 * Parse `argv` for a command of its own (status, gc-replies, dashboard) and run `action`; the exit
 * code: the action's, 0 for --help, 2 for anything commander refuses (bad usage).
 */
export async function runStandaloneCommand<O>(
	command: Command,
	argv: readonly string[],
	io: CliIo,
	action: (options: O) => Promise<number>,
): Promise<number> {
	let exitCode = 0;
	command
		.exitOverride()
		.allowExcessArguments(false)
		.configureOutput({writeOut: text => io.stdout.write(text), writeErr: text => io.stderr.write(text)})
		.action(async (options: O) => {
			exitCode = await action(options);
		});
	try {
		await command.parseAsync([...argv], {from: 'user'});
	} catch (error) {
		if (error instanceof CommanderError) {
			return error.exitCode === 0 ? 0 : 2;
		}

		throw error;
	}

	return exitCode;
}
