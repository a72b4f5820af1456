/**
 * Arguments to their wire bytes, for invoke() and submit() alike: the same local checks and the
 * same InvalidArgumentsError (`origin: 'local'`, nothing sent) either way.
 */
import {encodeGenericValue, encodeValue, ValueEncodingError, wireSchemas} from '../codec/index.js';
import type {TypedSchema} from '../contract/typed-codec.js';
import {InvalidArgumentsError} from '../errors/index.js';

/**
 * The generic Value encoding of named arguments (`undefined`/`null`: none) and the ref of the Value
 * version it needs (value-v2.avsc only when a tensor or table occurs).
 */
export function encodeGenericArgs(id: string, pipeline: string, args: unknown): {args: Buffer; argsSchema: string} {
	if (args === undefined || args === null) {
		return {args: encodeValue({}, 'args'), argsSchema: wireSchemas.value.ref};
	}

	if (typeof args !== 'object' || Array.isArray(args)) {
		throw invalidArguments(id, pipeline, `Expected the arguments to be an object of named arguments, got ${Array.isArray(args) ? 'an array' : typeof args}`);
	}

	try {
		const {body, schema} = encodeGenericValue(args, 'args');
		return {args: body, argsSchema: schema.ref};
	} catch (error) {
		if (error instanceof ValueEncodingError) {
			throw invalidArguments(id, pipeline, error.message, error);
		}

		throw error;
	}
}

/** Validate (unless `validate` is false), then write the args record. */
export function encodeTypedArgs(id: string, pipeline: string, args: unknown, schema: TypedSchema, validate: boolean): Buffer {
	const value = args === undefined || args === null ? {} : args;
	if (validate) {
		const violation = schema.check(value, 'args');
		if (violation !== undefined) {
			throw invalidArguments(id, pipeline, violation.message, undefined, 'SchemaViolation');
		}
	}

	try {
		return schema.encode(value);
	} catch (error) {
		throw invalidArguments(id, pipeline, `args: ${error instanceof Error ? error.message : String(error)}`, error, 'SchemaViolation');
	}
}

function invalidArguments(
	requestId: string,
	pipeline: string,
	message: string,
	cause?: unknown,
	type = 'ValueEncodingError',
): InvalidArgumentsError {
	return new InvalidArgumentsError(
		requestId,
		pipeline,
		{code: 'INVALID_ARGUMENTS', type, message, traceback: '', retryable: false, causes: []},
		'local',
		cause,
	);
}
