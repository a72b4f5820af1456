import {MlbridgeError} from '../errors/base.js';

/** The model (or the version asked for) is not on the model topic, read to its end. */
export class ModelNotFoundError extends MlbridgeError {
	readonly model: string;
	readonly version: number | undefined;

	constructor(model: string, version?: number, detail = '') {
		const what = version === undefined ? 'no version' : `no version ${version}`;
		super(`Model ${JSON.stringify(model)} has ${what} on the model topic${detail === '' ? '' : `: ${detail}`}`, {code: 'MODEL_NOT_FOUND'});
		this.model = model;
		this.version = version;
	}
}

/** The model topic could not be read to its end in time, or a tag record was not acknowledged. */
export class ModelTopicError extends MlbridgeError {
	readonly topic: string;

	constructor(topic: string, message: string, cause?: unknown) {
		super(`Model topic ${topic}: ${message}`, {code: 'MODEL_TOPIC_UNAVAILABLE', retryable: true, cause});
		this.topic = topic;
	}
}
