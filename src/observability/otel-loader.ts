/**
 * `@opentelemetry/api` is an optional peer dependency: imported once per client at connect(), never
 * at module load, so a process without it pays one failed import and nothing per call.
 */
import type * as OtelApi from '@opentelemetry/api';

export type {OtelApi};

/** How the API module is imported; the default is a plain dynamic import. */
export type ImportOtelApi = () => Promise<typeof OtelApi>;

const importApi: ImportOtelApi = async () => import('@opentelemetry/api');

/**
 * The API module, or undefined when it cannot be imported (not installed): tracing is then off.
 * Any other failure of the import (a broken install) is not hidden.
 */
export async function loadOtelApi(load: ImportOtelApi = importApi): Promise<typeof OtelApi | undefined> {
	try {
		return await load();
	} catch (error) {
		if (isModuleNotFound(error)) {
			return undefined;
		}

		throw error;
	}
}

export function isModuleNotFound(error: unknown): boolean {
	const code = (error as {code?: unknown} | null)?.code;
	return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
}
