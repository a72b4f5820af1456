import assert from 'node:assert/strict';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {after, describe, test} from 'node:test';
import ts from 'typescript';
import type {CodegenEntry} from '../../src/codegen/codegen-entry.js';
import {NoPipelinesError, SchemaError} from '../../src/codegen/codegen-errors.js';
import {generateFile, generatedHeader} from '../../src/codegen/generate-file.js';

const repoIndex = path.resolve('src/index.ts');

function typed(name: string, args: unknown, result: unknown, extra: Partial<CodegenEntry> = {}): CodegenEntry {
	return {name, version: 1, doc: '', typed: true, argsSchema: JSON.stringify(args), resultSchema: JSON.stringify(result), ...extra};
}

const argsOf = (pipeline: string, fields: unknown[]): unknown => ({
	type: 'record',
	name: 'Args',
	namespace: `mlbridge.pipeline.${pipeline.replaceAll(/\W/g, '_')}`,
	fields,
});

const optimizer = {type: 'enum', name: 'Optimizer', namespace: 'mlbridge.types', symbols: ['SGD', 'ADAM']};
const config = {
	type: 'record',
	name: 'TrainConfig',
	namespace: 'mlbridge.types',
	doc: 'How to train.',
	fields: [
		{name: 'epochs', type: 'long'},
		{name: 'optimizer', type: optimizer, default: 'ADAM'},
	],
};
/** One entry per feature: every row of the design's table, recursion, untyped, an odd name. */
const entries: CodegenEntry[] = [
	typed(
		'train_model',
		argsOf('train_model', [
			{name: 'dataset', type: 'string'},
			{name: 'config', type: config},
			{name: 'mode', type: {type: 'enum', name: 'train_model_mode', symbols: ['fast', 'full']}, default: 'fast'},
			{name: 'tags', type: ['null', {type: 'map', values: 'string'}], default: null},
		]),
		{
			type: 'record',
			name: 'TrainResult',
			namespace: 'mlbridge.types',
			fields: [
				{name: 'model_id', type: 'string'},
				{name: 'config', type: config},
				{name: 'history', type: {type: 'array', items: 'double'}},
				{name: 'trained_at', type: {type: 'long', logicalType: 'timestamp-millis'}},
				{name: 'day', type: {type: 'int', logicalType: 'date'}},
				{name: 'blob', type: 'bytes'},
				{name: 'either', type: ['long', 'string']},
				{name: 'ok', type: 'boolean'},
			],
		},
		{version: 2, doc: 'Train a model.\nOn a dataset.'},
	),
	typed('add', argsOf('add', [{name: 'a', type: 'long'}, {name: 'b', type: 'long', default: 0}]), 'long', {doc: "Add 'em."}),
	typed('tree-walk.v2', argsOf('tree-walk.v2', [{name: 'root', type: {type: 'record', name: 'Tree', fields: [{name: 'kids', type: {type: 'array', items: 'Tree'}}]}}]), 'null'),
	typed('nothing', argsOf('nothing', []), ['null', 'string']),
	{name: 'legacy', version: 3, doc: 'Old style.', typed: false, argsSchema: '', resultSchema: ''},
];

