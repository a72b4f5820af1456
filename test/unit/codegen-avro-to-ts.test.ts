import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {TypeScriptTypes, type Direction} from '../../src/codegen/avro-to-ts.js';
import {SchemaError} from '../../src/codegen/codegen-errors.js';

/** The type text of one schema and the declarations it needs. */
function convert(schema: unknown, direction: Direction = 'output'): {type: string; decls: string} {
	const types = new TypeScriptTypes();
	const handle = types.add(schema, direction, {path: 'p.result', owner: 'p'});
	return {type: types.render(handle), decls: types.declarations().join('\n')};
}

const typeOf = (schema: unknown, direction: Direction = 'output'): string => convert(schema, direction).type;

describe('Avro → TypeScript: primitives and logical types', () => {
	test('each primitive maps as in the design table', () => {
		const expected: Record<string, string> = {
			null: 'null',
			boolean: 'boolean',
			int: 'number',
			long: 'number',
			float: 'number',
			double: 'number',
			bytes: 'Buffer',
			string: 'string',
		};
		for (const [avro, ts] of Object.entries(expected)) {
			assert.equal(typeOf(avro), ts, avro);
			assert.equal(typeOf({type: avro}), ts, `{type: ${avro}}`);
		}
	});

	test('timestamp-millis and date are Date; other logical types keep their base type', () => {
		assert.equal(typeOf({type: 'long', logicalType: 'timestamp-millis'}), 'Date');
		assert.equal(typeOf({type: 'int', logicalType: 'date'}), 'Date');
		assert.equal(typeOf({type: 'string', logicalType: 'uuid'}), 'string');
		assert.equal(typeOf({type: 'bytes', logicalType: 'decimal', precision: 4, scale: 2}), 'Buffer');
		// A logical type on the wrong base type is ignored, as Avro readers do.
		assert.equal(typeOf({type: 'string', logicalType: 'timestamp-millis'}), 'string');
	});

	test('fixed is a Buffer', () => {
		assert.equal(typeOf({type: 'fixed', name: 'Md5', size: 16}), 'Buffer');
	});
});

describe('Avro → TypeScript: composite types', () => {
	test('arrays and maps, with a union inside parenthesised', () => {
		assert.equal(typeOf({type: 'array', items: 'string'}), 'string[]');
		assert.equal(typeOf({type: 'array', items: {type: 'array', items: 'long'}}), 'number[][]');
		assert.equal(typeOf({type: 'array', items: ['null', 'double']}), '(number | null)[]');
		assert.equal(typeOf({type: 'map', values: 'boolean'}), 'Record<string, boolean>');
		assert.equal(typeOf({type: 'map', values: ['null', {type: 'array', items: 'bytes'}]}), 'Record<string, Buffer[] | null>');
	});

	test('unions: null goes last, branches of the same TypeScript type merge', () => {
		assert.equal(typeOf(['null', 'string']), 'string | null');
		assert.equal(typeOf(['string', 'null']), 'string | null');
		assert.equal(typeOf(['int', 'long', 'double', 'string']), 'number | string');
		assert.equal(typeOf(['long']), 'number');
	});

	test('a record is an exported type with readonly fields and JSDoc from doc', () => {
		const {type, decls} = convert({
			type: 'record',
			name: 'Metrics',
			namespace: 'mlbridge.types',
			doc: 'Scores of a run.\nSecond line ends */ here.',
			fields: [
				{name: 'accuracy', type: 'double', doc: 'Share of right answers.'},
				{name: 'loss', type: ['null', 'double']},
			],
		});
		assert.equal(type, 'Metrics');
		assert.equal(
			decls,
			[
				'/**',
				' * Scores of a run.',
				' * Second line ends *\\/ here.',
				' *',
				' * Avro `mlbridge.types.Metrics`.',
				' */',
				'export type Metrics = {',
				'\t/** Share of right answers. */',
				'\treadonly accuracy: number;',
				'\treadonly loss: number | null;',
				'};',
				'',
			].join('\n'),
		);
	});

	test('a record without fields is Record<string, never>', () => {
		assert.match(convert({type: 'record', name: 'Empty', fields: []}).decls, /export type Empty = Record<string, never>;/);
	});

	test('an enum is a union of string literals', () => {
		const {type, decls} = convert({type: 'enum', name: 'Optimizer', namespace: 'mlbridge.types', symbols: ['SGD', 'ADAM']});
		assert.equal(type, 'Optimizer');
		assert.match(decls, /^export type Optimizer = 'SGD' \| 'ADAM';$/m);
		assert.match(convert({type: 'enum', name: 'Nothing', symbols: []}).decls, /export type Nothing = never;/);
	});
});

