/** Where codegen gets its entries: a pipelines file (through the runner) or a broker's catalogue. */
import type {PythonChoice} from '../runner/find-python.js';
import {entriesFromCatalog} from './catalog-source.js';
import {newestPerName, type CodegenEntry} from './codegen-entry.js';
import {entriesFromPipelines} from './pipelines-source.js';

export type CodegenSource =
	| {readonly kind: 'pipelines'; readonly specs: readonly string[]; readonly cwd?: string; readonly python?: PythonChoice}
	| {readonly kind: 'catalog'; readonly brokers: readonly string[]; readonly topic?: string; readonly timeoutMs?: number};

/** The newest version of every pipeline the source knows, typed or not. */
export async function loadEntries(source: CodegenSource, onWarning: (message: string) => void = () => {}): Promise<CodegenEntry[]> {
	const entries =
		source.kind === 'pipelines'
			? await entriesFromPipelines(source.specs, {
					...(source.cwd === undefined ? {} : {cwd: source.cwd}),
					...(source.python === undefined ? {} : {python: source.python}),
				})
			: await entriesFromCatalog({
					brokers: source.brokers,
					...(source.topic === undefined ? {} : {topic: source.topic}),
					...(source.timeoutMs === undefined ? {} : {timeoutMs: source.timeoutMs}),
					onWarning,
				});
	return newestPerName(entries);
}

export {defaultCatalogTopic} from './catalog-source.js';
