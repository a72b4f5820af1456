/**
 * This client's view of the catalogue topic: the newest entry per key (tombstones retire keys) and
 * every schema text by ref. Fed by Transport.tail(); nothing is committed, every client reads the
 * whole compacted topic.
 */
import type {AvroSchema} from '../contract/contract.js';
import type {Logger} from '../logging/logger.js';
import type {TailRecord} from '../transport/transport.js';
import {type CatalogEntry, decodeCatalogEntry, parseCatalogKey} from './catalog-entry.js';
import type {PipelineDescription} from './pipeline-description.js';

export class CatalogView {
	/** name → version → entry. */
	readonly #pipelines = new Map<string, Map<number, CatalogEntry>>();
	/** ref → schema JSON text. Kept after a retire: replies written with it may still arrive. */
	readonly #schemas = new Map<string, string>();
	readonly #schemaKeys = new Map<string, string>();
	readonly #waiters = new Map<string, Set<(text: string) => void>>();
	readonly #logger: Logger;

	constructor(logger: Logger) {
		this.#logger = logger;
	}

	/** Apply one record of the catalogue topic. Records that are not catalogue entries are skipped. */
	apply(record: TailRecord): void {
		const key = parseCatalogKey(record.key);
		if (key === undefined) {
			this.#logger.debug('catalog.bad_key', {key: record.key?.slice(0, 120) ?? null});
			return;
		}

		if (record.value === null) {
			if (key.kind === 'PIPELINE') {
				this.#pipelines.get(key.name)?.delete(key.version);
				if (this.#pipelines.get(key.name)?.size === 0) {
					this.#pipelines.delete(key.name);
				}
			}

			return;
		}

		let entry: CatalogEntry;
		try {
			entry = decodeCatalogEntry(record.value);
		} catch (error) {
			this.#logger.warn('catalog.undecodable', {key: record.key, error: String(error)});
			return;
		}

		if (entry.kind === 'SCHEMA') {
			if (key.kind !== 'SCHEMA' || key.ref !== entry.name) {
				this.#logger.warn('catalog.key_mismatch', {key: record.key, name: entry.name});
				return;
			}

			this.#addSchema(entry.name, entry.argsSchema);
			this.#schemaKeys.set(entry.name, entry.argsSchema);
			return;
		}

		if (key.kind !== 'PIPELINE' || key.name !== entry.name || key.version !== entry.version) {
			this.#logger.warn('catalog.key_mismatch', {key: record.key, name: entry.name, version: entry.version});
			return;
		}

		let versions = this.#pipelines.get(entry.name);
		if (versions === undefined) {
			versions = new Map();
			this.#pipelines.set(entry.name, versions);
		}

		versions.set(entry.version, entry);
		if (entry.typed) {
			this.#addSchema(entry.argsRef, entry.argsSchema);
			this.#addSchema(entry.resultRef, entry.resultSchema);
		}
	}

	/** The entry of the newest version of `name`. */
	newest(name: string): CatalogEntry | undefined {
		const versions = this.#pipelines.get(name);
		if (versions === undefined) {
			return undefined;
		}

		let newest: CatalogEntry | undefined;
		for (const entry of versions.values()) {
			if (newest === undefined || entry.version > newest.version) {
				newest = entry;
			}
		}

		return newest;
	}

	/** The JSON text of the schema with this ref, when any entry carried it. */
	schemaText(ref: string): string | undefined {
		return this.#schemas.get(ref);
	}

	/** Whether a `schema/<ref>` entry with exactly this text is already published. */
	hasSchemaEntry(ref: string, text: string): boolean {
		return this.#schemaKeys.get(ref) === text;
	}

	/** Resolves with the schema text once an entry carries `ref`, or undefined after `timeoutMs`. */
	async waitForSchema(ref: string, timeoutMs: number): Promise<string | undefined> {
		const known = this.#schemas.get(ref);
		if (known !== undefined) {
			return known;
		}

		return new Promise(resolve => {
			let waiters = this.#waiters.get(ref);
			if (waiters === undefined) {
				waiters = new Set();
				this.#waiters.set(ref, waiters);
			}

			const set = waiters;
			const onSchema = (text: string): void => {
				clearTimeout(timer);
				resolve(text);
			};

			const timer = setTimeout(() => {
				set.delete(onSchema);
				if (set.size === 0) {
					this.#waiters.delete(ref);
				}

				resolve(undefined);
			}, timeoutMs);
			set.add(onSchema);
		});
	}

	/** Names of every published pipeline, sorted. */
	names(): string[] {
		return [...this.#pipelines.keys()].sort();
	}

	describe(name: string): PipelineDescription | undefined {
		const newest = this.newest(name);
		if (newest === undefined) {
			return undefined;
		}

		return {
			name,
			version: newest.version,
			versions: [...this.#pipelines.get(name)!.keys()].sort((a, b) => a - b),
			doc: newest.doc,
			typed: newest.typed,
			argsSchema: parseSchema(newest.typed ? newest.argsSchema : ''),
			resultSchema: parseSchema(newest.typed ? newest.resultSchema : ''),
			timeoutMs: newest.timeoutMs ?? undefined,
			runner: newest.runner,
			lane: newest.lane ?? 'CALL',
		};
	}

	#addSchema(ref: string, text: string): void {
		if (ref === '' || text === '') {
			return;
		}

		this.#schemas.set(ref, text);
		const waiters = this.#waiters.get(ref);
		if (waiters !== undefined) {
			this.#waiters.delete(ref);
			for (const waiter of waiters) {
				waiter(text);
			}
		}
	}
}

function parseSchema(text: string): AvroSchema | undefined {
	if (text === '') {
		return undefined;
	}

	try {
		return JSON.parse(text) as AvroSchema;
	} catch {
		return undefined;
	}
}