describe('Avro → TypeScript: defaults and the caller-side reading', () => {
	const args = {
		type: 'record',
		name: 'Args',
		namespace: 'mlbridge.pipeline.train',
		fields: [
			{name: 'dataset', type: 'string'},
			{name: 'epochs', type: 'long', default: 5},
			{name: 'tags', type: ['null', {type: 'map', values: 'string'}], default: null},
			{name: 'note', type: ['null', 'string']},
		],
	};

	test('in arguments a field with a default is optional; a nullable one without stays required', () => {
		const {type, decls} = convert(args, 'input');
		assert.equal(type, 'TrainArgs');
		assert.match(decls, /\treadonly dataset: string;\n/);
		assert.match(decls, /\t\/\*\* @defaultValue 5 \*\/\n\treadonly epochs\?: number;\n/);
		assert.match(decls, /\t\/\*\* @defaultValue null \*\/\n\treadonly tags\?: Record<string, string> \| null;\n/);
		assert.match(decls, /\treadonly note: string \| null;\n/);
		assert.doesNotMatch(decls, /TrainArgsInput/);
	});

	test('in a result every field is present', () => {
		const {decls} = convert(args, 'output');
		assert.match(decls, /\treadonly epochs: number;\n/);
		assert.doesNotMatch(decls, /\?:/);
	});

	test('a record used both ways with defaults gets a <Name>Input for callers', () => {
		const config = {type: 'record', name: 'Config', namespace: 'mlbridge.types', fields: [{name: 'epochs', type: 'long', default: 1}]};
		const types = new TypeScriptTypes();
		const argsHandle = types.add(
			{type: 'record', name: 'Args', namespace: 'mlbridge.pipeline.p', fields: [{name: 'config', type: config}]},
			'input',
			{path: 'p.args', owner: 'p'},
		);
		const resultHandle = types.add(config, 'output', {path: 'p.result', owner: 'p'});
		assert.equal(types.render(resultHandle), 'Config');
		const decls = types.declarations().join('\n');
		assert.match(decls, /export type PArgs = \{\n\treadonly config: ConfigInput;\n\};/);
		assert.match(decls, /export type Config = \{\n\treadonly epochs: number;\n\};/);
		assert.match(decls, /export type ConfigInput = \{\n\t\/\*\* @defaultValue 1 \*\/\n\treadonly epochs\?: number;\n\};/);
		assert.equal(types.render(argsHandle), 'PArgs');
	});

	test('a record with defaults only deep inside also gets an Input reading', () => {
		const inner = {type: 'record', name: 'Inner', fields: [{name: 'n', type: 'long', default: 0}]};
		const outer = {type: 'record', name: 'Outer', fields: [{name: 'inner', type: {type: 'array', items: inner}}]};
		const types = new TypeScriptTypes();
		types.add(outer, 'output', {path: 'p.result', owner: 'p'});
		types.add(outer, 'input', {path: 'q.args', owner: 'q'});
		const decls = types.declarations().join('\n');
		assert.match(decls, /export type OuterInput = \{\n\treadonly inner: InnerInput\[\];\n\};/);
		assert.match(decls, /export type Outer = \{\n\treadonly inner: Inner\[\];\n\};/);
	});
});

