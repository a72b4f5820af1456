/**
 * Local validation of a value against a compiled schema, with a message naming the field path and
 * the expected type: `args.config.epochs: expected number (integer), got "x"`.
 */
import type {Type} from 'avsc';
import {ArrowTableType, describeData, TensorType} from './data-types.js';
import {AmbiguousUnionType, DateType, TimestampMillisType} from './logical-types.js';

/** Why a value does not fit a schema. */
export type SchemaViolation = {
	/** Where, e.g. `args.config.layers[2]`. */
	readonly path: string;
	/** The expected type, in TypeScript terms, e.g. `number (integer)` or `"fast" | "full"`. */
	readonly expected: string;
	/** What was found, e.g. `"x"`, `undefined (missing)` or `an unexpected field "foo"`. */
	readonly found: string;
	/** `<path>: expected <expected>, got <found>`. */
	readonly message: string;
};

/**
 * The first problem of `value`, or undefined when it fits. The fast check runs first; the slower
 * one that records paths only runs for a value that is already known to be wrong.
 */
export function findViolation(type: Type, value: unknown, root: string): SchemaViolation | undefined {
	if (type.isValid(value, {noUndeclaredFields: true})) {
		return undefined;
	}

	let violation: SchemaViolation | undefined;
	type.isValid(value, {
		noUndeclaredFields: true,
		errorHook(path: string[], found: unknown, at: Type) {
			violation ??= describeViolation(root, path, found, at);
		},
	});
	return violation ?? violationAt(root, 'a value of this schema', found(value));
}

function describeViolation(root: string, path: readonly string[], value: unknown, at: Type): SchemaViolation {
	const where = formatPath(root, path);
	if (isRecordType(at) && typeof value === 'object' && value !== null && !Array.isArray(value)) {
		// A record that failed as a whole while its object shape is right: an undeclared field (even
		// one set to undefined, which avsc counts as present).
		const declared = new Set(at.fields.map(f => f.name));
		const extra = Object.keys(value).find(key => !declared.has(key));
		if (extra !== undefined) {
			return {
				path: where,
				expected: `no field "${extra}" (fields: ${[...declared].join(', ') || 'none'})`,
				found: `an unexpected field "${extra}"`,
				message: `${where}: unexpected field "${extra}"; ${typeDescription(at)} has ${declared.size === 0 ? 'no fields' : `the fields ${[...declared].join(', ')}`}`,
			};
		}
	}

	return violationAt(where, typeDescription(at), found(value));
}

function violationAt(path: string, expected: string, foundText: string): SchemaViolation {
	return {path, expected, found: foundText, message: `${path}: expected ${expected}, got ${foundText}`};
}

/** `args` + `['config', 'layers', '2']` → `args.config.layers[2]`. */
export function formatPath(root: string, path: readonly string[]): string {
	let out = root;
	for (const segment of path) {
		out += /^\d+$/.test(segment) ? `[${segment}]` : /^[A-Za-z_$][\w$]*$/.test(segment) ? `.${segment}` : `[${JSON.stringify(segment)}]`;
	}

	return out;
}

type RecordLike = Type & {fields: ReadonlyArray<{name: string}>};

function isRecordType(type: Type): type is RecordLike {
	return type.typeName === 'record' || type.typeName === 'error';
}

/** A schema type in TypeScript terms. */
export function typeDescription(type: Type): string {
	if (type instanceof TimestampMillisType || type instanceof DateType) {
		return 'Date';
	}

	if (type instanceof AmbiguousUnionType) {
		return type.branches.map(typeDescription).join(' | ');
	}

	if (type instanceof TensorType) {
		return type.describe();
	}

	if (type instanceof ArrowTableType) {
		return 'an apache-arrow Table';
	}

	const anyType = type as Type & {
		types?: Type[];
		symbols?: string[];
		itemsType?: Type;
		valuesType?: Type;
		size?: number;
		underlyingType?: Type;
	};
	switch (type.typeName) {
		case 'null':
		case 'boolean':
		case 'string':
			return type.typeName;
		case 'int':
		case 'long':
		case 'abstract:long':
			return 'number (integer)';
		case 'float':
		case 'double':
			return 'number';
		case 'bytes':
			return 'Buffer';
		case 'fixed':
			return `Buffer of ${anyType.size ?? '?'} bytes`;
		case 'enum':
			return (anyType.symbols ?? []).map(s => JSON.stringify(s)).join(' | ');
		case 'array':
			return anyType.itemsType === undefined ? 'array' : `${typeDescription(anyType.itemsType)}[] (array)`;
		case 'map':
			return anyType.valuesType === undefined ? 'object (map)' : `Record<string, ${typeDescription(anyType.valuesType)}> (map)`;
		case 'record':
		case 'error':
			return `object ${shortName(type.name)}`;
		case 'union:unwrapped':
		case 'union:wrapped':
			return (anyType.types ?? []).map(typeDescription).join(' | ');
		default:
			return anyType.underlyingType === undefined ? type.typeName : typeDescription(anyType.underlyingType);
	}
}

function shortName(name: string | undefined): string {
	return name === undefined ? '(record)' : name.slice(name.lastIndexOf('.') + 1);
}

/** A found value, short and unambiguous. */
export function found(value: unknown): string {
	if (value === undefined) {
		return 'undefined (missing)';
	}

	if (value === null) {
		return 'null';
	}

	switch (typeof value) {
		case 'string':
			return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
		case 'number':
			return String(value);
		case 'bigint':
			return `${value}n`;
		case 'boolean':
			return String(value);
		case 'function':
			return 'a function';
		case 'symbol':
			return 'a symbol';
		default:
			break;
	}

	const data = describeData(value);
	if (data !== undefined) {
		return data;
	}

	if (value instanceof Date) {
		return Number.isFinite(value.getTime()) ? `a Date (${value.toISOString()})` : 'an invalid Date';
	}

	if (Array.isArray(value)) {
		return `an array of ${value.length}`;
	}

	if (Buffer.isBuffer(value)) {
		return `a Buffer of ${value.length} bytes`;
	}

	if (value instanceof Uint8Array) {
		return 'a Uint8Array (use a Buffer)';
	}

	const proto = Object.getPrototypeOf(value) as object | null;
	const name = proto === null || proto === Object.prototype ? undefined : (proto.constructor as {name?: string} | undefined)?.name;
	return name === undefined ? 'an object' : `a ${name}`;
}
