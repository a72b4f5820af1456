/**
 * The part of a catalogue entry (schemas/catalog.avsc) codegen reads, and checks on entries that
 * arrive as JSON from `python -m mlbridge_runner catalog --json`.
 */
import {NoPipelinesError, PipelinesLoadError} from './codegen-errors.js';

export type CodegenEntry = {
	readonly name: string;
	readonly version: number;
	readonly doc: string;
	/** False: the pipeline lacks complete type hints and takes generic values. */
	readonly typed: boolean;
	/** Avro schema JSON text of the arguments record; `''` when untyped. */
	readonly argsSchema: string;
	/** Avro schema JSON text of the result; `''` when untyped. */
	readonly resultSchema: string;
};

/** Check the runner's `catalog --json` output: an array of entries (or `{entries: [...]}`). */
export function parseEntriesJson(stdout: string, source: string): CodegenEntry[] {
	let parsed: unknown;
	try {
		parsed = JSON.parse(stdout);
	} catch (error) {
		throw new PipelinesLoadError(source, `The runner's catalogue output for ${source} is not JSON: ${preview(stdout)}`, error);
	}

	const list = Array.isArray(parsed) ? parsed : (parsed as {entries?: unknown} | null)?.entries;
	if (!Array.isArray(list)) {
		throw new PipelinesLoadError(source, `The runner's catalogue output for ${source} is not a list of entries: ${preview(stdout)}`);
	}

	// SCHEMA entries (schemas pinned by clients) carry no pipeline.
	return list.flatMap((item, i) =>
		(item as {kind?: unknown} | null)?.kind === 'SCHEMA' ? [] : [toEntry(item, `${source}: entry ${i}`, source)],
	);
}

function toEntry(item: unknown, where: string, source: string): CodegenEntry {
	if (typeof item !== 'object' || item === null) {
		throw new PipelinesLoadError(source, `${where} is not an object`);
	}

	const record = item as Record<string, unknown>;
	const field = <T>(name: string, check: (v: unknown) => v is T, fallback?: T): T => {
		const value = record[name] ?? fallback;
		if (!check(value)) {
			throw new PipelinesLoadError(source, `${where}: "${name}" is ${JSON.stringify(record[name]) ?? 'missing'}`);
		}

		return value;
	};

	const isString = (v: unknown): v is string => typeof v === 'string';
	const entry: CodegenEntry = {
		name: field('name', (v): v is string => isString(v) && v !== ''),
		version: field('version', (v): v is number => Number.isInteger(v)),
		doc: field('doc', isString, ''),
		typed: field('typed', (v): v is boolean => typeof v === 'boolean'),
		argsSchema: field('argsSchema', isString, ''),
		resultSchema: field('resultSchema', isString, ''),
	};
	if (entry.typed && (entry.argsSchema === '' || entry.resultSchema === '')) {
		throw new PipelinesLoadError(source, `${where}: typed pipeline ${entry.name} has no ${entry.argsSchema === '' ? 'argsSchema' : 'resultSchema'}`);
	}

	return entry;
}

/** The newest version of each pipeline; the catalogue keeps every published version. */
export function newestPerName(entries: readonly CodegenEntry[]): CodegenEntry[] {
	const newest = new Map<string, CodegenEntry>();
	for (const entry of entries) {
		const seen = newest.get(entry.name);
		if (seen === undefined || entry.version > seen.version) {
			newest.set(entry.name, entry);
		}
	}

	return [...newest.values()];
}

/** Keep the pipelines named in `--only`; a name that matches nothing is an error, not a silent no-op. */
export function selectEntries(entries: readonly CodegenEntry[], only: readonly string[] | undefined): CodegenEntry[] {
	if (only === undefined) {
		return [...entries];
	}

	const known = new Set(entries.map(e => e.name));
	const missing = only.filter(name => !known.has(name));
	if (missing.length > 0) {
		throw new NoPipelinesError(
			`--only names ${missing.map(n => JSON.stringify(n)).join(', ')}, not found; known pipelines: ${
				known.size === 0 ? '(none)' : [...known].sort().join(', ')
			}`,
		);
	}

	const wanted = new Set(only);
	return entries.filter(e => wanted.has(e.name));
}

function preview(text: string): string {
	const trimmed = text.trim();
	return trimmed === '' ? '(empty output)' : JSON.stringify(trimmed.length > 200 ? `${trimmed.slice(0, 200)}…` : trimmed);
}
