/**
 * apache-arrow, an optional peer dependency, loaded on first use. The Value codec is synchronous, so
 * it uses the module only once loadArrow() has resolved: call it once before sending or receiving
 * tables (a table met before that is refused with a message saying so).
 */
import {ArrowMissingError} from './data-errors.js';

/** The parts of apache-arrow the codec uses. */
export type ArrowModule = {
	readonly Table: abstract new (...args: never[]) => object;
	tableToIPC(table: never, type: 'stream'): Uint8Array;
	tableFromIPC(bytes: Uint8Array): object;
};

let loaded: ArrowModule | undefined;
let loading: Promise<ArrowModule> | undefined;

/**
 * Loads apache-arrow (once). Rejects with ArrowMissingError when it is not installed. `load` is the
 * import to use; the default imports the package the application itself resolves.
 */
export async function loadArrow(load: () => Promise<unknown> = async () => import('apache-arrow')): Promise<ArrowModule> {
	if (loaded !== undefined) return loaded;
	loading ??= load().then(
		module => {
			loaded = module as ArrowModule;
			return loaded;
		},
		(error: unknown) => {
			loading = undefined;
			throw new ArrowMissingError(error);
		},
	);
	return loading;
}

/** apache-arrow if loadArrow() has resolved, else undefined. */
export function arrowIfLoaded(): ArrowModule | undefined {
	return loaded;
}

/** Whether `v` looks like an apache-arrow Table (of any copy of the package, loaded or not). */
export function looksLikeArrowTable(v: object): boolean {
	const candidate = v as {batches?: unknown; schema?: {fields?: unknown}};
	return Array.isArray(candidate.batches) && Array.isArray(candidate.schema?.fields);
}
