/**
 * Which schemas a call uses: (1) the pinned contract's, else (2) the newest catalogue version's,
 * else none (the generic Value encoding).
 */
import type {CatalogEntry} from '../catalog/catalog-entry.js';
import type {CatalogView} from '../catalog/catalog-view.js';
import type {PipelineDescription} from '../catalog/pipeline-description.js';
import type {Contract, ContractPipeline} from '../contract/contract.js';
import type {SchemaStore} from '../contract/schema-store.js';
import type {TypedSchema} from '../contract/typed-codec.js';
import type {PipelineTypes} from './pipeline-types.js';

export type CallSchemas = {
	/** Arguments are validated against and encoded with this record schema. */
	readonly args: TypedSchema;
	/** Results are read as this schema (resolved from the writer's). */
	readonly result: TypedSchema;
};

type Pinned = {readonly pipeline: ContractPipeline; readonly schemas: CallSchemas | undefined};

/** The contract's pipelines with their schemas compiled, by name. */
export type PinnedSchemas = ReadonlyMap<string, Pinned>;

/**
 * Compile every schema of the contract (before any network work, so a bad contract fails fast);
 * throws TypeError naming the pipeline for a bad one.
 */
export function compileContract(store: SchemaStore, contract: Contract<PipelineTypes> | undefined): PinnedSchemas {
	const pinned = new Map<string, Pinned>();
	for (const [name, pipeline] of Object.entries(contract?.pipelines ?? {})) {
		pinned.set(name, {pipeline, schemas: compilePinned(store, name, pipeline)});
	}

	return pinned;
}

export class CallSchemaChooser {
	/** name → pinned schemas; `schemas: undefined` pins the generic encoding. */
	readonly #pinned: PinnedSchemas;
	readonly #fromCatalog = new Map<string, {entry: CatalogEntry; schemas: CallSchemas | undefined}>();
	readonly #view: CatalogView | undefined;
	readonly #store: SchemaStore;

	constructor(store: SchemaStore, view: CatalogView | undefined, pinned: PinnedSchemas) {
		this.#store = store;
		this.#view = view;
		this.#pinned = pinned;
	}

	/** The contract's compiled schemas (published to the catalogue on connect). */
	pinnedSchemas(): TypedSchema[] {
		return [...this.#pinned.values()].flatMap(p => (p.schemas === undefined ? [] : [p.schemas.args, p.schemas.result]));
	}

	/** The schemas of a call to `name`, or undefined for the generic encoding. */
	forPipeline(name: string): CallSchemas | undefined {
		const pinned = this.#pinned.get(name);
		if (pinned !== undefined) {
			return pinned.schemas;
		}

		const entry = this.#view?.newest(name);
		if (entry === undefined || !entry.typed) {
			return undefined;
		}

		const cached = this.#fromCatalog.get(name);
		if (cached?.entry === entry) {
			return cached.schemas;
		}

		const args = this.#store.get(entry.argsRef);
		const result = this.#store.get(entry.resultRef);
		const schemas = args === undefined || result === undefined ? undefined : {args, result};
		this.#fromCatalog.set(name, {entry, schemas});
		return schemas;
	}

	/** Every pipeline the catalogue or the contract knows, sorted by name. */
	list(): PipelineDescription[] {
		const names = new Set([...(this.#view?.names() ?? []), ...this.#pinned.keys()]);
		return [...names].sort().map(name => this.describe(name)!);
	}

	/** The catalogue's description, else the contract's; undefined when neither knows `name`. */
	describe(name: string): PipelineDescription | undefined {
		const published = this.#view?.describe(name);
		if (published !== undefined) {
			return published;
		}

		const pinned = this.#pinned.get(name)?.pipeline;
		if (pinned === undefined) {
			return undefined;
		}

		return {
			name,
			version: pinned.version,
			versions: [pinned.version],
			doc: pinned.doc ?? '',
			typed: pinned.argsSchema !== null,
			argsSchema: pinned.argsSchema ?? undefined,
			resultSchema: pinned.resultSchema ?? undefined,
			timeoutMs: undefined,
			runner: '',
			// The contract does not say; only the catalogue knows a pipeline's lane.
			lane: 'CALL',
		};
	}
}

function compilePinned(store: SchemaStore, name: string, pipeline: ContractPipeline): CallSchemas | undefined {
	if (pipeline.argsSchema === null || pipeline.resultSchema === null) {
		return undefined;
	}

	const compile = (which: 'argsSchema' | 'resultSchema'): TypedSchema => {
		try {
			return store.add(pipeline[which]!);
		} catch (error) {
			throw new TypeError(`Expected \`contract.pipelines.${name}.${which}\` to be a valid Avro schema: ${error instanceof Error ? error.message : String(error)}`);
		}
	};

	const args = compile('argsSchema');
	if (args.type.typeName !== 'record') {
		throw new TypeError(`Expected \`contract.pipelines.${name}.argsSchema\` to be a record schema (named arguments), got ${args.type.typeName}`);
	}

	return {args, result: compile('resultSchema')};
}
