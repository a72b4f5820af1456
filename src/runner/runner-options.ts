export type RunnerOptions = {
	/** Python files or importable modules whose `@pipeline` functions the runner may call. */
	readonly pipelines: readonly string[];
	/** @default `KAFKA_BROKERS`, else `["127.0.0.1:9092"]` */
	readonly brokers?: readonly string[];
	/** @default `MLBRIDGE_REQUEST_TOPIC`, else `"ml.pipeline.input"` */
	readonly requestTopic?: string;
	/** Consumer group shared by all runners of one deployment. @default "mlbridge-runners" */
	readonly group?: string;
	/** Calls run at once by this runner. @default 8 */
	readonly concurrency?: number;
	/** More `python -m mlbridge_runner` flags, passed as they are. */
	readonly extraArgs?: readonly string[];
	/** The Python executable. @default what findPython() picks */
	readonly python?: string;
	/** Extra environment for the runner process. */
	readonly env?: Readonly<Record<string, string>>;
	/** The runner's log level; lines below warn are parsed, not printed. @default "info" */
	readonly logLevel?: string;
	/** Resolve start only once the runner owns partitions of the request topic. @default true */
	readonly waitUntilAssigned?: boolean;
	/** How long start may take. @default 60_000 */
	readonly startTimeoutMs?: number;
	/** Receives every log line of the runner (JSON text). @default lines at warn and above go to stderr */
	readonly onLog?: (line: string) => void;
};

/** The `python -m mlbridge_runner` arguments for these options. */
export function runnerArgs(options: RunnerOptions): string[] {
	const args = ['-m', 'mlbridge_runner'];
	for (const pipelines of options.pipelines) {
		args.push('--pipelines', pipelines);
	}

	if (options.brokers !== undefined) {
		args.push('--brokers', options.brokers.join(','));
	}

	if (options.requestTopic !== undefined) {
		args.push('--request-topic', options.requestTopic);
	}

	if (options.group !== undefined) {
		args.push('--group', options.group);
	}

	if (options.concurrency !== undefined) {
		args.push('--concurrency', String(options.concurrency));
	}

	// Start detection reads the INFO lifecycle events, so the runner logs at least those.
	args.push('--log-level', options.logLevel ?? 'info');

	args.push(...(options.extraArgs ?? []));
	return args;
}
