import {MlbridgeError} from '../errors/base.js';

/** The presence topic could not be read to its end within the time allowed (broker slow or partly down). */
export class PresenceReadTimeoutError extends MlbridgeError {
	readonly topic: string;
	readonly timeoutMs: number;

	constructor(topic: string, timeoutMs: number) {
		super(`The runner presence topic ${topic} was not read to its end within ${timeoutMs} ms`, {code: 'PRESENCE_READ_TIMEOUT', retryable: true});
		this.topic = topic;
		this.timeoutMs = timeoutMs;
	}
}
