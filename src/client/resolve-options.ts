import {randomBytes} from 'node:crypto';
import {createLogger} from '../logging/logger.js';
import type {Contract} from '../contract/contract.js';
import {defaultJobRetentionMs, defaultJobStateTopic, defaultJobTopic} from '../jobs/job-topics.js';
import {kafkaSecurityFromEnv} from '../transport/security-env.js';
import {saslMechanisms} from '../transport/security-options.js';
import {envBrokers, type ClientOptions, type ResolvedClientOptions} from './options.js';
import type {PipelineTypes} from './pipeline-types.js';

const describe = (value: unknown): string =>
	`${typeof value === 'string' ? JSON.stringify(value) : String(value)} (${typeof value})`;

function positive(name: string, value: number, allowInfinity = false): number {
	const ok = typeof value === 'number' && value > 0 && (Number.isFinite(value) || (allowInfinity && value === Infinity));
	if (!ok) {
		throw new TypeError(`Expected \`${name}\` to be a number > 0${allowInfinity ? ' or Infinity' : ''}, got ${describe(value)}`);
	}

	return value;
}

function topicName(name: string, value: string): string {
	if (typeof value !== 'string' || !/^[\w.-]{1,200}$/.test(value)) {
		throw new TypeError(`Expected \`${name}\` to be a Kafka topic name ([A-Za-z0-9._-], at most 200), got ${describe(value)}`);
	}

	return value;
}

function oneOf<T extends string>(name: string, value: T, allowed: readonly T[]): T {
	if (!allowed.includes(value)) {
		throw new TypeError(`Expected \`${name}\` to be one of ${allowed.map(a => `"${a}"`).join(', ')}, got ${describe(value)}`);
	}

	return value;
}

function integer(name: string, value: number, min: number, max: number): number {
	if (!Number.isInteger(value) || value < min || value > max) {
		throw new TypeError(`Expected \`${name}\` to be an integer from ${min} to ${max}, got ${describe(value)}`);
	}

	return value;
}

function boolean(name: string, value: boolean): boolean {
	if (typeof value !== 'boolean') {
		throw new TypeError(`Expected \`${name}\` to be a boolean, got ${describe(value)}`);
	}

	return value;
}

/** The shape only; the schemas themselves are compiled (and checked) by the client. */
function contract(value: Contract<PipelineTypes> | undefined): Contract<PipelineTypes> | undefined {
	if (value === undefined) {
		return undefined;
	}

	const pipelines = (value as {pipelines?: unknown} | null)?.pipelines;
	if (typeof pipelines !== 'object' || pipelines === null || Array.isArray(pipelines)) {
		throw new TypeError(`Expected \`contract\` to be the contract printed by \`mlbridge codegen\` ({pipelines: {...}}), got ${describe(value)}`);
	}

	for (const [name, pipeline] of Object.entries(pipelines as Record<string, unknown>)) {
		const p = pipeline as {version?: unknown; argsSchema?: unknown; resultSchema?: unknown} | null;
		if (typeof p !== 'object' || p === null || !Number.isInteger(p.version) || p.argsSchema === undefined || p.resultSchema === undefined) {
			throw new TypeError(`Expected \`contract.pipelines.${name}\` to be {version, argsSchema, resultSchema}, got ${describe(pipeline)}`);
		}
	}

	return value;
}

function schemaRegistry(value: ClientOptions['schemaRegistry']): ClientOptions['schemaRegistry'] {
	if (value === undefined) {
		return undefined;
	}

	if (typeof value !== 'object' || value === null || typeof value.host !== 'string' || !/^https?:\/\/[^/]/.test(value.host)) {
		throw new TypeError(`Expected \`schemaRegistry\` to be {host: "http(s)://…"}, got ${describe(value === null || typeof value !== 'object' ? value : value.host)}`);
	}

	return value;
}

function ssl(value: ClientOptions['ssl']): ClientOptions['ssl'] {
	if (value !== undefined && typeof value !== 'boolean' && (typeof value !== 'object' || value === null || Array.isArray(value))) {
		throw new TypeError(`Expected \`ssl\` to be true or tls.connect options ({ca, cert, key, ...}), got ${describe(value)}`);
	}

	return value;
}

function sasl(value: ClientOptions['sasl']): ClientOptions['sasl'] {
	if (value === undefined) {
		return undefined;
	}

	const {mechanism, username, password} = (value ?? {}) as {mechanism?: unknown; username?: unknown; password?: unknown};
	if (typeof mechanism !== 'string' || !(saslMechanisms as readonly string[]).includes(mechanism)) {
		throw new TypeError(`Expected \`sasl.mechanism\` to be one of ${saslMechanisms.map(m => `"${m}"`).join(', ')}, got ${describe(mechanism)}`);
	}

	if (typeof username !== 'string' || username === '' || typeof password !== 'string' || password === '') {
		// Never the password itself in the message: it ends up in logs.
		throw new TypeError(`Expected \`sasl.username\` and \`sasl.password\` to be non-empty strings, got username ${describe(username)} and a password of type ${typeof password}`);
	}

	return value;
}

