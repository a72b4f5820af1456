/**
 * Structured, quiet-by-default logging: one JSON object per line on stderr. Library code must not
 * chatter, so the default level is `warn`; `MLBRIDGE_LOG_LEVEL=debug` shows every call.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export type LogFields = Readonly<Record<string, unknown>>;

export type Logger = {
	readonly level: LogLevel;
	debug(event: string, fields?: LogFields): void;
	info(event: string, fields?: LogFields): void;
	warn(event: string, fields?: LogFields): void;
	error(event: string, fields?: LogFields): void;
	/** True when `level` would be written: callers skip building costly fields otherwise. */
	enabled(level: LogLevel): boolean;
};

const rank: Readonly<Record<LogLevel, number>> = {debug: 10, info: 20, warn: 30, error: 40, silent: 99};

export function parseLogLevel(value: string | undefined, fallback: LogLevel): LogLevel {
	if (value !== undefined && value in rank) {
		return value as LogLevel;
	}

	return fallback;
}

export type LogSink = (line: string) => void;

const stderrSink: LogSink = line => {
	process.stderr.write(line + '\n');
};

export function createLogger(
	level: LogLevel = parseLogLevel(process.env['MLBRIDGE_LOG_LEVEL'], 'warn'),
	context: LogFields = {},
	sink: LogSink = stderrSink,
): Logger {
	const threshold = rank[level];
	const write = (lvl: Exclude<LogLevel, 'silent'>, event: string, fields?: LogFields) => {
		if (rank[lvl] < threshold) {
			return;
		}

		sink(
			JSON.stringify(
				{ts: new Date().toISOString(), level: lvl, event, ...context, ...fields},
				(_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value),
			),
		);
	};

	return {
		level,
		debug: (event, fields) => write('debug', event, fields),
		info: (event, fields) => write('info', event, fields),
		warn: (event, fields) => write('warn', event, fields),
		error: (event, fields) => write('error', event, fields),
		enabled: lvl => rank[lvl] >= threshold,
	};
}

/**
 * The fields of a log line about one call or job: `requestId`, `pipeline`, and `trace_id` when the
 * call is traced and sampled — the key OpenTelemetry's log bridges (pino, winston) and the Python
 * runner write, so one query finds a trace's lines on both sides.
 */
export function callFields(requestId: string, pipeline: string, traceId: string | undefined, fields?: LogFields): LogFields {
	return traceId === undefined ? {requestId, pipeline, ...fields} : {requestId, pipeline, trace_id: traceId, ...fields};
}
