/**
 * Typed pipelines end to end: a real runner of test/fixtures/typed_pipelines.py, clients with and
 * without the pinned contract, the catalogue, local validation that sends nothing.
 */
import assert from 'node:assert/strict';
import {after, before, describe, test} from 'node:test';
import {
	InvalidArgumentsError,
	type PipelineClient,
	type PipelineTypes,
	ResultNotEncodableError,
	IncompatibleArgumentsError,
	UnknownPipelineError,
	type UntypedPipelines,
} from '../../src/index.js';
import {contractOf, contractV1, dumpEntry, type EchoArgs, type PipelinesV1} from '../helpers/typed-contracts.js';
import {createTypedStack, typedPipelinesV1, type TypedStack} from '../helpers/typed-stack.js';

const echoArgs: EchoArgs = {
	i: -42,
	f: 0.125,
	s: 'déjà vu 🙂',
	b: true,
	raw: Buffer.from([0, 1, 254, 255]),
	day: new Date('2024-02-29T00:00:00Z'),
	at: new Date('1969-07-20T20:17:40.123Z'),
	optimizer: 'ADAM',
	maybe: 2 ** 40,
	either: 'word',
	items: ['a', '', 'ü'],
	scores: {alpha: 0.5, 'with space': -1, nan: Number.NaN},
};

