/**
 * Avro schemas → TypeScript type text (the table in docs/typed-contract.md §1): records become
 * exported object types, enums unions of string literals, `["null", T]` `T | null`, bytes `Buffer`,
 * every number type `number`, timestamp-millis and date `Date`.
 *
 * A record has two readings. What a runner returns always has every field (`output`); what a
 * caller sends may leave out fields with a default (`input`: `x?: T`). When a record is used both
 * ways and the readings differ, the caller's one is exported as `<Name>Input`.
 */
import {dataImport, parseSchema, type NamedDef, type RecordDef, type TypeNode} from './avro-ir.js';
import {SchemaError} from './codegen-errors.js';
import {isUsableTypeName, jsDoc, pascalCase, propertyKey, quote, sanitizeIdentifier} from './ts-names.js';

export type Direction = 'input' | 'output';

/** A schema added for one direction; render it once every schema has been added. */
export type TypeHandle = {readonly node: TypeNode; readonly direction: Direction};

type Names = {output?: string; input?: string};

/** Where the generator puts pipeline-derived names (`Args`, Literal enums): see §1 of the design. */
const pipelineNamespace = 'mlbridge.pipeline.';

export class TypeScriptTypes {
	/** The distinct named types, in the order first seen: the order they are declared in. */
	readonly #defs: NamedDef[] = [];
	/** Each parsed definition → the first structurally equal one (itself when new). */
	readonly #canonical = new Map<NamedDef, NamedDef>();
	readonly #byFullname = new Map<string, Array<{readonly def: NamedDef; readonly key: string}>>();
	readonly #owner = new Map<NamedDef, string>();
	readonly #used = new Map<NamedDef, Set<Direction>>();
	#names: Map<NamedDef, Names> | undefined;

	/**
	 * Parse `schema` (Avro JSON, already parsed from text) and note the named types it uses in
	 * `direction`. `path` names the schema in errors; `owner` (the pipeline) tells two different
	 * types of the same name apart.
	 */
	add(schema: unknown, direction: Direction, options: {readonly path: string; readonly owner: string}): TypeHandle {
		if (this.#names !== undefined) {
			throw new Error('TypeScriptTypes.add() after rendering started');
		}

		const parsed = parseSchema(schema, options.path);
		for (const def of parsed.defined) {
			const key = structureKey(def);
			const sameName = this.#byFullname.get(def.fullname) ?? [];
			const equal = sameName.find(entry => entry.key === key);
			if (equal === undefined) {
				sameName.push({def, key});
				this.#byFullname.set(def.fullname, sameName);
				this.#canonical.set(def, def);
				this.#owner.set(def, options.owner);
				this.#defs.push(def);
			} else {
				this.#canonical.set(def, equal.def);
			}
		}

		this.#markUsed(parsed.root, direction);
		return {node: parsed.root, direction};
	}

	/** What rendered types need from mlbridge besides Contract (`Tensor`, `ArrowTableLike`), sorted. */
	readonly dataImports = new Set<string>();

	/** The TypeScript type of an added schema: a primitive, an inline type, or a declared name. */
	render(handle: TypeHandle): string {
		return this.#render(handle.node, handle.direction).text;
	}

	/** The record a handle's schema is, or a SchemaError (pipeline arguments must be a record). */
	recordOf(handle: TypeHandle, path: string): RecordDef {
		const {node} = handle;
		if (node.kind === 'named' && node.def.kind === 'record') {
			return this.#resolve(node.def) as RecordDef;
		}

		throw new SchemaError(path, 'an arguments schema must be a record (one field per parameter)');
	}

