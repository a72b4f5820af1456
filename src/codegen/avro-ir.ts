/**
 * Avro schema JSON → a small tree the generator renders: primitives already mapped to their
 * TypeScript type, named types (records, enums, fixed) as shared definitions so references and
 * recursion point at one object.
 */
import {SchemaError} from './codegen-errors.js';

/** The TypeScript types Avro's primitives and supported logical types map to. */
export type TsPrimitive = 'null' | 'boolean' | 'number' | 'string' | 'Buffer' | 'Date' | DataTs;

/** Tensors and Arrow tables (records with logicalType mlbridge-tensor / mlbridge-arrow-table). */
export type DataTs = 'Tensor' | `Tensor<'${string}'>` | 'ArrowTableLike';

/** The names a generated file imports from mlbridge for the data types it uses. */
export function dataImport(ts: TsPrimitive): string | undefined {
	return ts === 'ArrowTableLike' ? 'ArrowTableLike' : ts.startsWith('Tensor') ? 'Tensor' : undefined;
}

const DTYPE = /^(BOOL|U?INT(8|16|32|64)|FP(16|32|64))$/;

/** The TypeScript type of a Tensor/Table record schema, or undefined for any other schema. */
function dataType(schema: JsonObject): DataTs | undefined {
	const logical = schema['logicalType'];
	if (schema['type'] !== 'record' || typeof logical !== 'string') return undefined;
	if (logical === 'mlbridge-arrow-table') return 'ArrowTableLike';
	if (logical !== 'mlbridge-tensor') return undefined;
	const dtype = schema['dtype'];
	return typeof dtype === 'string' && DTYPE.test(dtype) ? `Tensor<'${dtype}'>` : 'Tensor';
}

export type TypeNode =
	| {readonly kind: 'primitive'; readonly ts: TsPrimitive}
	| {readonly kind: 'array'; readonly items: TypeNode}
	| {readonly kind: 'map'; readonly values: TypeNode}
	| {readonly kind: 'union'; readonly branches: readonly TypeNode[]}
	| {readonly kind: 'named'; readonly def: NamedDef};

export type FieldDef = {
	readonly name: string;
	readonly doc: string | undefined;
	readonly type: TypeNode;
	readonly hasDefault: boolean;
	readonly default: unknown;
};

export type RecordDef = {
	readonly kind: 'record';
	readonly fullname: string;
	readonly doc: string | undefined;
	/** Filled in after the definition is registered, so fields can refer back to it. */
	readonly fields: FieldDef[];
};

export type EnumDef = {
	readonly kind: 'enum';
	readonly fullname: string;
	readonly doc: string | undefined;
	readonly symbols: readonly string[];
};

export type FixedDef = {readonly kind: 'fixed'; readonly fullname: string; readonly doc: string | undefined; readonly size: number};

export type NamedDef = RecordDef | EnumDef | FixedDef;

/** One parsed schema: its root and the named types it defines, in definition order. */
export type ParsedSchema = {readonly root: TypeNode; readonly defined: readonly NamedDef[]};

const primitives: Readonly<Record<string, TsPrimitive>> = {
	null: 'null',
	boolean: 'boolean',
	int: 'number',
	long: 'number',
	float: 'number',
	double: 'number',
	bytes: 'Buffer',
	string: 'string',
};

/** Logical types with their own TypeScript type; every other logical type is its underlying type. */
const logicalTypes: Readonly<Record<string, {readonly on: string; readonly ts: TsPrimitive}>> = {
	'timestamp-millis': {on: 'long', ts: 'Date'},
	date: {on: 'int', ts: 'Date'},
};

type JsonObject = {readonly [key: string]: unknown};

function isObject(value: unknown): value is JsonObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parse one schema; `path` names it in errors (`add.args`). */
export function parseSchema(schema: unknown, path: string): ParsedSchema {
	const parser = new Parser();
	const root = parser.node(schema, '', path);
	return {root, defined: parser.defined};
}

class Parser {
	readonly defined: NamedDef[] = [];
	readonly #byName = new Map<string, NamedDef>();
	/** Tensor and Table records by full name: later references render as the same type. */
	readonly #data = new Map<string, TypeNode>();

