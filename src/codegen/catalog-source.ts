/**
 * Entries from a broker's catalogue topic: read from the beginning to the end offsets seen at the
 * start into the client's CatalogView (the last value per key wins, a tombstone retires the key),
 * then take the newest version of each pipeline. Unlike a client, which waits a bounded time and
 * goes on, codegen must see the whole topic, so it reads with a throw-away group of its own and
 * fails when it cannot reach the end. Commits nothing.
 */
import {randomUUID} from 'node:crypto';
import {Kafka, logLevel, type Consumer} from 'kafkajs';
import {CatalogView} from '../catalog/catalog-view.js';
import type {TailRecord} from '../transport/transport.js';
import type {Logger, LogFields} from '../logging/logger.js';
import type {CodegenEntry} from './codegen-entry.js';
import {CatalogUnavailableError, NoPipelinesError} from './codegen-errors.js';

export const defaultCatalogTopic = 'ml.pipeline.catalog';

export type CatalogSourceOptions = {
	readonly brokers: readonly string[];
	/** @default 'ml.pipeline.catalog' */
	readonly topic?: string;
	/** Bound on connecting and on reading the topic to its end. @default 15_000 */
	readonly timeoutMs?: number;
	/** Told about records that are not catalogue entries this version can read; they are skipped. */
	readonly onWarning?: (message: string) => void;
};


export async function entriesFromCatalog(options: CatalogSourceOptions): Promise<CodegenEntry[]> {
	const topic = options.topic ?? defaultCatalogTopic;
	const timeoutMs = options.timeoutMs ?? 15_000;
	const warn = options.onWarning ?? (() => {});
	const kafka = new Kafka({
		clientId: 'mlbridge-codegen',
		brokers: [...options.brokers],
		connectionTimeout: 3000,
		retry: {retries: 3, initialRetryTime: 200, maxRetryTime: 1000},
		logLevel: logLevel.NOTHING,
	});
	const admin = kafka.admin();
	const unreachable = (error: unknown): CatalogUnavailableError =>
		new CatalogUnavailableError(
			options.brokers,
			`Cannot reach the Kafka broker at ${options.brokers.join(',')}: ${(error as Error).message}`,
			error,
		);
	try {
		await admin.connect();
	} catch (error) {
		await admin.disconnect().catch(() => {});
		throw unreachable(error);
	}

	const groupId = `mlbridge-codegen-${randomUUID()}`;
	try {
		let ends: Map<number, bigint>;
		try {
			const topics = await admin.listTopics();
			if (!topics.includes(topic)) {
				throw new NoPipelinesError(
					`The catalogue topic ${topic} does not exist on ${options.brokers.join(',')}: no runner has published there yet`,
				);
			}

			const offsets = await admin.fetchTopicOffsets(topic);
			ends = new Map(offsets.map(o => [o.partition, BigInt(o.high)]));
		} catch (error) {
			throw error instanceof NoPipelinesError ? error : unreachable(error);
		}

		const view = new CatalogView(warningsOnly(warn));
		await readToEnd(kafka.consumer({groupId, allowAutoTopicCreation: false}), topic, ends, timeoutMs, options, record => {
			view.apply(record);
		});
		return view.names().flatMap(name => {
			const entry = view.newest(name);
			return entry === undefined
				? []
				: [{name, version: entry.version, doc: entry.doc, typed: entry.typed, argsSchema: entry.argsSchema, resultSchema: entry.resultSchema}];
		});
	} finally {
		await admin.deleteGroups([groupId]).catch(() => {});
		await admin.disconnect().catch(() => {});
	}
}

/** Hand every record below the end offsets to `onRecord`, in offset order per partition. */
async function readToEnd(
	consumer: Consumer,
	topic: string,
	ends: ReadonlyMap<number, bigint>,
	timeoutMs: number,
	options: CatalogSourceOptions,
	onRecord: (record: TailRecord) => void,
): Promise<void> {
	const pending = new Set([...ends].filter(([, end]) => end > 0n).map(([partition]) => partition));
	if (pending.size === 0) {
		return;
	}

	let timer: NodeJS.Timeout | undefined;
	try {
		await consumer.connect();
		await consumer.subscribe({topic, fromBeginning: true});
		await new Promise<void>((resolve, reject) => {
			timer = setTimeout(() => {
				reject(
					new CatalogUnavailableError(
						options.brokers,
						`Could not read the catalogue topic ${topic} to its end within ${timeoutMs / 1000} s`,
					),
				);
			}, timeoutMs);
			consumer
				.run({
					autoCommit: false,
					eachMessage: async ({partition, message}) => {
						const end = ends.get(partition) ?? 0n;
						const offset = BigInt(message.offset);
						if (offset < end) {
							onRecord({key: message.key?.toString('utf8') ?? null, value: message.value});
						}

						if (offset + 1n >= end) {
							pending.delete(partition);
							if (pending.size === 0) {
								resolve();
							}
						}
					},
				})
				.catch(reject);
		});
	} catch (error) {
		throw error instanceof CatalogUnavailableError
			? error
			: new CatalogUnavailableError(options.brokers, `Reading the catalogue topic ${topic} failed: ${(error as Error).message}`, error);
	} finally {
		clearTimeout(timer);
		await consumer.disconnect().catch(() => {});
	}
}

/** The view reports records it skips at warn; codegen shows those as warnings and nothing else. */
function warningsOnly(warn: (message: string) => void): Logger {
	const report = (event: string, fields?: LogFields): void => {
		warn(`${event} ${JSON.stringify(fields ?? {})}: skipped`);
	};

	return {level: 'warn', debug() {}, info() {}, warn: report, error: report, enabled: level => level === 'warn' || level === 'error'};
}
