import {InvalidArgumentError, type Command} from 'commander';
import {clientOptions, type CliIo, type CommonOptions} from './command-context.js';

/** Flags `status` and `gc-replies` share besides the common ones. */
export type OperationsOptions = CommonOptions & {
	readonly timeout: number;
	readonly json?: boolean;
};

export const defaultOperationsTimeoutMs = 10_000;

export function addOperationsOptions(command: Command): Command {
	return command
		.option('--timeout <ms>', 'give up when the broker has not answered within this long (exit 1)', parseMs, defaultOperationsTimeoutMs)
		.option('--json', 'print one JSON object instead of tables');
}

/** Brokers and request topic from the flags, else the environment, else the defaults. */
export function operationsTarget(options: CommonOptions, io: CliIo): {brokers: string[]; requestTopic: string} {
	const resolved = clientOptions(options, io.env);
	return {
		brokers: [...(resolved.brokers ?? (io.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',').map(b => b.trim()).filter(b => b !== ''))],
		requestTopic: resolved.requestTopic ?? io.env['MLBRIDGE_REQUEST_TOPIC'] ?? 'ml.pipeline.input',
	};
}

function parseMs(text: string): number {
	const value = Number(text);
	if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value <= 0) {
		throw new InvalidArgumentError('expected milliseconds, a whole number > 0');
	}

	return value;
}

/** `90s`, `15m`, `1h`, `2d`, `500ms`, or plain milliseconds; `0` allowed. */
export function parseDuration(text: string): number {
	const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(text);
	if (match === null) {
		throw new InvalidArgumentError('expected a duration like 0, 90s, 15m, 1h, 2d or milliseconds');
	}

	const unit = {ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000}[(match[2] ?? 'ms') as 'ms' | 's' | 'm' | 'h' | 'd'];
	return Math.round(Number(match[1]) * unit);
}
