/**
 * Entries from a broker's catalogue topic, read the way a client reads it (Transport.tail into a
 * CatalogView: the last value per key wins, a tombstone retires the key), then the newest version
 * of each pipeline. Unlike a client, which waits a bounded time and goes on, codegen must have
 * the whole topic, so running out of time is an error. A throw-away group; nothing is committed.
 */
import {randomUUID} from 'node:crypto';
import {Kafka, logLevel} from 'kafkajs';
import {CatalogView} from '../catalog/catalog-view.js';
import type {LogFields, Logger} from '../logging/logger.js';
import {KafkajsTransport} from '../transport/kafkajs-transport.js';
import {kafkaSecurityFromEnv, kafkajsSecurityFromEnv} from '../transport/security-env.js';
import type {CodegenEntry} from './codegen-entry.js';
import {CatalogUnavailableError, NoPipelinesError} from './codegen-errors.js';

export const defaultCatalogTopic = 'ml.pipeline.catalog';

export type CatalogSourceOptions = {
	readonly brokers: readonly string[];
	/** @default 'ml.pipeline.catalog' */
	readonly topic?: string;
	/** Bound on reading the topic to its end. @default 15_000 */
	readonly timeoutMs?: number;
	/** Told about records that are not catalogue entries this version can read; they are skipped. */
	readonly onWarning?: (message: string) => void;
};

const connection = {connectionTimeoutMs: 3000, retry: {retries: 3, initialRetryTime: 200, maxRetryTime: 1000}} as const;

export async function entriesFromCatalog(options: CatalogSourceOptions): Promise<CodegenEntry[]> {
	const topic = options.topic ?? defaultCatalogTopic;
	const timeoutMs = options.timeoutMs ?? 15_000;
	const logger = warningsOnly(options.onWarning ?? (() => {}));
	const unreachable = (error: unknown): CatalogUnavailableError =>
		new CatalogUnavailableError(
			options.brokers,
			`Cannot reach the Kafka broker at ${options.brokers.join(',')}: ${(error as Error).message}`,
			error,
		);

	await checkTopicExists(options.brokers, topic, unreachable);
	let transport: KafkajsTransport;
	try {
		transport = await KafkajsTransport.connect({brokers: options.brokers, clientId: 'mlbridge-codegen', logger, ...connection, security: kafkaSecurityFromEnv(process.env)});
	} catch (error) {
		throw unreachable(error);
	}

	const view = new CatalogView(logger);
	let timer: NodeJS.Timeout | undefined;
	try {
		const read = transport.tail(topic, `mlbridge-codegen-${randomUUID()}`, record => {
			view.apply(record);
		});
		const outcome = await Promise.race([
			read.then(() => 'read' as const),
			new Promise<'timeout'>(resolve => {
				timer = setTimeout(() => resolve('timeout'), timeoutMs);
			}),
		]);
		if (outcome === 'timeout') {
			throw new CatalogUnavailableError(options.brokers, `Could not read the catalogue topic ${topic} to its end within ${timeoutMs / 1000} s`);
		}
	} catch (error) {
		throw error instanceof CatalogUnavailableError
			? error
			: new CatalogUnavailableError(options.brokers, `Reading the catalogue topic ${topic} failed: ${(error as Error).message}`, error);
	} finally {
		clearTimeout(timer);
		await transport.close();
	}

	return view.names().flatMap(name => {
		const entry = view.newest(name);
		return entry === undefined
			? []
			: [{name, version: entry.version, doc: entry.doc, typed: entry.typed, argsSchema: entry.argsSchema, resultSchema: entry.resultSchema}];
	});
}

/**
 * Listing topics first, rather than asking for the topic's offsets: a metadata request for a
 * missing topic would create it on brokers with auto.create.topics.enable.
 */
async function checkTopicExists(
	brokers: readonly string[],
	topic: string,
	unreachable: (error: unknown) => CatalogUnavailableError,
): Promise<void> {
	const kafka = new Kafka({
		clientId: 'mlbridge-codegen',
		brokers: [...brokers],
		...kafkajsSecurityFromEnv(), // TLS and SASL from the runner's variables (docs/production.md)
		connectionTimeout: connection.connectionTimeoutMs,
		retry: connection.retry,
		logLevel: logLevel.NOTHING,
	});
	const admin = kafka.admin();
	let topics: string[];
	try {
		await admin.connect();
		topics = await admin.listTopics();
	} catch (error) {
		throw unreachable(error);
	} finally {
		await admin.disconnect().catch(() => {});
	}

	if (!topics.includes(topic)) {
		throw new NoPipelinesError(`The catalogue topic ${topic} does not exist on ${brokers.join(',')}: no runner has published there yet`);
	}
}

/** The view reports records it skips at warn; codegen shows those as warnings and nothing else. */
function warningsOnly(warn: (message: string) => void): Logger {
	const report = (event: string, fields?: LogFields): void => {
		warn(`${event} ${JSON.stringify(fields ?? {})}: skipped`);
	};

	return {level: 'warn', debug() {}, info() {}, warn: report, error: report, enabled: level => level === 'warn' || level === 'error'};
}
