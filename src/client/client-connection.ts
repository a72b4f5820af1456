/**
 * What PipelineClient.connect() sets up before there is a client: options resolved, the transport
 * with its topics, the catalogue read, the reply consumer assigned, the optional registry, tracing
 * and claim check. In a module of its own so pipeline-client.ts holds the calls.
 */
import type {CatalogView} from '../catalog/catalog-view.js';
import {catalogTopicSpec, openCatalog} from '../catalog/open-catalog.js';
import {publishSchemas} from '../catalog/publish-schemas.js';
import {CodecError} from '../codec/index.js';
import {SchemaStore} from '../contract/schema-store.js';
import {BrokerUnreachableError, InvocationTimeoutError, MlbridgeError} from '../errors/index.js';
import {KafkajsTransport, type KafkajsTransportOptions} from '../transport/kafkajs-transport.js';
import type {Transport} from '../transport/transport.js';
import {loadOtelApi} from '../observability/otel-loader.js';
import {ClientTracing} from '../observability/tracing.js';
import {ClaimCheck} from '../blobs/claim-check.js';
import {ClientRegistry, withRegistry} from '../registry/client-registry.js';
import {jobStateTopicSpec, jobTopicSpec} from '../jobs/job-topics.js';
import {CallSchemaChooser, compileContract} from './call-schemas.js';
import type {ClientOptions, ResolvedClientOptions} from './options.js';
import {PendingCalls} from './pending-calls.js';
import type {PipelineTypes} from './pipeline-types.js';
import {createReplyDispatcher, createReplyRouter} from './reply-router.js';
import {resolveClientOptions} from './resolve-options.js';
import type {TypedResults} from './result-reading.js';

/** How long connect() waits to have read the catalogue up to its end offsets. */
const catalogCatchUpMs = 2000;
/** How long a reply written with an unknown result schema waits for the catalogue to learn it. */
const unknownSchemaWaitMs = 5000;

/** Kafka's default `max.message.bytes` (1 MiB + record overhead), used when the topic's can't be read. */
const defaultMaxMessageBytes = 1_048_588;

export type ClientParts = {
	readonly options: ResolvedClientOptions;
	readonly transport: Transport;
	readonly pending: PendingCalls;
	readonly maxRequestBytes: number;
	readonly schemas: CallSchemaChooser;
	readonly registry: ClientRegistry | undefined;
	readonly typed: TypedResults;
	readonly tracing: ClientTracing | undefined;
	readonly blobs: ClaimCheck | undefined;
};

/**
 * Kafka's answers while a topic's partitions have no leader yet (a node restarting, a topic created
 * a moment ago): the same connect succeeds a moment later, so they are retried, not reported as an
 * unreachable broker.
 */
const transientKafkaErrors: ReadonlySet<string> = new Set([
	'UNKNOWN_TOPIC_OR_PARTITION', 'NOT_LEADER_FOR_PARTITION', 'LEADER_NOT_AVAILABLE', 'NOT_COORDINATOR', 'COORDINATOR_NOT_AVAILABLE', 'COORDINATOR_LOAD_IN_PROGRESS', 'REBALANCE_IN_PROGRESS',
]);

/** Whether a failed connect attempt failed on one of transientKafkaErrors (kafkajs wraps the last attempt's error). */
export function isTransientConnectError(error: unknown): boolean {
	let current = error;
	for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
		const {type, cause, originalError} = current as {type?: unknown; cause?: unknown; originalError?: unknown};
		if (typeof type === 'string' && transientKafkaErrors.has(type)) {
			return true;
		}

		current = cause ?? originalError;
	}

	return false;
}

/**
 * Connect, create the request topic if missing and the client's own reply topic, and wait until
 * the reply consumer is assigned; read the catalogue (bounded) and publish the pinned contract's
 * schemas. A failure closes what was opened; a transient Kafka error (see transientKafkaErrors)
 * starts over until connectTimeoutMs has passed.
 */
export async function openClientParts<P extends PipelineTypes>(
	options: ClientOptions<P>,
	openTransport: ((options: KafkajsTransportOptions) => Promise<Transport>) | undefined,
	importOtel: (() => Promise<unknown>) | undefined,
): Promise<ClientParts> {
	const resolved = resolveClientOptions(options);
	const giveUpAt = Date.now() + resolved.connectTimeoutMs;
	for (let attempt = 1; ; attempt++) {
		try {
			return await openOnce(resolved, openTransport, importOtel);
		} catch (error) {
			if (!(error instanceof BrokerUnreachableError) || !isTransientConnectError(error.cause) || Date.now() >= giveUpAt) {
				throw error;
			}

			resolved.logger.info('client.connect_retry', {attempt, error: String(error.cause)});
			await new Promise(resolve => setTimeout(resolve, Math.min(1000, 100 * 2 ** attempt)));
		}
	}
}

