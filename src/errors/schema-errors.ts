import {MlbridgeError} from './base.js';

/**
 * A reply was written with a result schema this client does not know: neither the pinned
 * contract nor the catalogue (after waiting for it to catch up) has its ref.
 */
export class SchemaNotFoundError extends MlbridgeError {
	readonly pipeline: string;
	/** The unknown `crc64:…` ref. */
	readonly ref: string;

	constructor(requestId: string, pipeline: string, ref: string, waitedMs: number) {
		super(
			`The result of ${pipeline} (request ${requestId}) is written with schema ${ref}, which neither the contract nor the catalogue knows (waited ${waitedMs} ms)`,
			{code: 'SCHEMA_NOT_FOUND', requestId},
		);
		this.pipeline = pipeline;
		this.ref = ref;
	}
}
