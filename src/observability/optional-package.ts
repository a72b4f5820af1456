import {MissingPeerDependencyError} from './observability-errors.js';

/** Node's "no such package" from import() (ESM) or require() (CJS). */
export function isModuleNotFound(error: unknown): boolean {
	const code = (error as {code?: unknown} | null)?.code;
	return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
}

/**
 * Import an optional peer dependency when a feature is first used. Not installed: a
 * MissingPeerDependencyError naming it; any other failure (a broken install) as it is.
 */
export async function importOptional<M>(packageName: string, feature: string, load: () => Promise<M>): Promise<M> {
	try {
		return await load();
	} catch (error) {
		if (isModuleNotFound(error)) {
			throw new MissingPeerDependencyError(packageName, feature, error);
		}

		throw error;
	}
}
