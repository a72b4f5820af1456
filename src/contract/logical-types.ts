/**
 * avsc logical types for the typed contract: `Date` for `timestamp-millis` and `date`, and plain
 * (unwrapped) values for unions avsc would otherwise wrap (`[long, double]`, two records).
 */
import avsc from 'avsc';
import type {Schema, Type} from 'avsc';
import {ArrowTableType, TensorType} from './data-types.js';

const MS_PER_DAY = 86_400_000;

function isValidDate(value: unknown): value is Date {
	return value instanceof Date && Number.isFinite(value.getTime());
}

/** The underlying Avro primitive of a (possibly logical) type. */
function primitiveName(type: Type): string {
	const underlying = (type as {underlyingType?: Type}).underlyingType;
	return underlying === undefined ? type.typeName : primitiveName(underlying);
}

/** Epoch milliseconds (`long`) ↔ `Date`. Python: `datetime.datetime`. */
export class TimestampMillisType extends avsc.types.LogicalType {
	protected override _fromValue(value: number | bigint): Date {
		return new Date(Number(value));
	}

	protected override _toValue(value: unknown): number | undefined {
		// Integer milliseconds only: a Date is integral by construction; a number is refused so a
		// seconds/milliseconds mix-up fails locally instead of landing as a 1970 date.
		return isValidDate(value) ? value.getTime() : undefined;
	}

	protected override _resolve(writer: Type): ((value: unknown) => unknown) | undefined {
		if (writer instanceof TimestampMillisType) {
			return value => value;
		}

		const name = primitiveName(writer);
		return name === 'long' || name === 'int' ? value => this._fromValue(value as number) : undefined;
	}
}

/** Days since the epoch (`int`) ↔ `Date` at UTC midnight. Python: `datetime.date`. */
export class DateType extends avsc.types.LogicalType {
	protected override _fromValue(days: number): Date {
		return new Date(days * MS_PER_DAY);
	}

	/** The UTC calendar day of the Date: its time of day is dropped. */
	protected override _toValue(value: unknown): number | undefined {
		return isValidDate(value) ? Math.floor(value.getTime() / MS_PER_DAY) : undefined;
	}

	protected override _resolve(writer: Type): ((value: unknown) => unknown) | undefined {
		if (writer instanceof DateType) {
			return value => value;
		}

		return primitiveName(writer) === 'int' ? value => this._fromValue(value as number) : undefined;
	}
}

type WrappedBranch = {unwrap(): unknown};

/**
 * A union whose branches avsc cannot tell apart by the JS value alone (`[long, double]`,
 * `[RecordA, RecordB]`, `[string, enum]`). avsc wraps those (`{long: 1}`); this type keeps values
 * plain: writing picks the first branch the value is valid for, reading unwraps.
 */
export class AmbiguousUnionType extends avsc.types.LogicalType {
	#branches: readonly Type[] | undefined;

	constructor(wrapped: Schema, opts?: unknown) {
		super(wrapped, opts);
		(this as unknown as {_logicalTypeName: string})._logicalTypeName = 'mlbridge-plain-union';
	}

	get branches(): readonly Type[] {
		this.#branches ??= (this.underlyingType as unknown as {types: Type[]}).types;
		return this.#branches;
	}

	protected override _fromValue(value: WrappedBranch | null): unknown {
		return value === null ? null : value.unwrap();
	}

	protected override _toValue(value: unknown): Record<string, unknown> | null | undefined {
		for (const branch of this.branches) {
			if (branch.isValid(value, {noUndeclaredFields: true})) {
				return branch.typeName === 'null' ? null : {[branchName(branch)]: value};
			}
		}

		return undefined;
	}

	protected override _resolve(): undefined {
		return undefined;
	}

	/**
	 * avsc's LogicalType resolution reads with the writer's own type and converts afterwards, which
	 * skips record/union resolution. Resolve through the wrapped union instead.
	 */
	_update(resolver: {_read?: (tap: unknown) => unknown}, writer: Type, opts: unknown): void {
		const source = writer instanceof AmbiguousUnionType ? writer.underlyingType : writer;
		const inner = this.underlyingType.createResolver(source, opts as never) as unknown as {_read(tap: unknown): unknown};
		resolver._read = tap => this._fromValue(inner._read(tap) as WrappedBranch | null);
	}
}

/** The key avsc uses for a branch of a wrapped union: the full name, or the type name. */
function branchName(type: Type): string {
	return (type as {branchName?: string}).branchName ?? type.name ?? type.typeName;
}

/** Whether avsc would wrap this union under `wrapUnions: 'auto'`: two branches of one JS kind. */
function isAmbiguous(schema: readonly Schema[], opts: avsc.ForSchemaOptions): boolean {
	const seen = new Set<string>();
	for (const branch of schema) {
		const kind = jsKind(branch, opts);
		if (kind === undefined) {
			continue;
		}

		if (seen.has(kind)) {
			return true;
		}

		seen.add(kind);
	}

	return false;
}

const PRIMITIVES: ReadonlySet<string> = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);

const KIND: Readonly<Record<string, string>> = {
	int: 'number', long: 'number', float: 'number', double: 'number',
	bytes: 'buffer', fixed: 'buffer', enum: 'string', string: 'string',
	map: 'object', record: 'object', error: 'object',
};

/** The JS kind of a branch; undefined for logical types (avsc tells those apart by trying them). */
function jsKind(schema: Schema, opts: avsc.ForSchemaOptions): string | undefined {
	if (typeof schema === 'string') {
		if (PRIMITIVES.has(schema)) {
			return KIND[schema] ?? schema;
		}

		const named = opts.registry[schema] ?? (opts.namespace === undefined ? undefined : opts.registry[`${opts.namespace}.${schema}`]);
		if (named !== undefined) {
			return named.typeName.startsWith('logical:') ? undefined : KIND[named.typeName] ?? named.typeName;
		}

		return KIND[schema] ?? schema;
	}

	if (Array.isArray(schema)) {
		return 'union';
	}

	const object = schema as {type: Schema; logicalType?: string};
	if (object.logicalType !== undefined && opts.logicalTypes[object.logicalType] !== undefined) {
		return undefined;
	}

	return typeof object.type === 'string' ? KIND[object.type] ?? object.type : jsKind(object.type, opts);
}

/**
 * The `typeHook` that turns ambiguous unions into AmbiguousUnionType. The guard stops the hook
 * from catching the same union again while the logical type builds its underlying union.
 */
export function createUnionHook(): (schema: Schema, opts: avsc.ForSchemaOptions) => Type | undefined {
	const building = new Set<unknown>();
	return (schema, opts) => {
		if (!Array.isArray(schema) || building.has(schema) || !isAmbiguous(schema as Schema[], opts)) {
			return undefined;
		}

		building.add(schema);
		try {
			// Built by hand: the exact long type is "abstract" to avsc, so its own ambiguity test
			// would pick an unwrapped union that throws on values valid for two branches.
			const branches = (schema as Schema[]).map(branch => avsc.Type.forSchema(branch, opts));
			const wrapped = new avsc.types.WrappedUnionType(branches as unknown as Schema, opts);
			return new AmbiguousUnionType(wrapped as unknown as Schema, opts);
		} finally {
			building.delete(schema);
		}
	};
}

/** The logical types every typed schema is compiled with. */
export const logicalTypes: Readonly<Record<string, new (schema: Schema, opts?: unknown) => avsc.types.LogicalType>> = {
	'timestamp-millis': TimestampMillisType,
	date: DateType,
	'mlbridge-tensor': TensorType,
	'mlbridge-arrow-table': ArrowTableType,
};
