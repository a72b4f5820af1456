import type {Logger} from '../logging/logger.js';
import type {Transport} from '../transport/transport.js';
import {CatalogView} from './catalog-view.js';

export type OpenCatalogOptions = {
	readonly topic: string;
	/** A group of this client's own: every client reads the whole topic, and never commits. */
	readonly groupId: string;
	/** How long connect() waits to have read up to the end offsets seen at connect. */
	readonly catchUpMs: number;
	readonly logger: Logger;
};

/** The catalogue topic's settings when this client is the one creating it. */
export function catalogTopicSpec(topic: string): {topic: string; numPartitions: number; config: Record<string, string>} {
	return {topic, numPartitions: 1, config: {'cleanup.policy': 'compact'}};
}

/**
 * Start tailing the catalogue and wait (bounded) until the entries present now are in the view.
 * The topic must exist (see catalogTopicSpec). After the bound the view keeps filling in.
 */
export async function openCatalog(transport: Transport, options: OpenCatalogOptions): Promise<CatalogView> {
	const view = new CatalogView(options.logger);
	let timer: NodeJS.Timeout | undefined;
	const bound = new Promise<'timeout'>(resolve => {
		timer = setTimeout(() => resolve('timeout'), options.catchUpMs);
	});
	try {
		const outcome = await Promise.race([transport.tail(options.topic, options.groupId, record => view.apply(record)), bound]);
		if (outcome === 'timeout') {
			options.logger.info('catalog.catch_up_slow', {topic: options.topic, waitedMs: options.catchUpMs});
		}
	} finally {
		clearTimeout(timer);
	}

	return view;
}
