import type {TypedSchema} from '../contract/typed-codec.js';
import type {Logger} from '../logging/logger.js';
import type {Transport} from '../transport/transport.js';
import {encodeCatalogEntry, schemaEntry, schemaKey} from './catalog-entry.js';
import type {CatalogView} from './catalog-view.js';

export type PublishSchemasOptions = {
	readonly topic: string;
	/** Who publishes (the client id), carried in the entries' `runner` field. */
	readonly publisher: string;
	/** Entries already there with the same text are not published again. */
	readonly view: CatalogView;
	readonly schemas: readonly TypedSchema[];
	readonly logger: Logger;
};

/**
 * Publish `schema/<ref>` for each schema the catalogue lacks (a client's pinned contract), so a
 * runner can resolve arguments written by a contract no runner published. A failure is logged,
 * not fatal: runners that published the same schemas need nothing from us.
 */
export async function publishSchemas(transport: Transport, options: PublishSchemasOptions): Promise<void> {
	const sends = new Map<string, Promise<void>>();
	for (const schema of options.schemas) {
		const text = JSON.stringify(schema.schema);
		if (!sends.has(schema.ref) && !options.view.hasSchemaEntry(schema.ref, text)) {
			const value = encodeCatalogEntry(schemaEntry(schema.ref, text, options.publisher));
			sends.set(schema.ref, transport.send(options.topic, {key: schemaKey(schema.ref), value}));
		}
	}

	for (const result of await Promise.allSettled(sends.values())) {
		if (result.status === 'rejected') {
			options.logger.warn('catalog.publish_failed', {topic: options.topic, error: String(result.reason)});
		}
	}
}