describe('typed contract against a real runner', {timeout: 120_000}, () => {
	let stack: TypedStack;
	let pinned: PipelineClient<PipelinesV1>;
	let fromCatalog: PipelineClient<UntypedPipelines>;

	before(async () => {
		stack = createTypedStack('typed');
		await stack.startRunner(typedPipelinesV1);
		pinned = await stack.connect({contract: contractV1()});
		fromCatalog = await stack.connect();
	});

	after(async () => {
		await stack.close();
	});

	test('listPipelines and describe show what the runner published', async () => {
		const list = await fromCatalog.listPipelines();
		assert.deepEqual(list.map(p => p.name), ['typed_add', 'typed_bad_result', 'typed_echo', 'typed_nothing', 'typed_pid', 'typed_train', 'typed_weigh']);
		for (const p of list) {
			assert.equal(p.typed, true, p.name);
			assert.equal(p.version, 1);
			assert.deepEqual(p.versions, [1]);
			assert.match(p.runner, /.+\/\d+\/.+/);
		}

		const train = await fromCatalog.describe('typed_train');
		assert.equal(train.doc, 'Train a model on ``dataset`` (a stand-in: no real training).');
		assert.deepEqual(train.argsSchema, JSON.parse(dumpEntry(1, 'typed_train').argsSchema));
		assert.deepEqual(train.resultSchema, JSON.parse(dumpEntry(1, 'typed_train').resultSchema));
		assert.equal(train.timeoutMs, undefined);
		const before = await stack.requestCount();
		await assert.rejects(fromCatalog.describe('nope'), (error: unknown) => error instanceof UnknownPipelineError && error.origin === 'local');
		assert.equal(await stack.requestCount(), before, 'describe makes no round trip');
	});

	for (const [label, client] of [['pinned contract', () => pinned], ['catalogue schemas', () => fromCatalog]] as const) {
		test(`${label}: every type of the table round-trips (typed_echo)`, async () => {
			const c = client() as unknown as PipelineClient<PipelinesV1>;
			assert.deepStrictEqual(await c.invoke('typed_echo', echoArgs), {...echoArgs, nothing: null});
			assert.deepStrictEqual(await c.invoke('typed_echo', {...echoArgs, maybe: null, either: -7}), {...echoArgs, maybe: null, either: -7, nothing: null});
			// Left-out optional parameters take the Python defaults.
			const {maybe: _m, either: _e, items: _i, scores: _s, ...required} = echoArgs;
			assert.deepStrictEqual(await c.invoke('typed_echo', required), {...required, maybe: null, either: 0, items: [], scores: {}, nothing: null});
		});

		test(`${label}: dataclasses, enums, Literal, Optional map, datetime result (typed_train)`, async () => {
			const c = client() as unknown as PipelineClient<PipelinesV1>;
			const progress: number[] = [];
			const result = await c.invoke(
				'typed_train',
				{dataset: 'cpu', config: {epochs: 3, optimizer: 'SGD', layers: [4]}, mode: 'full', tags: {team: 'ml'}},
				{onProgress: p => progress.push(p.current)},
			);
			assert.deepStrictEqual(result, {
				model_id: 'cpu-sgd-3',
				metrics: {accuracy: 0.9, loss: 0.333333},
				history: [1, 0.5, 0.333333],
				trained_at: new Date('2024-01-02T03:04:05.678Z'),
				tags: {team: 'ml'},
				mode: 'full',
			});
			// The runner may coalesce progress reports; the last one always arrives.
			assert.equal(progress.at(-1), 3);
			const defaults = await c.invoke('typed_train', {dataset: 'd', config: {epochs: 1}});
			assert.equal(defaults.model_id, 'd-adam-1');
			assert.equal(defaults.mode, 'fast');
			assert.deepEqual(defaults.tags, {});
		});

		test(`${label}: TypedDict arguments, map result, primitives and None`, async () => {
			const c = client() as unknown as PipelineClient<PipelinesV1>;
			assert.deepStrictEqual(
				await c.invoke('typed_weigh', {samples: [{label: 'a', weight: 2}, {label: 'a'}, {weight: 0.5}, {}], origin: {x: 1, y: 2.5}}),
				{a: 3, '?': 1.5, origin: 3.5},
			);
			assert.deepStrictEqual(await c.invoke('typed_weigh', {samples: []}), {});
			assert.equal(await c.invoke('typed_add', {a: 2 ** 52, b: 1}), 2 ** 52 + 1);
			assert.equal(await c.invoke('typed_add', {a: -5}), -5);
			assert.equal(await c.invoke('typed_nothing', {}), null);
			assert.equal(typeof (await c.invoke('typed_pid', {})), 'number');
		});
	}

	test('a result that does not fit the result schema is the runner\'s ResultNotEncodableError', async () => {
		for (const kind of ['type', 'missing']) {
			await assert.rejects(pinned.invoke('typed_bad_result', {kind}), (error: unknown) => {
				assert.ok(error instanceof ResultNotEncodableError, String(error));
				assert.equal(error.origin, 'remote');
				return true;
			});
		}
	});

	test('invalid arguments are refused locally: InvalidArgumentsError with the path, and no request reaches the broker', async () => {
		const before = await stack.requestCount();
		const bad: Array<[keyof PipelinesV1, unknown, RegExp]> = [
			['typed_train', {dataset: 'd', config: {epochs: 'x'}}, /^args\.config\.epochs: expected number \(integer\), got "x"$/],
			['typed_train', {dataset: 'd'}, /^args\.config: expected object TrainConfig, got undefined \(missing\)$/],
			['typed_train', {dataset: 'd', config: {epochs: 1}, extra: true}, /^args: unexpected field "extra"/],
			['typed_train', {dataset: 'd', config: {epochs: 1}, mode: 'slow'}, /^args\.mode: expected "fast" \| "full", got "slow"$/],
			['typed_echo', {...echoArgs, at: new Date('x')}, /^args\.at: expected Date, got an invalid Date$/],
			['typed_echo', {...echoArgs, items: ['a', 1]}, /^args\.items\[1\]: expected string, got 1$/],
			['typed_echo', {...echoArgs, raw: 'bytes'}, /^args\.raw: expected Buffer, got "bytes"$/],
			['typed_echo', {...echoArgs, i: Number.NaN}, /^args\.i: expected number \(integer\), got NaN$/],
			['typed_weigh', {samples: [{label: 5}]}, /^args\.samples\[0\]\.label: expected null \| string, got 5$/],
			['typed_add', {a: null}, /^args\.a: expected number \(integer\), got null$/],
		];
		for (const client of [pinned as unknown as PipelineClient<PipelineTypes>, fromCatalog as unknown as PipelineClient<PipelineTypes>]) {
			for (const [name, args, message] of bad) {
				await assert.rejects(client.invoke(name, args as object), (error: unknown) => {
					assert.ok(error instanceof InvalidArgumentsError, String(error));
					assert.equal(error.origin, 'local');
					assert.equal(error.pipeline, name);
					assert.match(error.requestId ?? '', /^[0-9a-f-]{36}$/);
					assert.match(error.message, message);
					return true;
				});
			}
		}

		assert.equal(await stack.requestCount(), before, 'nothing was produced');
		// The runner would refuse them too: with local validation off they reach it.
		const unchecked = await stack.connect({contract: contractV1(), validateArguments: false});
		await assert.rejects(unchecked.invoke('typed_train', {dataset: 'd', config: {epochs: 1}, mode: 'slow' as 'fast'}), (error: unknown) => error instanceof InvalidArgumentsError);
	});

	test('a contract no runner published: its schemas reach the runner through schema/<ref> entries', async () => {
		// typed_add's args with an extra defaulted field: a different writer schema the runner resolves.
		const args = JSON.parse(dumpEntry(1, 'typed_add').argsSchema) as {fields: unknown[]};
		args.fields.push({name: 'unused', type: 'string', default: ''});
		const contract = contractOf<{typed_add: {args: {a: number; b?: number; unused?: string}; result: number}}>([
			{...dumpEntry(1, 'typed_add'), argsSchema: JSON.stringify(args)},
		]);
		const client = await stack.connect({contract});
		assert.equal(await client.invoke('typed_add', {a: 20, b: 22, unused: ''}), 42);
		// Not at its default, the field would be dropped: refused, never a different answer.
		await assert.rejects(client.invoke('typed_add', {a: 20, b: 22, unused: 'x'}), (error: unknown) =>
			error instanceof IncompatibleArgumentsError && error.field === 'unused' && error.retryable);
	});

	test('generic calls of an unknown pipeline still get the runner\'s UnknownPipelineError', async () => {
		await assert.rejects(fromCatalog.invoke('not_registered', {x: 1}), (error: unknown) => error instanceof UnknownPipelineError && error.origin === 'remote');
	});
});