/** Merge defaults, then validate, so a bad option fails at connect() with a message naming it. */
export function resolveClientOptions<P extends PipelineTypes>(options: ClientOptions<P> = {}): ResolvedClientOptions {
	const brokers = options.brokers ?? envBrokers() ?? ['127.0.0.1:9092'];
	if (!Array.isArray(brokers) || brokers.length === 0 || !brokers.every(b => typeof b === 'string' && b.includes(':'))) {
		throw new TypeError(`Expected \`brokers\` to be a non-empty array of "host:port" strings, got ${describe(brokers)}`);
	}

	const clientId = options.clientId ?? `c-${randomBytes(8).toString('hex')}`;
	const replyTopicPrefix = options.replyTopicPrefix ?? 'ml.pipeline.reply.';
	// A clientId from configuration is the same on every instance: its reply topic gets a suffix of
	// its own, so instances never share a reply topic or group (a generated clientId is unique already).
	const replyTopic = replyTopicPrefix + clientId + (options.clientId === undefined ? '' : `-${randomBytes(4).toString('hex')}`);
	const requestTopic = topicName('requestTopic', options.requestTopic ?? process.env['MLBRIDGE_REQUEST_TOPIC'] ?? 'ml.pipeline.input');
	const resolved: ResolvedClientOptions = {
		brokers,
		requestTopic,
		requestPartitions: positive('requestPartitions', options.requestPartitions ?? 12),
		replyTopicPrefix,
		replyTopic,
		replyRetentionMs: positive('replyRetentionMs', options.replyRetentionMs ?? 3_600_000),
		deleteReplyTopicOnClose: options.deleteReplyTopicOnClose ?? true,
		defaultTimeoutMs: positive('defaultTimeoutMs', options.defaultTimeoutMs ?? 30_000, true),
		maxRequestBytes: options.maxRequestBytes === undefined ? undefined : positive('maxRequestBytes', options.maxRequestBytes),
		clientId: topicName('clientId', clientId),
		connectTimeoutMs: positive('connectTimeoutMs', options.connectTimeoutMs ?? 10_000),
		// Neither given: the environment the runner reads too (MLBRIDGE_SASL_*, MLBRIDGE_SSL_*).
		...(options.ssl === undefined && options.sasl === undefined
			? {ssl: undefined, sasl: undefined, ...kafkaSecurityFromEnv(process.env)}
			: {ssl: ssl(options.ssl), sasl: sasl(options.sasl)}),
		replicationFactor: options.replicationFactor === undefined ? undefined : integer('replicationFactor', options.replicationFactor, 1, 32_767),
		logger: options.logger ?? createLogger(options.logLevel),
		whenBrokerDown: oneOf('whenBrokerDown', options.whenBrokerDown ?? 'wait', ['wait', 'fail'] as const),
		catalogTopic: topicName('catalogTopic', options.catalogTopic ?? process.env['MLBRIDGE_CATALOG_TOPIC'] ?? 'ml.pipeline.catalog'),
		validateArguments: boolean('validateArguments', options.validateArguments ?? true),
		largePayloads: options.largePayloads,
		contract: contract(options.contract),
		schemaRegistry: schemaRegistry(options.schemaRegistry),
		jobTopic: topicName('jobTopic', options.jobTopic ?? defaultJobTopic(requestTopic)),
		jobStateTopic: topicName('jobStateTopic', options.jobStateTopic ?? defaultJobStateTopic(requestTopic)),
		jobRetentionMs: integer('jobRetentionMs', options.jobRetentionMs ?? defaultJobRetentionMs, 60_000, Number.MAX_SAFE_INTEGER),
		jobMaxAttempts: integer('jobMaxAttempts', options.jobMaxAttempts ?? 3, 1, 1000),
	};
	if (resolved.jobTopic === resolved.jobStateTopic || [resolved.requestTopic, resolved.catalogTopic].some(t => t === resolved.jobTopic || t === resolved.jobStateTopic)) {
		throw new TypeError(`Expected \`jobTopic\` and \`jobStateTopic\` to be topics of their own, got ${describe(resolved.jobTopic)} and ${describe(resolved.jobStateTopic)}`);
	}

	topicName('replyTopicPrefix + clientId', resolved.replyTopic);
	return resolved;
}
