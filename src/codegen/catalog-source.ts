/**
 * Entries from a broker's catalogue topic: read from the beginning to the end offsets seen at the
 * start (a compacted topic: the last value per key wins, a tombstone retires the key), then keep
 * the pipeline entries. Uses its own throw-away consumer group and commits nothing.
 */
import {randomUUID} from 'node:crypto';
import {Kafka, logLevel, type Consumer} from 'kafkajs';
import {unframe, wireSchemas} from '../codec/index.js';
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

type CatalogRecord = {
	readonly kind: string;
	readonly name: string;
	readonly version: number;
	readonly doc: string;
	readonly typed: boolean;
	readonly argsSchema: string;
	readonly resultSchema: string;
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

		const latest = await readToEnd(kafka.consumer({groupId, allowAutoTopicCreation: false}), topic, ends, timeoutMs, options);
		return entriesOf(latest, warn);
	} finally {
		await admin.deleteGroups([groupId]).catch(() => {});
		await admin.disconnect().catch(() => {});
	}
}

/** Key → last value (null for a tombstone), for every record below the end offsets. */
async function readToEnd(
	consumer: Consumer,
	topic: string,
	ends: ReadonlyMap<number, bigint>,
	timeoutMs: number,
	options: CatalogSourceOptions,
): Promise<Map<string, Buffer | null>> {
	const latest = new Map<string, Buffer | null>();
	const pending = new Set([...ends].filter(([, end]) => end > 0n).map(([partition]) => partition));
	if (pending.size === 0) {
		return latest;
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
						if (offset < end && message.key !== null) {
							latest.set(message.key.toString('utf8'), message.value);
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

	return latest;
}

function entriesOf(latest: ReadonlyMap<string, Buffer | null>, warn: (message: string) => void): CodegenEntry[] {
	const entries: CodegenEntry[] = [];
	const catalog = wireSchemas.catalog;
	for (const [key, value] of latest) {
		if (value === null || !key.startsWith('pipeline/')) {
			continue;
		}

		let record: CatalogRecord;
		try {
			const {fingerprint, body} = unframe(value);
			if (!fingerprint.equals(catalog.fingerprint)) {
				warn(`catalogue entry ${key} is written with schema ${fingerprint.toString('hex')}, not this version's ${catalog.fingerprintHex}; skipped`);
				continue;
			}

			record = catalog.type.fromBuffer(body) as CatalogRecord;
		} catch (error) {
			warn(`catalogue entry ${key} cannot be decoded (${(error as Error).message}); skipped`);
			continue;
		}

		if (record.kind === 'PIPELINE') {
			const {name, version, doc, typed, argsSchema, resultSchema} = record;
			entries.push({name, version, doc, typed, argsSchema, resultSchema});
		}
	}

	return entries;
}

