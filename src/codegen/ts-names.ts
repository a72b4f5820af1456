/** Turning Avro names into TypeScript identifiers, property keys and literals. */

const identifier = /^[A-Za-z_$][\w$]*$/;

/** Words a type alias may not be called, and globals a generated type must not shadow. */
const reservedTypeNames: ReadonlySet<string> = new Set([
	// Keywords and predefined type names (`type string = ...` is an error).
	...'break case catch class const continue debugger default delete do else enum export extends false finally for function if import in instanceof new null return super switch this throw true try typeof var void while with as implements interface let package private protected public static yield any boolean constructor declare get module require number set string symbol type from of unknown never object bigint undefined keyof readonly infer is asserts satisfies unique abstract async await accessor out override'.split(
		' ',
	),
	// Globals the generated file uses or a reader expects to mean the usual thing.
	'Array',
	'Buffer',
	'Date',
	'Error',
	'Map',
	'Object',
	'Partial',
	'Promise',
	'Readonly',
	'Record',
	'Set',
	'String',
	'Number',
	'Boolean',
	'Symbol',
	// The generated file's own exports and imports.
	'Pipelines',
	'Contract',
	'WireValue',
	'contract',
]);

/** `name` made a valid identifier: other characters become `_`, a leading digit gets a `_`. */
export function sanitizeIdentifier(name: string): string {
	let out = name.replaceAll(/[^\w$]/g, '_');
	if (out === '' || /^\d/.test(out)) {
		out = `_${out}`;
	}

	return out;
}

/** Whether `name` can name an exported type alias without clashing with TypeScript or the file. */
export function isUsableTypeName(name: string): boolean {
	return identifier.test(name) && !reservedTypeNames.has(name);
}

/** `train_model` → `TrainModel`, `my.pipe-line` → `MyPipeLine`. */
export function pascalCase(name: string): string {
	const words = name.split(/[^A-Za-z\d]+/).filter(Boolean);
	return sanitizeIdentifier(words.map(w => w[0]!.toUpperCase() + w.slice(1)).join(''));
}

/** An object-literal or type-member key: bare when it is an identifier, quoted otherwise. */
export function propertyKey(name: string): string {
	return identifier.test(name) ? name : quote(name);
}

/** A single-quoted TypeScript string literal. */
export function quote(text: string): string {
	const escaped = text.replaceAll(/[\\'\n\r\u2028\u2029]/g, ch => {
		switch (ch) {
			case '\n': {
				return String.raw`\n`;
			}

			case '\r': {
				return String.raw`\r`;
			}

			case '\u2028': {
				return String.raw`\u2028`;
			}

			case '\u2029': {
				return String.raw`\u2029`;
			}

			default: {
				return `\\${ch}`;
			}
		}
	});
	return `'${escaped}'`;
}

/** A JSDoc block (indented by `indent`) from free text; `*\/` in the text cannot end it early. */
export function jsDoc(lines: readonly string[], indent: string): string {
	const body = lines
		.join('\n')
		.replaceAll('*/', '*\\/')
		.split(/\r?\n/)
		.map(line => line.trimEnd());
	while (body.length > 0 && body.at(-1) === '') {
		body.pop();
	}

	if (body.length === 0) {
		return '';
	}

	if (body.length === 1) {
		return `${indent}/** ${body[0]} */\n`;
	}

	return `${indent}/**\n${body.map(line => (line === '' ? `${indent} *` : `${indent} * ${line}`)).join('\n')}\n${indent} */\n`;
}
