import type {CliJobStatus} from './cli-client.js';
import {clip, formatDuration, formatTable, formatTime, toJsonValue} from './output.js';

/** How a job's status reads: the `job ID` block, the `jobs` table, the `--json` object. */

/** A status time, or undefined for "not yet" (the status says 0). */
export function when(ms: number | undefined): number | undefined {
	return ms === undefined || !(ms > 0) ? undefined : ms;
}

export function isTerminal(status: CliJobStatus): boolean {
	return status.state === 'SUCCEEDED' || status.state === 'FAILED' || status.state === 'CANCELLED';
}

/** `RUNNING, attempt 1 of 3` */
export function stateText(status: CliJobStatus): string {
	return status.attempt > 0 ? `${status.state}, attempt ${status.attempt} of ${status.maxAttempts}` : status.state;
}

/** `3/10 (30%): epoch 3`, or `-`. */
export function progressText(status: CliJobStatus, max = 60): string {
	const {progress} = status;
	if (progress === undefined) {
		return '-';
	}

	const counts = progress.total === undefined ? String(progress.current) : `${progress.current}/${progress.total}`;
	const pct = progress.total !== undefined && progress.total > 0 ? ` (${Math.floor((progress.current / progress.total) * 100)}%)` : '';
	return clip(`${counts}${pct}${progress.message === '' ? '' : `: ${progress.message}`}`, max);
}

/** How long it has run: start to finish, start to now while running, `-` before it started. */
export function runTime(status: CliJobStatus, nowMs: number): string {
	const started = when(status.startedAtMs);
	if (started === undefined) {
		return '-';
	}

	return formatDuration((when(status.finishedAtMs) ?? nowMs) - started);
}

/** The `mlbridge job ID` block: one labelled line per fact. */
export function formatStatus(status: CliJobStatus, nowMs: number): string {
	const ago = (ms: number | undefined): string => (when(ms) === undefined ? '' : ` (${formatDuration(Math.max(0, nowMs - (ms ?? 0)))} ago)`);
	const rows: Array<[string, string]> = [
		['job', status.id],
		['pipeline', status.pipeline],
		['state', stateText(status)],
		['submitted', `${formatTime(status.submittedAtMs)} UTC${ago(status.submittedAtMs)}${status.submittedBy === '' ? '' : ` by ${status.submittedBy}`}`],
	];
	if (when(status.startedAtMs) !== undefined) {
		rows.push(['started', `${formatTime(status.startedAtMs)} UTC${ago(status.startedAtMs)}`]);
	}

	if (status.runner !== '') {
		rows.push(['runner', status.runner]);
	}

	const heartbeat = when(status.heartbeatAtMs);
	if (!isTerminal(status) && heartbeat !== undefined) {
		rows.push(['heartbeat', `${formatDuration(Math.max(0, nowMs - heartbeat))} ago`]);
	}

	if (when(status.finishedAtMs) !== undefined) {
		rows.push(['finished', `${formatTime(status.finishedAtMs)} UTC (ran ${runTime(status, nowMs)})`]);
	}

	if (status.progress !== undefined) {
		rows.push(['progress', progressText(status, 200)]);
	}

	if (status.hasCheckpoint) {
		rows.push(['checkpoint', 'yes']);
	}

	if (status.error !== undefined) {
		rows.push(['error', `${status.error.code}: ${status.error.type === '' ? '' : `${status.error.type}: `}${status.error.message}`]);
	}

	const width = Math.max(...rows.map(([label]) => label.length));
	return rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n') + '\n';
}

/** The `mlbridge jobs` table, newest first as the client lists them. */
export function formatJobsTable(statuses: readonly CliJobStatus[], nowMs: number): string {
	if (statuses.length === 0) {
		return 'no jobs\n';
	}

	return formatTable(
		['ID', 'PIPELINE', 'STATE', 'ATTEMPT', 'SUBMITTED (UTC)', 'RAN', 'PROGRESS'],
		statuses.map(status => [
			status.id,
			status.pipeline,
			status.state,
			status.attempt > 0 ? `${status.attempt}/${status.maxAttempts}` : '-',
			formatTime(status.submittedAtMs),
			runTime(status, nowMs),
			isTerminal(status) && status.error !== undefined ? clip(status.error.code, 40) : progressText(status, 40),
		]),
	);
}

/** A status as JSON: every field, the times in milliseconds since the epoch. */
export function statusJson(status: CliJobStatus): unknown {
	return toJsonValue(status);
}
