/**
 * Errors of `mlbridge codegen`. Each carries the exit code the CLI ends with, so scripts can tell
 * a typo on the command line from a pipelines file that raised or a broker that is down.
 *
 * CodegenError
 * ├── CodegenUsageError        bad command line (exit 2)
 * ├── PythonUnavailableError   no Python with the runner's dependencies (exit 3)
 * ├── PipelinesLoadError       the pipelines file is missing, raised, or printed garbage (exit 4)
 * ├── NoPipelinesError         nothing to generate: no pipelines, or --only matched none (exit 5)
 * ├── CatalogUnavailableError  the broker (or its catalogue topic) could not be read (exit 6)
 * ├── SchemaError              a pipeline's schema is not Avro the generator understands (exit 7)
 * └── OutputWriteError         the output file could not be written (exit 8)
 */
export class CodegenError extends Error {
	/** Stable machine-readable code. */
	readonly code: string;
	/** What `mlbridge codegen` exits with when this error ends it. */
	readonly exitCode: number;

	constructor(message: string, options: {code: string; exitCode: number; cause?: unknown}) {
		super(message, options.cause === undefined ? undefined : {cause: options.cause});
		this.name = new.target.name;
		this.code = options.code;
		this.exitCode = options.exitCode;
	}
}

export class CodegenUsageError extends CodegenError {
	constructor(message: string) {
		super(message, {code: 'CODEGEN_USAGE', exitCode: 2});
	}
}

export class PythonUnavailableError extends CodegenError {
	constructor(message: string) {
		super(message, {code: 'CODEGEN_PYTHON_UNAVAILABLE', exitCode: 3});
	}
}

export class PipelinesLoadError extends CodegenError {
	/** The file or module given with --pipelines. */
	readonly pipelines: string;

	constructor(pipelines: string, message: string, cause?: unknown) {
		super(message, {code: 'CODEGEN_PIPELINES_LOAD', exitCode: 4, cause});
		this.pipelines = pipelines;
	}
}

export class NoPipelinesError extends CodegenError {
	constructor(message: string) {
		super(message, {code: 'CODEGEN_NO_PIPELINES', exitCode: 5});
	}
}

export class CatalogUnavailableError extends CodegenError {
	readonly brokers: readonly string[];

	constructor(brokers: readonly string[], message: string, cause?: unknown) {
		super(message, {code: 'CODEGEN_CATALOG_UNAVAILABLE', exitCode: 6, cause});
		this.brokers = brokers;
	}
}

export class SchemaError extends CodegenError {
	/** Where in the schema: `add.args.fields[1].type`. */
	readonly path: string;

	constructor(path: string, message: string) {
		super(`${path}: ${message}`, {code: 'CODEGEN_SCHEMA', exitCode: 7});
		this.path = path;
	}
}

export class OutputWriteError extends CodegenError {
	readonly file: string;

	constructor(file: string, cause: unknown) {
		super(`Cannot write ${file}: ${(cause as Error).message}`, {code: 'CODEGEN_OUTPUT_WRITE', exitCode: 8, cause});
		this.file = file;
	}
}
