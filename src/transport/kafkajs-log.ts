import {logLevel as KafkaLogLevel, type logCreator} from 'kafkajs';
import type {Logger} from '../logging/logger.js';

/**
 * Route kafkajs's own logs into our structured logger at debug level. kafkajs logs every retry of
 * a failed connection as an ERROR; what matters to the caller surfaces as a typed error on the
 * call (BrokerUnreachableError) or as our own `transport.*` events, so its chatter stays at debug.
 */
export function kafkajsLogCreator(logger: Logger): logCreator {
	return () => entry => {
		const {message, timestamp: _timestamp, ...extra} = entry.log;
		logger.debug('kafka.log', {component: `kafkajs.${entry.namespace}`, kafkaLevel: KafkaLogLevel[entry.level], message, ...extra});
	};
}

export function kafkajsLevel(logger: Logger): KafkaLogLevel {
	return logger.enabled('debug') ? KafkaLogLevel.INFO : KafkaLogLevel.NOTHING;
}
