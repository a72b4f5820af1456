import {randomBytes} from 'node:crypto';
import {createLogger} from '../logging/logger.js';
import {envBrokers, type ClientOptions, type ResolvedClientOptions} from './options.js';

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

/** Merge defaults, then validate, so a bad option fails at connect() with a message naming it. */
export function resolveClientOptions(options: ClientOptions = {}): ResolvedClientOptions {
	const brokers = options.brokers ?? envBrokers() ?? ['127.0.0.1:9092'];
	if (!Array.isArray(brokers) || brokers.length === 0 || !brokers.every(b => typeof b === 'string' && b.includes(':'))) {
		throw new TypeError(`Expected \`brokers\` to be a non-empty array of "host:port" strings, got ${describe(brokers)}`);
	}

	const clientId = options.clientId ?? `c-${randomBytes(8).toString('hex')}`;
	const resolved: ResolvedClientOptions = {
		brokers,
		requestTopic: topicName('requestTopic', options.requestTopic ?? process.env['MLBRIDGE_REQUEST_TOPIC'] ?? 'ml.pipeline.input'),
		requestPartitions: positive('requestPartitions', options.requestPartitions ?? 12),
		replyTopicPrefix: options.replyTopicPrefix ?? 'ml.pipeline.reply.',
		replyRetentionMs: positive('replyRetentionMs', options.replyRetentionMs ?? 3_600_000),
		deleteReplyTopicOnClose: options.deleteReplyTopicOnClose ?? true,
		defaultTimeoutMs: positive('defaultTimeoutMs', options.defaultTimeoutMs ?? 30_000, true),
		maxRequestBytes: options.maxRequestBytes === undefined ? undefined : positive('maxRequestBytes', options.maxRequestBytes),
		clientId: topicName('clientId', clientId),
		connectTimeoutMs: positive('connectTimeoutMs', options.connectTimeoutMs ?? 10_000),
		logger: options.logger ?? createLogger(options.logLevel),
		whenBrokerDown: oneOf('whenBrokerDown', options.whenBrokerDown ?? 'wait', ['wait', 'fail'] as const),
	};
	topicName('replyTopicPrefix + clientId', resolved.replyTopicPrefix + resolved.clientId);
	return resolved;
}
