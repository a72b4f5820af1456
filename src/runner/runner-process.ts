import {createInterface} from 'node:readline';
import {execa, type ResultPromise} from 'execa';
import {checkPython, findPython} from './find-python.js';
import {pythonRunnerDir} from './package-paths.js';
import {runnerArgs, type RunnerOptions} from './runner-options.js';

/** One structured log event of the runner. */
export type RunnerEvent = {readonly event: string; readonly level?: string; readonly [field: string]: unknown};

export type RunnerExit = {readonly exitCode: number | undefined; readonly signal: string | undefined};

/** A runner lives for weeks: keep only the recent events. */
const maxKeptEvents = 2000;

type Waiter = {
	readonly match: (event: RunnerEvent) => boolean;
	readonly resolve: (event: RunnerEvent) => void;
};

/**
 * A Python runner started from Node (by the CLI, the demo, tests, benchmarks). Its JSON-lines log
 * on stderr is parsed into events, so callers can wait for `runner.assigned` and the like.
 */
export class RunnerProcess {
	readonly #child: ResultPromise;
	readonly #waiters = new Set<Waiter>();
	readonly #events: RunnerEvent[] = [];
	readonly exited: Promise<RunnerExit>;

	private constructor(child: ResultPromise, onLog: (line: string) => void) {
		this.#child = child;
		this.exited = child.then(result => ({
			exitCode: result.exitCode,
			signal: result.signal ?? undefined,
		}));
		if (child.stderr !== null) {
			createInterface({input: child.stderr}).on('line', line => {
				onLog(line);
				this.#record(line);
			});
		}
	}

	/** Spawn a runner; by default resolve once it has been assigned partitions. */
	static async start(options: RunnerOptions): Promise<RunnerProcess> {
		const choice = options.python === undefined ? findPython() : {python: options.python, source: 'options'};
		const check = await checkPython(choice);
		if (!check.ok) {
			throw new Error(check.problem);
		}

		const child = execa(choice.python, runnerArgs(options), {
			env: {...options.env, PYTHONPATH: joinPath(pythonRunnerDir, process.env['PYTHONPATH']), PYTHONUNBUFFERED: '1'},
			stdin: 'ignore',
			stdout: 'inherit',
			stderr: 'pipe',
			buffer: false,
			reject: false,
			cleanup: true,
			forceKillAfterDelay: 10_000,
		});
		const runner = new RunnerProcess(child, options.onLog ?? echoWarnings);
		const ready = options.waitUntilAssigned === false ? 'runner.started' : 'runner.assigned';
		const timeoutMs = options.startTimeoutMs ?? 60_000;
		const outcome = await Promise.race([
			runner.waitFor(ready).then(() => 'ready' as const),
			runner.exited.then(() => 'exited' as const),
			delay(timeoutMs).then(() => 'timeout' as const),
		]);
		if (outcome !== 'ready') {
			child.kill('SIGKILL');
			const tail = runner.events.slice(-5).map(e => JSON.stringify(e)).join('\n');
			throw new Error(`The runner ${outcome === 'exited' ? 'exited' : `was not ready after ${timeoutMs} ms`} before ${ready}\n${tail}`);
		}

		return runner;
	}

	get pid(): number | undefined {
		return this.#child.pid;
	}

	/** Every event seen so far. */
	get events(): readonly RunnerEvent[] {
		return this.#events;
	}

	/** Resolve with the first event (past or future) named `event` that passes `where`. */
	async waitFor(event: string, where: (e: RunnerEvent) => boolean = () => true): Promise<RunnerEvent> {
		const match = (e: RunnerEvent): boolean => e.event === event && where(e);
		const seen = this.#events.find(match);
		if (seen !== undefined) {
			return seen;
		}

		return new Promise(resolve => {
			this.#waiters.add({match, resolve});
		});
	}

	/** SIGTERM (graceful: finish in-flight calls, commit, leave the group) and wait for the exit. */
	async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<RunnerExit> {
		this.#child.kill(signal);
		return this.exited;
	}

	/** SIGKILL: a crash, as far as Kafka can tell. */
	async kill(): Promise<RunnerExit> {
		return this.stop('SIGKILL');
	}

	#record(line: string): void {
		let event: RunnerEvent;
		try {
			event = JSON.parse(line) as RunnerEvent;
		} catch {
			return;
		}

		if (typeof event !== 'object' || event === null || typeof event.event !== 'string') {
			return;
		}

		this.#events.push(event);
		if (this.#events.length > maxKeptEvents) {
			this.#events.splice(0, this.#events.length - maxKeptEvents);
		}

		for (const waiter of this.#waiters) {
			if (waiter.match(event)) {
				this.#waiters.delete(waiter);
				waiter.resolve(event);
			}
		}
	}
}

function echoWarnings(line: string): void {
	if (!/"level":\s*"(debug|info)"/i.test(line)) {
		process.stderr.write(line + '\n');
	}
}

function joinPath(first: string, rest: string | undefined): string {
	return rest === undefined || rest === '' ? first : `${first}:${rest}`;
}

async function delay(ms: number): Promise<void> {
	return new Promise(resolve => {
		setTimeout(resolve, ms).unref();
	});
}
