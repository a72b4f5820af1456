import {MlbridgeError} from '../errors/base.js';

/** A Tensor whose parts disagree: a shape whose element count is not the data's, or a dtype its typed array cannot hold. */
export class TensorShapeError extends MlbridgeError {
	constructor(message: string) {
		super(message, {code: 'TENSOR_SHAPE'});
	}
}

/** Arrow tables need the optional package apache-arrow, which is not installed. */
export class ArrowMissingError extends MlbridgeError {
	readonly packageName = 'apache-arrow';

	constructor(cause?: unknown) {
		super('Arrow tables need the optional package apache-arrow, which is not installed: npm install apache-arrow', {
			code: 'MISSING_PEER_DEPENDENCY',
			cause,
		});
	}
}
