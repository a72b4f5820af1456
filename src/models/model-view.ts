/** What the model topic says: every version of every model and where the `latest` tag points. */
import {latestTag, type ModelRecord} from './model-record.js';

/** One saved version as `client.models.list()` shows it. */
export type ModelVersionInfo = {
	readonly name: string;
	readonly version: number;
	readonly format: string;
	readonly uri: string;
	readonly size: number;
	readonly sha256: string;
	readonly metrics: Readonly<Record<string, number>>;
	readonly createdAtMs: number;
	readonly createdBy: string;
	/** The version unpinned inference calls receive now. */
	readonly current: boolean;
};

export class ModelView {
	readonly #versions = new Map<string, Map<number, ModelRecord>>();
	readonly #latest = new Map<string, number>();

	apply(record: ModelRecord): void {
		if (record.kind === 'VERSION') {
			let versions = this.#versions.get(record.name);
			if (versions === undefined) {
				versions = new Map();
				this.#versions.set(record.name, versions);
			}

			versions.set(record.version, record);
		} else if (record.tag === latestTag) {
			this.#latest.set(record.name, record.version);
		}
	}

	names(): string[] {
		return [...this.#versions.keys()].sort();
	}

	/** The version unpinned calls receive: the `latest` tag's, else the newest (the runner's rule). */
	current(name: string): number | undefined {
		const versions = this.#versions.get(name);
		if (versions === undefined || versions.size === 0) return undefined;
		const tagged = this.#latest.get(name);
		return tagged !== undefined && versions.has(tagged) ? tagged : Math.max(...versions.keys());
	}

	/** Oldest first. */
	list(name: string): ModelVersionInfo[] {
		const current = this.current(name);
		return [...(this.#versions.get(name)?.values() ?? [])]
			.sort((a, b) => a.version - b.version)
			.map(r => ({
				name: r.name, version: r.version, format: r.format, uri: r.uri, size: r.size, sha256: r.sha256,
				metrics: r.metrics, createdAtMs: r.createdAtMs, createdBy: r.createdBy, current: r.version === current,
			}));
	}

	has(name: string, version: number): boolean {
		return this.#versions.get(name)?.has(version) ?? false;
	}

	/** The version before the current one (what a rollback promotes), if any. */
	previous(name: string): number | undefined {
		const current = this.current(name);
		if (current === undefined) return undefined;
		const older = [...(this.#versions.get(name)?.keys() ?? [])].filter(v => v < current);
		return older.length === 0 ? undefined : Math.max(...older);
	}
}
