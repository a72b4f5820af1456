import {MlbridgeError} from '../errors/index.js';

/** Printing for the client commands: values as JSON, errors, tables, times. */

type Io = {readonly stdout: NodeJS.WritableStream; readonly stderr: NodeJS.WritableStream};

/**
 * A decoded value made JSON-safe: bigints beyond 2^53 become decimal strings, bytes base64 strings,
 * dates ISO strings, maps objects.
 */
export function toJsonValue(value: unknown): unknown {
	if (typeof value === 'bigint') {
		return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
	}

	if (value instanceof Uint8Array) {
		return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
	}

	if (value instanceof Date) {
		return Number.isNaN(value.getTime()) ? null : value.toISOString();
	}

	if (value instanceof Map) {
		return Object.fromEntries([...value].map(([k, v]) => [String(k), toJsonValue(v)]));
	}

	if (value instanceof Set) {
		return [...value].map(v => toJsonValue(v));
	}

	if (Array.isArray(value)) {
		return value.map(v => (v === undefined ? null : toJsonValue(v)));
	}

	if (value !== null && typeof value === 'object') {
		return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [k, toJsonValue(v)]));
	}

	return value === undefined ? null : value;
}

/** Pretty (two-space) JSON for people, one line for `--json`. */
export function jsonText(value: unknown, pretty: boolean): string {
	return JSON.stringify(toJsonValue(value), undefined, pretty ? 2 : undefined);
}

/** The fields of an error worth showing; typed errors keep their own (pipeline, remote type, …). */
export function errorJson(error: unknown): Record<string, unknown> {
	if (!(error instanceof Error)) {
		return {name: 'Error', message: String(error)};
	}

	const fields: Record<string, unknown> = {name: error.name, message: error.message};
	if (error instanceof MlbridgeError) {
		fields['code'] = error.code;
		fields['retryable'] = error.retryable;
		if (error.requestId !== undefined) {
			fields['requestId'] = error.requestId;
		}
	}

	const record = error as unknown as Record<string, unknown>;
	for (const key of ['jobId', 'pipeline', 'reason', 'attempts', 'maxAttempts', 'runner', 'remoteType', 'remoteTraceback', 'causes']) {
		const value = record[key];
		if (value !== undefined && value !== '' && !(Array.isArray(value) && value.length === 0)) {
			fields[key] = value;
		}
	}

	return toJsonValue(fields) as Record<string, unknown>;
}

/**
 * `PipelineError [PIPELINE_ERROR]: boom` (+ the remote type and runner, + the traceback when
 * verbose). With `json`, `{"ok":false,"error":{...}}` on stdout instead.
 */
export function printError(io: Io, error: unknown, options: {readonly json: boolean; readonly verbose: boolean}): void {
	const fields = errorJson(error);
	if (options.json) {
		io.stdout.write(`${JSON.stringify({ok: false, error: fields})}\n`);
		return;
	}

	io.stderr.write(formatError(error, options.verbose));
}

export function formatError(error: unknown, verbose: boolean): string {
	if (!(error instanceof MlbridgeError)) {
		if (!(error instanceof Error)) {
			return `mlbridge: ${String(error)}\n`;
		}

		return `mlbridge: ${verbose && error.stack !== undefined ? error.stack : `${error.name}: ${error.message}`}\n`;
	}

	const fields = errorJson(error);
	const details: string[] = [];
	for (const [key, label] of [['remoteType', 'remote'], ['jobId', 'job'], ['requestId', 'request'], ['runner', 'runner']] as const) {
		if (typeof fields[key] === 'string') {
			details.push(`${label} ${fields[key]}`);
		}
	}

	let text = `${error.name} [${error.code}]: ${error.message}\n`;
	if (details.length > 0) {
		text += `  (${details.join(', ')})\n`;
	}

	const traceback = fields['remoteTraceback'];
	if (typeof traceback === 'string') {
		text += verbose ? `${traceback.trimEnd()}\n` : '  (--verbose prints the remote traceback)\n';
	}

	return text;
}

/** Columns padded to their widest cell; the last column is not padded. */
export function formatTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
	const widths = header.map((title, i) => Math.max(title.length, ...rows.map(row => (row[i] ?? '').length)));
	const line = (cells: readonly string[]): string =>
		cells
			.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
			.join('  ')
			.trimEnd();
	return [line(header), ...rows.map(row => line(row))].join('\n') + '\n';
}

/** `850ms`, `42s`, `3m 05s`, `2h 03m`, `3d 04h`. */
export function formatDuration(ms: number): string {
	if (!Number.isFinite(ms) || ms < 0) {
		return '?';
	}

	if (ms < 1000) {
		return `${Math.round(ms)}ms`;
	}

	const seconds = Math.round(ms / 1000);
	const two = (n: number): string => String(n).padStart(2, '0');
	if (seconds < 60) {
		return `${seconds}s`;
	}

	if (seconds < 3600) {
		return `${Math.floor(seconds / 60)}m ${two(seconds % 60)}s`;
	}

	if (seconds < 86_400) {
		return `${Math.floor(seconds / 3600)}h ${two(Math.floor((seconds % 3600) / 60))}m`;
	}

	return `${Math.floor(seconds / 86_400)}d ${two(Math.floor((seconds % 86_400) / 3600))}h`;
}

/** `2026-12-04 14:21:42` in UTC: the same in every time zone and sortable. */
export function formatTime(ms: number | undefined): string {
	if (ms === undefined || !Number.isFinite(ms) || ms <= 0) {
		return '-';
	}

	return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

/** The first line of a text, cut to `max` characters with an ellipsis. */
export function clip(text: string, max: number): string {
	const line = text.trim().split('\n', 1)[0] ?? '';
	return line.length <= max ? line : `${line.slice(0, Math.max(0, max - 1))}…`;
}
