import {setTimeout as sleep} from 'node:timers/promises';
import type {CliJob, CliJobStatus} from './cli-client.js';
import type {CommandDeps} from './command-context.js';
import {isTerminal, runTime, stateText, statusJson, when} from './job-format.js';
import {errorJson, jsonText, printError, toJsonValue} from './output.js';
import {createProgressView} from './progress-view.js';

/** Exit code of a follow the user detached from with Ctrl-C (128 + SIGINT). */
export const detachedExitCode = 130;

/** How long the last progress reports may take to arrive after the result did. */
const progressTailMs = 1000;

type Outcome = {readonly ok: true; readonly value: unknown} | {readonly ok: false; readonly error: unknown};

/**
 * `job ID --follow` and `submit --follow`: show the progress while the job runs, then its result
 * (exit 0) or its typed error (exit 1). Ctrl-C detaches — the job goes on, and the message says so —
 * exit 130. With `json`, no progress: one object at the end.
 */
export async function followJob(
	job: CliJob,
	deps: CommandDeps,
	options: {readonly json: boolean; readonly verbose: boolean},
): Promise<number> {
	const {io} = deps;
	const {json} = options;
	// Ctrl-C stops waiting, never the job.
	const detach = new AbortController();
	const undo = io.onInterrupt(() => {
		detach.abort(new Error('detached'));
	});
	try {
		const initial = await job.status();
		if (!json && !isTerminal(initial)) {
			// A finished job gets only the closing line and its outcome.
			io.stdout.write(`job ${job.id} (${job.pipeline}): ${stateText(initial)}\n`);
		}

		// A first attempt counts from 0 at its start, so the ETA is there from the first report.
		const startedAtMs = when(initial.startedAtMs);
		const start = initial.attempt <= 1 && startedAtMs !== undefined ? {current: 0, atMs: startedAtMs} : undefined;
		const view = json ? undefined : createProgressView(io.stdout, {tty: io.tty, ...(start === undefined ? {} : {start})});
		if (initial.progress !== undefined && !isTerminal(initial)) {
			view?.update(initial.progress);
		}

		let following = true;
		const progressDone = (async () => {
			try {
				for await (const progress of job.progress) {
					if (!following) {
						break;
					}

					view?.update(progress);
				}
			} catch {
				// The result tells what went wrong; the progress stream only shows the way there.
			}
		})();
		const outcome = await job.result({signal: detach.signal}).then(
			(value): Outcome => ({ok: true, value}),
			(error: unknown): Outcome => ({ok: false, error}),
		);
		if (!outcome.ok && detach.signal.aborted) {
			following = false;
			view?.stop();
			if (json) {
				io.stdout.write(`${JSON.stringify({ok: false, detached: true, id: job.id})}\n`);
			}

			io.stderr.write(`\nDetached from job ${job.id}: it goes on running. Follow it again with: mlbridge job ${job.id} --follow\n`);
			return detachedExitCode;
		}

		await Promise.race([progressDone, sleep(progressTailMs, undefined, {ref: false})]);
		following = false;
		view?.stop();
		const final = await job.status().catch(() => undefined);
		return report(job, final, outcome, deps, options);
	} finally {
		undo();
	}
}

function report(
	job: CliJob,
	final: CliJobStatus | undefined,
	outcome: Outcome,
	{io}: CommandDeps,
	options: {readonly json: boolean; readonly verbose: boolean},
): number {
	if (options.json) {
		const body = outcome.ok ? {result: toJsonValue(outcome.value)} : {error: errorJson(outcome.error)};
		io.stdout.write(`${JSON.stringify({ok: outcome.ok, ...(final === undefined ? {} : {job: statusJson(final)}), ...body})}\n`);
		return outcome.ok ? 0 : 1;
	}

	if (final !== undefined) {
		const timing = when(final.startedAtMs) === undefined ? '' : `, ran ${runTime(final, io.now())}`;
		io.stdout.write(`job ${job.id}: ${stateText(final)}${timing}\n`);
	}

	if (!outcome.ok) {
		printError(io, outcome.error, {json: false, verbose: options.verbose});
		return 1;
	}

	io.stdout.write(`${jsonText(outcome.value, true)}\n`);
	return 0;
}