describe('Avro → TypeScript: names', () => {
	test('references by short name resolve in the enclosing namespace; full names work anywhere', () => {
		const {decls} = convert({
			type: 'record',
			name: 'Pair',
			namespace: 'geo',
			fields: [
				{name: 'a', type: {type: 'record', name: 'Point', fields: [{name: 'x', type: 'double'}]}},
				{name: 'b', type: 'Point'},
				{name: 'c', type: 'geo.Point'},
				{name: 'd', type: {type: 'record', name: 'other.Box', fields: [{name: 'p', type: 'geo.Point'}]}},
			],
		});
		assert.match(decls, /readonly a: Point;\n\treadonly b: Point;\n\treadonly c: Point;\n\treadonly d: Box;/);
		assert.match(decls, /export type Box = \{\n\treadonly p: Point;\n\};/);
		assert.equal((decls.match(/export type Point =/g) ?? []).length, 1);
	});

	test('a recursive record refers to itself', () => {
		const {type, decls} = convert({
			type: 'record',
			name: 'Node',
			fields: [
				{name: 'value', type: 'long'},
				{name: 'children', type: {type: 'array', items: 'Node'}},
				{name: 'next', type: ['null', 'Node']},
			],
		});
		assert.equal(type, 'Node');
		assert.match(decls, /readonly children: Node\[\];\n\treadonly next: Node \| null;/);
	});

	test('names that clash with TypeScript or with globals get a trailing underscore', () => {
		const {type, decls} = convert({
			type: 'record',
			name: 'Date',
			fields: [{name: 'when', type: {type: 'enum', name: 'string', namespace: 'x', symbols: ['A']}}],
		});
		assert.equal(type, 'Date_');
		assert.match(decls, /export type string_ = 'A';/);
		assert.match(decls, /readonly when: string_;/);
	});

	test('pipeline names become PascalCase type names; odd property names are quoted', () => {
		const {type, decls} = convert(
			{
				type: 'record',
				name: 'Args',
				namespace: 'mlbridge.pipeline.my_pipe_v2',
				fields: [
					{name: 'mode', type: {type: 'enum', name: 'my_pipe_v2_mode', symbols: ['a', 'b']}},
					{name: 'not-an-identifier', type: 'long'},
				],
			},
			'input',
		);
		assert.equal(type, 'MyPipeV2Args');
		assert.match(decls, /export type MyPipeV2Mode = 'a' \| 'b';/);
		assert.match(decls, /readonly 'not-an-identifier': number;/);
		assert.match(decls, /Arguments of pipeline `my_pipe_v2`/);
	});

	test('one definition used by two pipelines is declared once', () => {
		const point = {type: 'record', name: 'Point', namespace: 'mlbridge.types', doc: 'x', fields: [{name: 'x', type: 'double'}]};
		const types = new TypeScriptTypes();
		types.add(point, 'output', {path: 'a.result', owner: 'a'});
		// The same structure with another doc is the same type.
		types.add({...point, doc: 'other'}, 'output', {path: 'b.result', owner: 'b'});
		assert.equal(types.declarations().length, 1);
	});

	test('two different definitions of one name are told apart by their pipeline', () => {
		const types = new TypeScriptTypes();
		const a = types.add({type: 'record', name: 'Point', fields: [{name: 'x', type: 'double'}]}, 'output', {path: 'a.result', owner: 'a'});
		const b = types.add({type: 'record', name: 'Point', fields: [{name: 'y', type: 'double'}]}, 'output', {
			path: 'scale_up.result',
			owner: 'scale_up',
		});
		assert.equal(types.render(a), 'Point');
		assert.equal(types.render(b), 'ScaleUpPoint');
	});

	test('output is the same for the same input', () => {
		const schema = {type: 'record', name: 'R', fields: [{name: 'e', type: {type: 'enum', name: 'E', symbols: ['X']}}]};
		assert.deepEqual(convert(schema), convert(structuredClone(schema)));
	});
});

describe('Avro → TypeScript: schemas it cannot read', () => {
	const cases: Array<[string, unknown, RegExp]> = [
		['an unknown type name', {type: 'record', name: 'R', fields: [{name: 'f', type: 'Missing'}]}, /p\.result\.fields\[0\]\.type: unknown type "Missing"/],
		['a record without fields', {type: 'record', name: 'R'}, /record R needs a "fields" array/],
		['a field without a name', {type: 'record', name: 'R', fields: [{type: 'long'}]}, /fields\[0\]: a field needs a non-empty "name"/],
		['a field without a type', {type: 'record', name: 'R', fields: [{name: 'f'}]}, /field "f" needs a "type"/],
		['two fields of one name', {type: 'record', name: 'R', fields: [{name: 'f', type: 'long'}, {name: 'f', type: 'long'}]}, /two fields named "f"/],
		['a named type without a name', {type: 'enum', symbols: ['A']}, /a named type \(enum\) needs a "name"/],
		['an enum without symbols', {type: 'enum', name: 'E'}, /enum E needs a "symbols" array of strings/],
		['an array without items', {type: 'array'}, /an array needs "items"/],
		['a map without values', {type: 'map'}, /a map needs "values"/],
		['a fixed without size', {type: 'fixed', name: 'F'}, /a fixed type needs a non-negative integer "size"/],
		['an empty union', [], /a union needs at least one branch/],
		['a number', 42, /expected a type name, a union or a schema object, got 42/],
		['an object without type', {name: 'x'}, /a schema object needs "type"/],
		[
			'a name defined twice',
			{type: 'record', name: 'R', fields: [{name: 'a', type: {type: 'enum', name: 'E', symbols: []}}, {name: 'b', type: {type: 'enum', name: 'E', symbols: []}}]},
			/E is defined twice in one schema/,
		],
	];
	for (const [what, schema, message] of cases) {
		test(what, () => {
			assert.throws(
				() => convert(schema),
				(error: unknown) => error instanceof SchemaError && error.exitCode === 7 && message.test(error.message),
			);
		});
	}

	test('arguments must be a record', () => {
		const types = new TypeScriptTypes();
		const handle = types.add('long', 'input', {path: 'p.args', owner: 'p'});
		assert.throws(() => types.recordOf(handle, 'p.args'), /p\.args: an arguments schema must be a record/);
	});
});