async function openOnce(
	resolved: ResolvedClientOptions,
	openTransport: ((options: KafkajsTransportOptions) => Promise<Transport>) | undefined,
	importOtel: (() => Promise<unknown>) | undefined,
): Promise<ClientParts> {
	const otel = await loadOtelApi(importOtel);
	// The catalogue view arrives after connecting; the store asks it through this indirection.
	let view: CatalogView | undefined;
	let registry: ClientRegistry | undefined;
	const store = new SchemaStore(resolved.logger, withRegistry(() => registry, {
		schemaText: ref => view?.schemaText(ref),
		waitForSchema: async (ref, timeoutMs) => view?.waitForSchema(ref, timeoutMs),
	}));
	const pinned = compileContract(store, resolved.contract);
	const replyTopic = resolved.replyTopic;
	const pending = new PendingCalls(call => {
		call.reject(new InvocationTimeoutError(call.id, call.pipeline, call.timeoutMs));
	});
	let transport: Transport | undefined;
	try {
		// First, so a registry that cannot register the envelope schemas leaves nothing running.
		registry = resolved.schemaRegistry === undefined ? undefined : await ClientRegistry.open(resolved.schemaRegistry, resolved.requestTopic);
		transport = await (openTransport ?? (async o => KafkajsTransport.connect(o)))({
			brokers: resolved.brokers,
			clientId: resolved.clientId,
			logger: resolved.logger,
			connectionTimeoutMs: Math.min(resolved.connectTimeoutMs, 3000),
			retry: {retries: 5, initialRetryTime: 100, maxRetryTime: Math.max(200, resolved.connectTimeoutMs / 4)},
			security: {ssl: resolved.ssl, sasl: resolved.sasl},
			replicationFactor: resolved.replicationFactor,
		});
		await transport.ensureTopics([
			{topic: resolved.requestTopic, numPartitions: resolved.requestPartitions},
			{
				topic: replyTopic,
				numPartitions: 1,
				config: {'retention.ms': String(resolved.replyRetentionMs), 'cleanup.policy': 'delete'},
			},
			catalogTopicSpec(resolved.catalogTopic),
			jobTopicSpec(resolved.jobTopic, resolved.jobRetentionMs),
			jobStateTopicSpec(resolved.jobStateTopic, resolved.jobRetentionMs),
		]);
		const open = transport;
		const [maxMessageBytes, catalog] = await Promise.all([
			resolved.maxRequestBytes ?? open.maxMessageBytes(resolved.requestTopic),
			openCatalog(open, {topic: resolved.catalogTopic, groupId: `${replyTopic}.catalog`, catchUpMs: catalogCatchUpMs, logger: resolved.logger}),
		]);
		view = catalog;
		const schemas = new CallSchemaChooser(store, catalog, pinned);
		const typed: TypedResults = {schemas: store, waitMs: unknownSchemaWaitMs};
		const blobs = resolved.largePayloads === undefined ? undefined : new ClaimCheck(resolved.largePayloads);
		const onReply = registry === undefined
			? createReplyRouter(pending, resolved.logger, typed, blobs)
			: registry.replyHandler({
				route: createReplyDispatcher(pending, resolved.logger, typed, blobs),
				fail: (requestId, error) => pending.take(requestId)?.reject(error),
				undecodable: (error, bytes) => resolved.logger.warn('reply.undecodable', {reason: error instanceof CodecError ? error.reason : 'unknown', error: String(error), bytes}),
			});
		await Promise.all([
			open.consume(replyTopic, replyTopic, onReply),
			publishSchemas(open, {topic: resolved.catalogTopic, publisher: resolved.clientId, view: catalog, schemas: schemas.pinnedSchemas(), logger: resolved.logger}),
		]);
		resolved.logger.info('client.connected', {clientId: resolved.clientId, replyTopic, requestTopic: resolved.requestTopic});
		const tracing = otel === undefined ? undefined : new ClientTracing(otel);
		return {options: resolved, transport, pending, maxRequestBytes: maxMessageBytes ?? defaultMaxMessageBytes, schemas, registry, typed, tracing, blobs};
	} catch (error) {
		await transport?.close([replyTopic]);
		if (error instanceof MlbridgeError || error instanceof TypeError) {
			throw error;
		}

		throw new BrokerUnreachableError(resolved.brokers, error);
	}
}
