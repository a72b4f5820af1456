/**
 * How a result body is read, for call replies (reply-router.ts) and job records alike: the generic
 * Value encoding, or a typed schema found by its ref in the SchemaStore (waiting, bounded, for the
 * catalogue to learn an unknown ref), resolved to the reader schema of the call when there is one.
 */
import {decodeValue, isValueRef} from '../codec/index.js';
import type {SchemaStore} from '../contract/schema-store.js';
import type {TypedSchema} from '../contract/typed-codec.js';
import {SchemaNotFoundError} from '../errors/index.js';
import {RunnerError} from '../errors/remote-errors.js';

/**
 * Result refs a schema source can name (the catalogue: `crc64:`, a schema registry: `registry:`);
 * anything else is refused at once, as before typed results.
 */
const SCHEMA_REF = /^(crc64:[0-9a-f]{16}|registry:\d+)$/;

/** Where typed results find their writer schema. */
export type TypedResults = {
	readonly schemas: SchemaStore;
	/** How long to wait for the catalogue to learn an unknown result ref. */
	readonly waitMs: number;
};

/** A result as it arrived: in a reply or in a job record. */
export type WrittenResult = {
	/** The request or job id. */
	readonly id: string;
	readonly pipeline: string;
	readonly runner: string;
	readonly result: Buffer;
	readonly resultSchema: string;
};

/** Whether a result written with `ref` is read through the schema store rather than as a Value. */
export function isTypedRef(ref: string, typed: TypedResults | undefined): typed is TypedResults {
	return typed !== undefined && SCHEMA_REF.test(ref) && !isValueRef(ref);
}

/** Read with the writer schema, resolved to `reader` when given. Throws RunnerError (UndecodableResult). */
export function readTypedResult(written: WrittenResult, writer: TypedSchema, reader: TypedSchema | undefined): unknown {
	try {
		return reader === undefined ? writer.decode(written.result) : reader.decodeFrom(writer, written.result);
	} catch (error) {
		throw undecodableResult(written, error);
	}
}

/** Read a result that is not typed: the generic Value. Throws RunnerError for any other schema. */
export function readGenericResult(written: WrittenResult): unknown {
	if (!isValueRef(written.resultSchema)) {
		throw new RunnerError(
			written.id,
			written.pipeline,
			{
				code: 'INTERNAL',
				type: 'UnsupportedResultSchema',
				message: `The result is written with schema ${written.resultSchema}, which this client cannot read`,
				traceback: '',
				retryable: false,
				causes: [],
			},
			written.runner,
		);
	}

	try {
		return decodeValue(written.result);
	} catch (error) {
		throw undecodableResult(written, error);
	}
}

/**
 * The whole reading as a promise, for results read off the per-call hot path (jobs). An unknown
 * typed ref waits up to `typed.waitMs`, then rejects with SchemaNotFoundError.
 */
export async function readResult(written: WrittenResult, reader: TypedSchema | undefined, typed: TypedResults | undefined): Promise<unknown> {
	if (!isTypedRef(written.resultSchema, typed)) {
		return readGenericResult(written);
	}

	const writer = typed.schemas.get(written.resultSchema) ?? (await typed.schemas.wait(written.resultSchema, typed.waitMs));
	if (writer === undefined) {
		throw new SchemaNotFoundError(written.id, written.pipeline, written.resultSchema, typed.waitMs);
	}

	return readTypedResult(written, writer, reader);
}

function undecodableResult(written: WrittenResult, error: unknown): RunnerError {
	return new RunnerError(
		written.id,
		written.pipeline,
		{code: 'INTERNAL', type: 'UndecodableResult', message: String(error), traceback: '', retryable: false, causes: []},
		written.runner,
	);
}
