import cliProgress from 'cli-progress';
import type {CliProgress} from './cli-client.js';
import {clip, formatDuration} from './output.js';

/**
 * Shows a running pipeline's progress: a bar redrawn in place when stdout is a terminal
 * (cli-progress), one plain line per report otherwise, so scripts and logs read it.
 */
export type ProgressView = {
	update(progress: CliProgress): void;
	/** Leave the bar where it is and end the line; idempotent. */
	stop(): void;
};

/**
 * Remaining time from the reports seen: the rate between the first report (or the attempt's start,
 * counted from 0) and the newest one. Runner clocks only, so the caller's clock never skews it.
 */
export class EtaEstimator {
	#first: {current: number; atMs: number} | undefined;
	#last: {current: number; atMs: number} | undefined;

	constructor(start?: {current: number; atMs: number}) {
		this.#first = start;
	}

	observe(progress: CliProgress): void {
		if (this.#first === undefined || progress.current < this.#first.current) {
			// The first report, or a new attempt that began below where we started counting.
			this.#first = {current: progress.current, atMs: progress.atMs};
		}

		this.#last = {current: progress.current, atMs: progress.atMs};
	}

	/** Milliseconds left, or undefined while there is no rate to go by (or no total). */
	remainingMs(total: number | undefined): number | undefined {
		const first = this.#first;
		const last = this.#last;
		if (total === undefined || first === undefined || last === undefined) {
			return undefined;
		}

		if (last.current >= total) {
			return 0;
		}

		const done = last.current - first.current;
		const elapsed = last.atMs - first.atMs;
		if (done <= 0 || elapsed <= 0) {
			return undefined;
		}

		return ((total - last.current) * elapsed) / done;
	}
}

/** `2m 05s`; under a second `<1s`; nothing left `0s`. */
export function etaText(ms: number): string {
	if (ms <= 0) {
		return '0s';
	}

	return ms < 1000 ? '<1s' : formatDuration(ms);
}

function percent(progress: CliProgress): string | undefined {
	const {current, total} = progress;
	if (total === undefined || !(total > 0)) {
		return undefined;
	}

	return `${Math.min(100, Math.max(0, Math.floor((current / total) * 100)))}%`;
}

function counts(progress: CliProgress): string {
	return progress.total === undefined ? String(progress.current) : `${progress.current}/${progress.total}`;
}

/** `3/10 (30%), ETA 1m 05s: epoch 3` */
export function formatPlainLine(progress: CliProgress, etaMs: number | undefined): string {
	const pct = percent(progress);
	let text = `progress ${counts(progress)}${pct === undefined ? '' : ` (${pct})`}`;
	if (etaMs !== undefined) {
		text += `, ETA ${etaText(etaMs)}`;
	}

	return progress.message === '' ? text : `${text}: ${clip(progress.message, 200)}`;
}

/** `[████░░░░] 30% 3/10 | ETA 1m 05s | epoch 3`, cut to the terminal's width. */
export function formatBarLine(progress: CliProgress, etaMs: number | undefined, bar: string, maxWidth: number): string {
	const pct = percent(progress);
	const parts = [pct === undefined ? counts(progress) : `${bar} ${pct.padStart(4)} ${counts(progress)}`];
	parts.push(`ETA ${etaMs === undefined ? '--' : etaText(etaMs)}`);
	if (progress.message !== '') {
		parts.push(progress.message.trim().split('\n', 1)[0] ?? '');
	}

	return clip(parts.join(' | '), Math.max(20, maxWidth - 1));
}

export function createProgressView(
	out: NodeJS.WritableStream,
	options: {readonly tty: boolean; readonly start?: {current: number; atMs: number}},
): ProgressView {
	const eta = new EtaEstimator(options.start);
	if (!options.tty) {
		let lastLine = '';
		return {
			update(progress) {
				eta.observe(progress);
				const line = formatPlainLine(progress, eta.remainingMs(progress.total));
				if (line !== lastLine) {
					out.write(`${line}\n`);
					lastLine = line;
				}
			},
			stop() {},
		};
	}

	let latest: CliProgress | undefined;
	const bar = new cliProgress.SingleBar({
		stream: out,
		hideCursor: true,
		gracefulExit: false,
		barsize: 30,
		barCompleteChar: '\u2588',
		barIncompleteChar: '\u2591',
		format: (barOptions, params) =>
			latest === undefined
				? ''
				: formatBarLine(latest, eta.remainingMs(latest.total), cliProgress.Format.BarFormat(params.progress, barOptions), params.maxWidth),
	});
	let started = false;
	let stopped = false;
	return {
		update(progress) {
			if (stopped) {
				return;
			}

			eta.observe(progress);
			latest = progress;
			const total = progress.total !== undefined && progress.total > 0 ? progress.total : Math.max(1, progress.current);
			if (started) {
				bar.setTotal(total);
				bar.update(progress.current);
			} else {
				bar.start(total, progress.current);
				started = true;
			}
		},
		stop() {
			if (started && !stopped) {
				bar.stop();
			}

			stopped = true;
		},
	};
}
