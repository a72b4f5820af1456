/**
 * The kafkajs instance the operations commands talk through: quiet, few retries, so an
 * unreachable broker is reported within the command's timeout instead of after kafkajs's backoff.
 */
import {type Admin, Kafka, logLevel} from 'kafkajs';
import {BrokerUnreachableError} from '../errors/invocation-errors.js';
import {kafkajsSecurityFromEnv} from '../transport/security-env.js';
import {withDeadline} from './deadline.js';

export type OperationsConnection = {
	readonly brokers: readonly string[];
	/** Give up after this long. */
	readonly timeoutMs: number;
};

export function operationsKafka({brokers, timeoutMs}: OperationsConnection): Kafka {
	return new Kafka({
		clientId: 'mlbridge-operations',
		brokers: [...brokers],
		...kafkajsSecurityFromEnv(), // TLS and SASL from the runner's variables (docs/production.md)
		logLevel: logLevel.NOTHING,
		connectionTimeout: Math.min(3000, timeoutMs),
		requestTimeout: Math.max(1000, Math.min(30_000, timeoutMs)),
		retry: {retries: 2, initialRetryTime: 100, maxRetryTime: 1000},
	});
}

/** A connected admin client, or BrokerUnreachableError by `deadline`. */
export async function connectAdmin(kafka: Kafka, brokers: readonly string[], deadline: number): Promise<Admin> {
	const admin = kafka.admin();
	try {
		await withDeadline(admin.connect(), deadline, () => new Error('no answer in time'));
		return admin;
	} catch (error) {
		await admin.disconnect().catch(() => undefined);
		throw new BrokerUnreachableError(brokers, error);
	}
}
