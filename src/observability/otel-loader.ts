/**
 * `@opentelemetry/api` is an optional peer dependency: imported once per client at connect(), never
 * at module load, so a process without it pays one failed import and nothing per call.
 */
import type * as OtelApi from '@opentelemetry/api';
import {isModuleNotFound} from './optional-package.js';

export type {OtelApi};

/**
 * How the API module is imported; the default is a plain dynamic import. Typed loosely on purpose:
 * PipelineClient.connect() takes one (tests), and its declaration must not name the optional package.
 */
export type ImportOtelApi = () => Promise<unknown>;

const importApi: ImportOtelApi = async () => import('@opentelemetry/api');

/**
 * The API module, or undefined when it is not installed: tracing is then off. Any other failure
 * of the import (a broken install) is not hidden.
 */
export async function loadOtelApi(load: ImportOtelApi = importApi): Promise<typeof OtelApi | undefined> {
	try {
		return (await load()) as typeof OtelApi;
	} catch (error) {
		if (isModuleNotFound(error)) {
			return undefined;
		}

		throw error;
	}
}