	/** `export type ...` for every named type in use, in the order first seen. */
	declarations(): string[] {
		const names = this.#assignNames();
		const out: string[] = [];
		for (const def of this.#defs) {
			const name = names.get(def);
			if (def.kind === 'enum' && name?.output !== undefined) {
				const union = def.symbols.length === 0 ? 'never' : def.symbols.map(s => quote(s)).join(' | ');
				out.push(`${jsDoc(docLines(def.doc, def.fullname), '')}export type ${name.output} = ${union};\n`);
			}

			if (def.kind === 'record') {
				for (const direction of ['output', 'input'] as const) {
					const declared = name?.[direction];
					if (declared !== undefined) {
						out.push(this.#recordDeclaration(def, declared, direction));
					}
				}
			}
		}

		return out;
	}

	#recordDeclaration(def: RecordDef, name: string, direction: Direction): string {
		const doc = jsDoc(docLines(def.doc, def.fullname), '');
		if (def.fields.length === 0) {
			return `${doc}export type ${name} = Record<string, never>;\n`;
		}

		const members = def.fields.map(field => {
			const optional = direction === 'input' && field.hasDefault;
			const lines = field.doc === undefined ? [] : [field.doc];
			if (optional) {
				lines.push(`@defaultValue ${JSON.stringify(field.default)}`);
			}

			const type = this.#render(field.type, direction).text;
			return `${jsDoc(lines, '\t')}\treadonly ${propertyKey(field.name)}${optional ? '?' : ''}: ${type};\n`;
		});
		return `${doc}export type ${name} = {\n${members.join('')}};\n`;
	}

	#render(node: TypeNode, direction: Direction): {text: string; union: boolean} {
		switch (node.kind) {
			case 'primitive': {
				const needed = dataImport(node.ts);
				if (needed !== undefined) this.dataImports.add(needed);
				return {text: node.ts, union: false};
			}

			case 'array': {
				const items = this.#render(node.items, direction);
				return {text: items.union ? `(${items.text})[]` : `${items.text}[]`, union: false};
			}

			case 'map': {
				return {text: `Record<string, ${this.#render(node.values, direction).text}>`, union: false};
			}

			case 'union': {
				const branches = [...new Set(node.branches.map(branch => this.#render(branch, direction).text))];
				// `T | null` reads better than `null | T`, whatever order the schema lists them in.
				const ordered = [...branches.filter(b => b !== 'null'), ...branches.filter(b => b === 'null')];
				return {text: ordered.join(' | '), union: ordered.length > 1};
			}

			case 'named': {
				const def = this.#resolve(node.def);
				if (def.kind === 'fixed') {
					return {text: 'Buffer', union: false};
				}

				const names = this.#assignNames().get(def);
				const variant = def.kind === 'record' ? this.#variant(def, direction) : 'output';
				const name = names?.[variant];
				if (name === undefined) {
					throw new Error(`no name for ${def.fullname} (${variant}): a schema was rendered without add()`);
				}

				return {text: name, union: false};
			}
		}
	}

	#resolve(def: NamedDef): NamedDef {
		return this.#canonical.get(def) ?? def;
	}

	/** Which reading of `def` a `direction` position takes: input only where it makes a difference. */
	#variant(def: RecordDef, direction: Direction): Direction {
		return direction === 'input' && this.#inputDiffers(def) ? 'input' : 'output';
	}

	/** Whether some record reachable from `root` (itself included) has a field with a default. */
	#inputDiffers(root: RecordDef): boolean {
		const seen = new Set<NamedDef>();
		const visit = (node: TypeNode): boolean => {
			switch (node.kind) {
				case 'primitive': {
					return false;
				}

				case 'array': {
					return visit(node.items);
				}

				case 'map': {
					return visit(node.values);
				}

				case 'union': {
					return node.branches.some(branch => visit(branch));
				}

				case 'named': {
					const def = this.#resolve(node.def);
					if (def.kind !== 'record' || seen.has(def)) {
						return false;
					}

					seen.add(def);
					return def.fields.some(field => field.hasDefault || visit(field.type));
				}
			}
		};

