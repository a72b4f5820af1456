import {logLevel as KafkaLogLevel, type logCreator} from 'kafkajs';
import type {Logger} from '../logging/logger.js';

/** Route kafkajs's own logs into our structured logger, at our level, instead of its console output. */
export function kafkajsLogCreator(logger: Logger): logCreator {
	return () => entry => {
		const {message, timestamp: _timestamp, ...extra} = entry.log;
		const fields = {component: `kafkajs.${entry.namespace}`, message, ...extra};
		switch (entry.level) {
			case KafkaLogLevel.ERROR: {
				logger.error('kafka.log', fields);
				break;
			}

			case KafkaLogLevel.WARN: {
				logger.warn('kafka.log', fields);
				break;
			}

			default: {
				logger.debug('kafka.log', fields);
			}
		}
	};
}

export function kafkajsLevel(logger: Logger): KafkaLogLevel {
	if (logger.enabled('debug')) {
		return KafkaLogLevel.INFO;
	}

	if (logger.enabled('warn')) {
		return KafkaLogLevel.WARN;
	}

	return logger.enabled('error') ? KafkaLogLevel.ERROR : KafkaLogLevel.NOTHING;
}
