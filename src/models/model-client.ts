/**
 * `client.models`: list the versions of a model, promote one (the `latest` tag every runner's
 * unpinned calls follow) and roll back. Reads the compacted model topic from its beginning, as a
 * group of its own that never commits, started on first use (docs/models.md).
 */
import type {Logger} from '../logging/logger.js';
import type {Transport} from '../transport/transport.js';
import {ModelNotFoundError, ModelTopicError} from './model-errors.js';
import {decodeModelRecord, encodeModelRecord, latestTag, type ModelRecord, modelRecordKey} from './model-record.js';
import {ModelView, type ModelVersionInfo} from './model-view.js';

export type ModelClientOptions = {
	readonly transport: Transport;
	readonly topic: string;
	readonly groupId: string;
	readonly clientId: string;
	readonly logger: Logger;
	readonly syncTimeoutMs: number;
};

export class ModelClient {
	readonly #options: ModelClientOptions;
	readonly #view = new ModelView();
	#tail: Promise<void> | undefined;

	constructor(options: ModelClientOptions) {
		this.#options = options;
	}

	/** Every saved version of `name`, oldest first; `current` marks the one unpinned calls receive. */
	async list(name: string): Promise<ModelVersionInfo[]> {
		await this.#sync();
		return this.#view.list(name);
	}

	/** Names of the models with at least one version. */
	async names(): Promise<string[]> {
		await this.#sync();
		return this.#view.names();
	}

	/** The version unpinned calls receive now; ModelNotFoundError when none was saved. */
	async current(name: string): Promise<number> {
		await this.#sync();
		const current = this.#view.current(name);
		if (current === undefined) throw new ModelNotFoundError(name);
		return current;
	}

	/** Point the `latest` tag at `version`: every runner serves it to new unpinned calls within seconds. */
	async promote(name: string, version: number): Promise<void> {
		await this.#sync();
		if (!Number.isInteger(version) || !this.#view.has(name, version)) {
			throw new ModelNotFoundError(name, version);
		}

		const record: ModelRecord = {
			kind: 'TAG', name, version, tag: latestTag, format: '', uri: '', size: 0, sha256: '', metrics: {},
			createdAtMs: Date.now(), createdBy: this.#options.clientId,
		};
		try {
			await this.#options.transport.send(this.#options.topic, {key: modelRecordKey(record), value: encodeModelRecord(record)});
		} catch (error) {
			throw new ModelTopicError(this.#options.topic, `the tag record for ${name}@${version} was not acknowledged`, error);
		}

		this.#view.apply(record);
	}

	/** Promote the version before the current one; returns it. ModelNotFoundError when there is none. */
	async rollback(name: string): Promise<number> {
		await this.#sync();
		const previous = this.#view.previous(name);
		if (previous === undefined) {
			throw new ModelNotFoundError(name, undefined, 'no version older than the current one to roll back to');
		}

		await this.promote(name, previous);
		return previous;
	}

	async #sync(): Promise<void> {
		const {transport, topic, groupId, syncTimeoutMs, logger} = this.#options;
		if (this.#tail === undefined) {
			const tail = transport.ensureTopics([{topic, numPartitions: 1, config: {'cleanup.policy': 'compact'}}]).then(async () =>
				transport.tail(topic, groupId, record => {
					if (record.value === null) return;
					try {
						this.#view.apply(decodeModelRecord(record.value));
					} catch (error) {
						logger.warn('model record skipped', {topic, key: record.key, error: error instanceof Error ? error.message : String(error)});
					}
				}));
			tail.catch(() => {
				if (this.#tail === tail) this.#tail = undefined;
			});
			this.#tail = tail;
		}

		await this.#tail;
		if (transport.tailCaughtUp !== undefined && !(await transport.tailCaughtUp(topic, groupId, syncTimeoutMs))) {
			throw new ModelTopicError(topic, `not read to its end within ${syncTimeoutMs} ms`);
		}
	}
}
