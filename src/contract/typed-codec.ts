/**
 * Per-pipeline Avro schemas (the typed contract): compiled once per ref with avsc, with `Date` for
 * `timestamp-millis` and `date`, plain objects for records, unwrapped unions, exact longs, local
 * validation with field paths, and writer → reader resolution.
 */
import avsc from 'avsc';
import type {Resolver, Schema, Type} from 'avsc';
import {createExactLongType} from '../codec/avsc-long.js';
import {CodecError} from '../codec/codec-errors.js';
import {fingerprint} from '../codec/crc64.js';
import type {AvroSchema} from './contract.js';
import {createUnionHook, logicalTypes} from './logical-types.js';
import {findViolation, type SchemaViolation} from './validation.js';

/** `crc64:` + the 16 hex digits of the schema's CRC-64-AVRO fingerprint (as in single-object frames). */
export function refOf(canonicalForm: string): string {
	return `crc64:${fingerprint(canonicalForm).toString('hex')}`;
}

/** One compiled schema. Immutable; share it. */
export class TypedSchema {
	/** The schema as given (JSON form). */
	readonly schema: AvroSchema;
	/** Parsing Canonical Form, equal to fastavro's `to_parsing_canonical_form`. */
	readonly canonicalForm: string;
	/** `crc64:<16 hex>`: what `argsSchema` / `resultSchema` carry. */
	readonly ref: string;
	readonly type: Type;
	/** Resolvers reading data written with another schema, by the writer's ref. */
	readonly #resolvers = new Map<string, Resolver>();

	private constructor(schema: AvroSchema, type: Type) {
		this.schema = schema;
		this.type = type;
		// avsc's schema() export is the Parsing Canonical Form (tests compare it with fastavro's).
		this.canonicalForm = JSON.stringify(type.schema());
		this.ref = refOf(this.canonicalForm);
	}

	/** Compile a schema (JSON value or JSON text). Throws CodecError for an invalid schema. */
	static compile(schema: AvroSchema | string): TypedSchema {
		let parsed: AvroSchema;
		try {
			parsed = typeof schema === 'string' && /^\s*[[{"]/.test(schema) ? (JSON.parse(schema) as AvroSchema) : schema;
		} catch (error) {
			throw new CodecError('malformed-body', `Not a JSON Avro schema: ${String(error)}`, {cause: error});
		}

		const registry: Record<string, Type> = {long: createExactLongType()};
		let type: Type;
		try {
			type = avsc.Type.forSchema(parsed as Schema, {
				registry,
				logicalTypes,
				typeHook: createUnionHook(),
				wrapUnions: 'auto',
				omitRecordMethods: true,
			});
		} catch (error) {
			throw new CodecError('malformed-body', `Invalid Avro schema: ${error instanceof Error ? error.message : String(error)}`, {cause: error});
		}

		plainRecords(registry);
		return new TypedSchema(parsed, type);
	}

	/** The first reason `value` does not fit, or undefined. `root` starts the path (`args`, `result`). */
	check(value: unknown, root: string): SchemaViolation | undefined {
		return findViolation(this.type, value, root);
	}

	/** Avro binary body of `value` (no framing). Check the value first: avsc writes some wrong values silently. */
	encode(value: unknown): Buffer {
		return this.type.toBuffer(value);
	}

	/** Read a body written with this very schema. */
	decode(body: Buffer): unknown {
		return this.#read(body, undefined);
	}

	/** Read a body written with `writer`, resolved to this schema (Avro schema resolution). */
	decodeFrom(writer: TypedSchema, body: Buffer): unknown {
		if (writer.ref === this.ref) {
			return this.#read(body, undefined);
		}

		return this.#read(body, this.resolverFor(writer));
	}

	/** Throws CodecError (`not-encodable`) when data of `writer` cannot be read as this schema. */
	resolverFor(writer: TypedSchema): Resolver {
		let resolver = this.#resolvers.get(writer.ref);
		if (resolver === undefined) {
			try {
				resolver = this.type.createResolver(writer.type);
			} catch (error) {
				throw new CodecError('not-encodable', `Data written with schema ${writer.ref} cannot be read as ${this.ref}: ${error instanceof Error ? error.message : String(error)}`, {cause: error});
			}

			this.#resolvers.set(writer.ref, resolver);
		}

		return resolver;
	}

	#read(body: Buffer, resolver: Resolver | undefined): unknown {
		try {
			return this.type.fromBuffer(body, resolver, false);
		} catch (error) {
			const message = error instanceof Error ? error.message : String(error);
			throw new CodecError(/trailing/i.test(message) ? 'trailing-bytes' : 'malformed-body', `Cannot read a body of schema ${this.ref}: ${message}`, {cause: error});
		}
	}
}

/**
 * Records decode as plain objects (prototype Object.prototype), not instances of avsc's generated
 * classes: results compare equal to object literals and carry no methods.
 */
function plainRecords(registry: Readonly<Record<string, Type>>): void {
	for (const type of Object.values(registry)) {
		const constructor = (type as {recordConstructor?: {prototype: object}}).recordConstructor;
		if (constructor !== undefined) {
			constructor.prototype = Object.prototype;
		}
	}
}