		return visit({kind: 'named', def: root});
	}

	/** Note which reading of each named type `node` needs, following record fields once per reading. */
	#markUsed(node: TypeNode, direction: Direction): void {
		switch (node.kind) {
			case 'primitive': {
				return;
			}

			case 'array': {
				this.#markUsed(node.items, direction);
				return;
			}

			case 'map': {
				this.#markUsed(node.values, direction);
				return;
			}

			case 'union': {
				for (const branch of node.branches) {
					this.#markUsed(branch, direction);
				}

				return;
			}

			case 'named': {
				const def = this.#resolve(node.def);
				const variant = def.kind === 'record' ? this.#variant(def, direction) : 'output';
				const used = this.#used.get(def) ?? new Set<Direction>();
				this.#used.set(def, used);
				if (used.has(variant)) {
					return;
				}

				used.add(variant);
				if (def.kind === 'record') {
					for (const field of def.fields) {
						this.#markUsed(field.type, variant);
					}
				}
			}
		}
	}

	#assignNames(): Map<NamedDef, Names> {
		if (this.#names !== undefined) {
			return this.#names;
		}

		const names = new Map<NamedDef, Names>();
		const taken = new Set<string>();
		const claim = (candidates: readonly string[]): string => {
			for (const candidate of candidates) {
				if (isUsableTypeName(candidate) && !taken.has(candidate)) {
					taken.add(candidate);
					return candidate;
				}
			}

			const last = candidates.at(-1) ?? 'T';
			for (let n = 2; ; n++) {
				const candidate = `${last}_${n}`;
				if (isUsableTypeName(candidate) && !taken.has(candidate)) {
					taken.add(candidate);
					return candidate;
				}
			}
		};

		for (const def of this.#defs) {
			const used = this.#used.get(def);
			if (def.kind === 'fixed' || used === undefined) {
				continue;
			}

			const base = baseName(def.fullname);
			const owned = `${pascalCase(this.#owner.get(def) ?? '')}${base}`;
			const candidates = isUsableTypeName(base) ? [base, owned] : [`${base}_`, owned];
			if (def.kind === 'enum') {
				names.set(def, {output: claim(candidates)});
			} else if (used.has('output') && used.has('input')) {
				const output = claim(candidates);
				names.set(def, {output, input: claim([`${output}Input`])});
			} else {
				names.set(def, used.has('input') ? {input: claim(candidates)} : {output: claim(candidates)});
			}
		}

		this.#names = names;
		return names;
	}
}

/**
 * The TypeScript name a named type starts from: its short name; for the generator's own names in
 * `mlbridge.pipeline.<p>` (the `Args` record, Literal enums `<p>_<param>`), PascalCase led by `<p>`.
 */
function baseName(fullname: string): string {
	const dot = fullname.lastIndexOf('.');
	const namespace = dot === -1 ? '' : fullname.slice(0, dot);
	const short = fullname.slice(dot + 1);
	if (!namespace.startsWith(pipelineNamespace)) {
		return sanitizeIdentifier(short);
	}

	const pipeline = pascalCase(namespace.slice(pipelineNamespace.length));
	const own = pascalCase(short);
	return own.startsWith(pipeline) ? own : `${pipeline}${own}`;
}

function docLines(doc: string | undefined, fullname: string): string[] {
	const pipeline =
		fullname.startsWith(pipelineNamespace) && fullname.endsWith('.Args')
			? fullname.slice(pipelineNamespace.length, -'.Args'.length)
			: undefined;
	const origin =
		pipeline === undefined ? `Avro \`${fullname}\`.` : `Arguments of pipeline \`${pipeline}\` (Avro \`${fullname}\`).`;
	return doc === undefined ? [origin] : [doc, '', origin];
}

/**
 * Structure of a named type, expanding each named type the first time the walk meets it (as the
 * Parsing Canonical Form does) plus defaults, which change the `input` reading. Docs are left out:
 * two definitions differing only in docs are one type.
 */
function structureKey(root: NamedDef): string {
	const seen = new Set<NamedDef>();
	const walk = (node: TypeNode): unknown => {
		switch (node.kind) {
			case 'primitive': {
				return node.ts;
			}

			case 'array': {
				return {array: walk(node.items)};
			}

			case 'map': {
				return {map: walk(node.values)};
			}

			case 'union': {
				return node.branches.map(branch => walk(branch));
			}

			case 'named': {
				return named(node.def);
			}
		}
	};

	const named = (def: NamedDef): unknown => {
		if (seen.has(def)) {
			return def.fullname;
		}

		seen.add(def);
		switch (def.kind) {
			case 'record': {
				return {
					record: def.fullname,
					fields: def.fields.map(f => [f.name, walk(f.type), f.hasDefault ? JSON.stringify(f.default) : null]),
				};
			}

			case 'enum': {
				return {enum: def.fullname, symbols: def.symbols};
			}

			case 'fixed': {
				return {fixed: def.fullname, size: def.size};
			}
		}
	};

	return JSON.stringify(named(root));
}