	node(schema: unknown, namespace: string, path: string): TypeNode {
		if (typeof schema === 'string') {
			return this.#reference(schema, namespace, path);
		}

		if (Array.isArray(schema)) {
			if (schema.length === 0) {
				throw new SchemaError(path, 'a union needs at least one branch');
			}

			return {kind: 'union', branches: schema.map((branch, i) => this.node(branch, namespace, `${path}[${i}]`))};
		}

		if (!isObject(schema)) {
			throw new SchemaError(path, `expected a type name, a union or a schema object, got ${describe(schema)}`);
		}

		const data = dataType(schema);
		if (data !== undefined) {
			const node: TypeNode = {kind: 'primitive', ts: data};
			this.#data.set(this.#fullname(schema, namespace, path)[0], node);
			return node;
		}

		const {type} = schema;
		switch (type) {
			case 'record':
			case 'error': {
				return this.#record(schema, namespace, path);
			}

			case 'enum': {
				return this.#enum(schema, namespace, path);
			}

			case 'fixed': {
				const size = schema['size'];
				if (typeof size !== 'number' || !Number.isInteger(size) || size < 0) {
					throw new SchemaError(path, `a fixed type needs a non-negative integer "size", got ${describe(size)}`);
				}

				const [fullname] = this.#fullname(schema, namespace, path);
				const def: FixedDef = {kind: 'fixed', fullname, doc: docOf(schema), size};
				this.#define(def, path);
				return {kind: 'named', def};
			}

			case 'array': {
				if (!('items' in schema)) {
					throw new SchemaError(path, 'an array needs "items"');
				}

				return {kind: 'array', items: this.node(schema['items'], namespace, `${path}.items`)};
			}

			case 'map': {
				if (!('values' in schema)) {
					throw new SchemaError(path, 'a map needs "values"');
				}

				return {kind: 'map', values: this.node(schema['values'], namespace, `${path}.values`)};
			}

			default: {
				if (type === undefined) {
					throw new SchemaError(path, 'a schema object needs "type"');
				}

				// {"type": "long", "logicalType": ...}, or a wrapped type: {"type": {...}} / {"type": "Name"}.
				const logical = schema['logicalType'];
				if (typeof logical === 'string' && typeof type === 'string' && logicalTypes[logical]?.on === type) {
					return {kind: 'primitive', ts: logicalTypes[logical].ts};
				}

				return this.node(type, namespace, `${path}.type`);
			}
		}
	}

	#record(schema: JsonObject, namespace: string, path: string): TypeNode {
		const [fullname, ns] = this.#fullname(schema, namespace, path);
		const def: RecordDef = {kind: 'record', fullname, doc: docOf(schema), fields: []};
		this.#define(def, path);
		const fields = schema['fields'];
		if (!Array.isArray(fields)) {
			throw new SchemaError(path, `record ${fullname} needs a "fields" array`);
		}

		const seen = new Set<string>();
		for (const [i, field] of fields.entries()) {
			const fieldPath = `${path}.fields[${i}]`;
			if (!isObject(field) || typeof field['name'] !== 'string' || field['name'] === '') {
				throw new SchemaError(fieldPath, 'a field needs a non-empty "name"');
			}

			const {name} = field;
			if (seen.has(name)) {
				throw new SchemaError(fieldPath, `record ${fullname} has two fields named ${JSON.stringify(name)}`);
			}

			seen.add(name);
			if (!('type' in field)) {
				throw new SchemaError(fieldPath, `field ${JSON.stringify(name)} needs a "type"`);
			}

			def.fields.push({
				name,
				doc: docOf(field),
				type: this.node(field['type'], ns, `${fieldPath}.type`),
				hasDefault: 'default' in field,
				default: field['default'],
			});
		}

		return {kind: 'named', def};
	}

	#enum(schema: JsonObject, namespace: string, path: string): TypeNode {
		const [fullname] = this.#fullname(schema, namespace, path);
		const symbols = schema['symbols'];
		if (!Array.isArray(symbols) || !symbols.every(s => typeof s === 'string')) {
			throw new SchemaError(path, `enum ${fullname} needs a "symbols" array of strings`);
		}

		const def: EnumDef = {kind: 'enum', fullname, doc: docOf(schema), symbols: symbols as string[]};
		this.#define(def, path);
		return {kind: 'named', def};
	}

	#reference(name: string, namespace: string, path: string): TypeNode {
		const primitive = primitives[name];
		if (primitive !== undefined) {
			return {kind: 'primitive', ts: primitive};
		}

		const data = (name.includes('.') ? undefined : this.#data.get(namespace === '' ? name : `${namespace}.${name}`)) ?? this.#data.get(name);
		if (data !== undefined) {
			return data;
		}

		const def =
			(name.includes('.') ? undefined : this.#byName.get(namespace === '' ? name : `${namespace}.${name}`)) ??
			this.#byName.get(name);
		if (def === undefined) {
			throw new SchemaError(path, `unknown type ${JSON.stringify(name)} (not a primitive, and not defined earlier in this schema)`);
		}

		return {kind: 'named', def};
	}

	/** The definition's full name and the namespace its own fields resolve names in. */
	#fullname(schema: JsonObject, namespace: string, path: string): [string, string] {
		const {name} = schema;
		if (typeof name !== 'string' || name === '') {
			throw new SchemaError(path, `a named type (${String(schema['type'])}) needs a "name"`);
		}

		if (name.includes('.')) {
			return [name, name.slice(0, name.lastIndexOf('.'))];
		}

		const explicit = schema['namespace'];
		const ns = typeof explicit === 'string' ? explicit : namespace;
		return [ns === '' ? name : `${ns}.${name}`, ns];
	}

	#define(def: NamedDef, path: string): void {
		if (this.#byName.has(def.fullname)) {
			throw new SchemaError(path, `${def.fullname} is defined twice in one schema`);
		}

		this.#byName.set(def.fullname, def);
		this.defined.push(def);
	}
}

function docOf(schema: JsonObject): string | undefined {
	const {doc} = schema;
	return typeof doc === 'string' && doc.trim() !== '' ? doc : undefined;
}

function describe(value: unknown): string {
	return value === undefined ? 'nothing' : JSON.stringify(value);
}