describe('generateFile', () => {
	const text = generateFile(entries, {importFrom: repoIndex.replace(/\.ts$/, '.js')});

	test('starts with the do-not-edit header and imports only what it uses', () => {
		assert.ok(text.startsWith(`${generatedHeader}\n`));
		assert.match(text, /^import type \{Contract, WireValue\} from '.*\/src\/index\.js';$/m);
		const allTyped = generateFile(entries.filter(e => e.typed));
		assert.match(allTyped, /^import type \{Contract\} from 'mlbridge';$/m);
	});

	test('the Pipelines type lists every pipeline, sorted, with docs and versions', () => {
		const pipelines = text.slice(text.indexOf('export type Pipelines'), text.indexOf('export const contract'));
		const names = [...pipelines.matchAll(/^\treadonly ('?[\w.-]+'?): \{$/gm)].map(m => m[1]);
		assert.deepEqual(names, ['add', 'legacy', 'nothing', 'train_model', "'tree-walk.v2'"]);
		assert.match(pipelines, /\t\/\*\*\n\t \* Train a model\.\n\t \* On a dataset\.\n\t \*\n\t \* Version 2\.\n\t \*\/\n\treadonly train_model: \{\n\t\treadonly args: TrainModelArgs;\n\t\treadonly result: TrainResult;\n/);
		assert.match(pipelines, /readonly add: \{\n\t\treadonly args: AddArgs;\n\t\treadonly result: number;\n/);
		assert.match(pipelines, /readonly nothing: \{\n\t\treadonly args: NothingArgs;\n\t\treadonly result: string \| null;\n/);
		assert.match(pipelines, /readonly 'tree-walk.v2': \{\n\t\treadonly args: TreeWalkV2Args;\n\t\treadonly result: null;\n/);
	});

	test('an untyped pipeline gets generic WireValue types, null schemas and a comment', () => {
		assert.match(text, /Untyped: the pipeline lacks complete type hints[^\n]*\n\t \*\/\n\treadonly legacy: \{\n\t\treadonly args: Readonly<Record<string, WireValue>>;\n\t\treadonly result: WireValue;\n/);
		assert.match(text, /\t\t\/\/ Untyped: calls use the generic Value encoding\.\n\t\tlegacy: \{\n\t\t\tversion: 3,\n\t\t\tdoc: 'Old style\.',\n\t\t\targsSchema: null,\n\t\t\tresultSchema: null,\n\t\t\},/);
	});

	test('the contract pins each schema as given, with version and doc', () => {
		const start = text.indexOf('export const contract');
		const literal = text.slice(text.indexOf('{', start), text.lastIndexOf('};') + 1);
		// The literal is a JS object expression; evaluate it to compare with the input schemas.
		const contract = new Function(`return (${literal});`)() as {pipelines: Record<string, {version: number; doc?: string; argsSchema: unknown; resultSchema: unknown}>};
		for (const entry of entries) {
			const pinned = contract.pipelines[entry.name];
			assert.ok(pinned, entry.name);
			assert.equal(pinned.version, entry.version);
			assert.equal(pinned.doc, entry.doc === '' ? undefined : entry.doc);
			assert.deepEqual(pinned.argsSchema, entry.typed ? JSON.parse(entry.argsSchema) : null);
			assert.deepEqual(pinned.resultSchema, entry.typed ? JSON.parse(entry.resultSchema) : null);
		}
	});

	test('named types are declared once, the caller reading where defaults make it differ', () => {
		assert.equal((text.match(/^export type TrainConfig = /gm) ?? []).length, 1);
		assert.match(text, /export type TrainModelArgs = \{\n\treadonly dataset: string;\n\treadonly config: TrainConfigInput;/);
		assert.match(text, /export type TrainConfigInput = \{\n\treadonly epochs: number;\n\t\/\*\* @defaultValue "ADAM" \*\/\n\treadonly optimizer\?: Optimizer;/);
		assert.match(text, /export type TrainModelMode = 'fast' \| 'full';/);
		assert.match(text, /export type TreeWalkV2Tree = \{\n\treadonly kids: TreeWalkV2Tree\[\];\n\};/);
		assert.match(text, /export type NothingArgs = Record<string, never>;/);
		assert.match(text, /readonly trained_at: Date;\n\treadonly day: Date;\n\treadonly blob: Buffer;\n\treadonly either: number \| string;/);
	});

	test('the same entries in any order give the same bytes', () => {
		assert.equal(generateFile([...entries].reverse(), {importFrom: repoIndex.replace(/\.ts$/, '.js')}), text);
	});

	test('the file compiles under strict settings against the real Contract type', () => {
		const dir = mkdtempSync(path.join(os.tmpdir(), 'mlbridge-codegen-'));
		after(() => {
			rmSync(dir, {recursive: true, force: true});
		});
		writeFileSync(path.join(dir, 'package.json'), '{"type": "module"}');
		const file = path.join(dir, 'pipelines.gen.ts');
		writeFileSync(file, text);
		// A caller's use of it: wrong calls must not compile, right ones must.
		const use = path.join(dir, 'use.ts');
		writeFileSync(
			use,
			[
				`import type {PipelineClient} from ${JSON.stringify(repoIndex.replace(/\.ts$/, '.js'))};`,
				"import type {Pipelines} from './pipelines.gen.js';",
				'declare const client: PipelineClient<Pipelines>;',
				"export const sum: Promise<number> = client.invoke('add', {a: 1});",
				"export const bad = client.invoke('add', {a: 'x'});",
			].join('\n'),
		);
		const program = ts.createProgram([file, use], {
			strict: true,
			noEmit: true,
			target: ts.ScriptTarget.ES2022,
			module: ts.ModuleKind.NodeNext,
			moduleResolution: ts.ModuleResolutionKind.NodeNext,
			types: ['node'],
			typeRoots: [path.resolve('node_modules/@types')],
			skipLibCheck: true,
			noUnusedLocals: true,
			exactOptionalPropertyTypes: true,
			verbatimModuleSyntax: true,
			noUncheckedIndexedAccess: true,
		});
		const problems = ts
			.getPreEmitDiagnostics(program)
			.filter(d => d.file === undefined || d.file.fileName.startsWith(dir))
			.map(d => `${d.file === undefined ? '' : path.basename(d.file.fileName)}:${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
		assert.equal(problems.length, 1, problems.join('\n'));
		assert.match(problems[0] ?? '', /^use\.ts:.*Type 'string' is not assignable to type 'number'/);
	});
});

describe('generateFile: bad input', () => {
	test('no entries', () => {
		assert.throws(() => generateFile([]), NoPipelinesError);
	});

	test('a pipeline listed twice', () => {
		const entry = typed('add', argsOf('add', []), 'long');
		assert.throws(() => generateFile([entry, {...entry, version: 2}]), /Pipeline add is listed twice \(versions 1 and 2\)/);
	});

	test('schema text that is not JSON names the pipeline', () => {
		assert.throws(
			() => generateFile([{...typed('add', argsOf('add', []), 'long'), resultSchema: '{nope'}]),
			(error: unknown) => error instanceof SchemaError && error.path === 'add.resultSchema' && /not JSON/.test(error.message),
		);
	});

	test('arguments that are not a record', () => {
		assert.throws(() => generateFile([typed('add', 'long', 'long')]), /add\.args: an arguments schema must be a record/);
	});

	test('a schema error deep inside names the path', () => {
		assert.throws(
			() => generateFile([typed('add', argsOf('add', [{name: 'a', type: {type: 'array', items: 'Nope'}}]), 'long')]),
			/add\.args\.fields\[0\]\.type\.items: unknown type "Nope"/,
		);
	});
});
