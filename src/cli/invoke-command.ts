import {Option, type Command} from 'commander';
import type {CliArgs} from './cli-client.js';
import {addCommonOptions, parseArgsJson, parsePositiveInt, withClient, type CommandDeps, type CommonOptions} from './command-context.js';
import {jsonText, printError, toJsonValue} from './output.js';
import {createProgressView} from './progress-view.js';

export type InvokeCommandOptions = CommonOptions & {
	readonly args: CliArgs;
	readonly json?: boolean;
	readonly timeout?: number;
};

/**
 * `mlbridge invoke NAME --args JSON`: one call, its result printed as JSON. Ctrl-C aborts the call
 * (the runner is told) and exits 130.
 */
export async function runInvoke(name: string, options: InvokeCommandOptions, deps: CommandDeps): Promise<number> {
	const {io} = deps;
	const json = options.json === true;
	return withClient(deps, options, async client => {
		const controller = new AbortController();
		const undo = io.onInterrupt(() => {
			controller.abort(new Error('interrupted (Ctrl-C)'));
		});
		// Only a terminal gets a bar: piped output stays the result alone.
		const view = !json && io.tty ? createProgressView(io.stdout, {tty: true}) : undefined;
		try {
			const result = await client.invoke(name, options.args, {
				...(options.timeout === undefined ? {} : {timeoutMs: options.timeout}),
				signal: controller.signal,
				onProgress: progress => view?.update({...progress, atMs: io.now()}),
			});
			view?.stop();
			io.stdout.write(json ? `${JSON.stringify({ok: true, result: toJsonValue(result)})}\n` : `${jsonText(result, true)}\n`);
			return 0;
		} catch (error) {
			view?.stop();
			if (!controller.signal.aborted) {
				throw error;
			}

			printError(io, error, {json, verbose: options.verbose === true});
			return 130;
		} finally {
			undo();
		}
	});
}

export function defineInvoke(program: Command, deps: CommandDeps, report: (code: number) => void): void {
	addCommonOptions(
		program
			.command('invoke')
			.description('call a pipeline and print its result as JSON')
			.argument('<name>', 'the pipeline')
			.addOption(new Option('--args <json>', 'named arguments: a JSON object, or @FILE holding one').default({}, '{}').argParser(parseArgsJson))
			.option('--timeout <ms>', 'give up after this many milliseconds (default 30000)', parsePositiveInt)
			.option('--json', 'print {"ok": true, "result": ...} or {"ok": false, "error": {...}} on stdout'),
	).action(async (name: string, options: InvokeCommandOptions) => {
		report(await runInvoke(name, options, deps));
	});
}
