/**
 * Schema evolution with real runners: typed_pipelines.py (v1) and typed_pipelines_v2.py (v2: an
 * added optional parameter and an added optional result field per pipeline) in the SAME consumer
 * group, side by side. Clients pinned to v1 and to v2 make many calls that land on both runners;
 * each client's test shows, by the pids answering its typed_pid calls, that both runners served it.
 */
import assert from 'node:assert/strict';
import {after, before, describe, test} from 'node:test';
import type {PipelineClient, UntypedPipelines} from '../../src/index.js';
import {contractV1, contractV2, type EchoArgs, type PipelinesV1, type PipelinesV2} from '../helpers/typed-contracts.js';
import {createTypedStack, typedPipelinesV1, typedPipelinesV2, type TypedStack} from '../helpers/typed-stack.js';

const CALLS = 24;
/** typed_pid calls per check: each has a random request id as its key, spread over the 4
 * partitions the two runners share, so all of them landing on one runner is ~2^-31. */
const PID_CALLS = 32;

const echoArgs: EchoArgs = {
	i: 7, f: 0.5, s: 's', b: false, raw: Buffer.from('r'), day: new Date('2024-01-02T00:00:00Z'),
	at: new Date(1_700_000_000_000), optimizer: 'SGD', maybe: null, either: 3, items: ['x'], scores: {k: 1},
};

describe('v1 and v2 runners in one group, v1 and v2 clients', {timeout: 180_000}, () => {
	let stack: TypedStack;
	let v1: PipelineClient<PipelinesV1>;
	let v2: PipelineClient<PipelinesV2>;
	let latest: PipelineClient<UntypedPipelines>;
	let pids: number[];

	before(async () => {
		stack = createTypedStack('evolution');
		const first = await stack.startRunner(typedPipelinesV1);
		const second = await stack.startRunner(typedPipelinesV2);
		pids = [first.pid!, second.pid!];
		v1 = await stack.connect({contract: contractV1()});
		v2 = await stack.connect({contract: contractV2()});
		latest = await stack.connect();
	});

	after(async () => {
		await stack.close();
	});

	/** The pids (runner processes, thread isolation) that answered `client`'s typed_pid calls. */
	async function answeringPids(client: PipelineClient<PipelinesV1> | PipelineClient<PipelinesV2>): Promise<number[]> {
		const answers = await Promise.all(Array.from({length: PID_CALLS}, async () => client.invoke('typed_pid', {})));
		return [...new Set(answers)].sort();
	}

	test('each client\'s calls land on both runners', async () => {
		assert.deepEqual(await answeringPids(v1), [...pids].sort(), 'v1 client');
		assert.deepEqual(await answeringPids(v2), [...pids].sort(), 'v2 client');
	});

	test('the catalogue lists both versions; the newest is 2', async () => {
		const add = await latest.describe('typed_add');
		assert.deepEqual(add.versions, [1, 2]);
		assert.equal(add.version, 2);
		assert.equal((await v1.describe('typed_add')).version, 2, 'describe reports the catalogue, whatever the contract pins');
	});

	test('a v1 client gets v1 results from both runners (v2 fills the new parameter\'s default, v1 reads past the new field)', async () => {
		// Sent together with the calls below, so the same partitions (hence both runners) take them.
		const answeredBy = answeringPids(v1);
		const adds = await Promise.all(Array.from({length: CALLS}, async (_, i) => v1.invoke('typed_add', {a: i, b: 100})));
		assert.deepEqual(adds, Array.from({length: CALLS}, (_, i) => i + 100));

		const echoes = await Promise.all(Array.from({length: CALLS}, async (_, i) => v1.invoke('typed_echo', {...echoArgs, i})));
		echoes.forEach((echo, i) => assert.deepStrictEqual(echo, {...echoArgs, i, nothing: null}));

		const trains = await Promise.all(Array.from({length: CALLS}, async (_, i) => v1.invoke('typed_train', {dataset: `d${i}`, config: {epochs: 2}})));
		trains.forEach((train, i) => {
			assert.deepStrictEqual(Object.keys(train).sort(), ['history', 'metrics', 'mode', 'model_id', 'tags', 'trained_at']);
			assert.equal(train.model_id, `d${i}-adam-2`);
		});

		const weighs = await Promise.all(Array.from({length: CALLS}, async () => v1.invoke('typed_weigh', {samples: [{label: 'a', weight: 2}]})));
		for (const weigh of weighs) assert.deepStrictEqual(weigh, {a: 2});
		assert.deepEqual(await answeredBy, [...pids].sort(), 'the v1 client\'s calls were answered by both the v1 and the v2 runner');
	});

	test('a v2 client: the v2 runner uses the new parameters, the v1 runner ignores them; the new result fields read as their defaults from v1', async () => {
		const answeredBy = answeringPids(v2);
		const adds = await Promise.all(Array.from({length: CALLS}, async (_, i) => v2.invoke('typed_add', {a: i, b: 100, c: 1000})));
		const kinds = new Set<string>();
		adds.forEach((sum, i) => {
			assert.ok(sum === i + 1100 || sum === i + 100, `typed_add ${i}: ${sum}`);
			kinds.add(sum === i + 1100 ? 'v2' : 'v1');
		});

		const echoes = await Promise.all(Array.from({length: CALLS}, async (_, i) => v2.invoke('typed_echo', {...echoArgs, i, note: `n${i}`})));
		echoes.forEach((echo, i) => {
			assert.ok(echo.note === `n${i}` || echo.note === null, String(echo.note));
			kinds.add(echo.note === null ? 'v1' : 'v2');
			assert.deepStrictEqual(echo, {...echoArgs, i, nothing: null, note: echo.note});
		});

		const trains = await Promise.all(Array.from({length: CALLS}, async (_, i) => v2.invoke('typed_train', {dataset: 'd', config: {epochs: 1}, seed: i})));
		trains.forEach((train, i) => {
			assert.ok(train.notes === `seed ${i}` || train.notes === null, String(train.notes));
			assert.equal(train.model_id, 'd-adam-1');
		});

		// Calls without the new parameters get the same answer from either runner.
		const plain = await Promise.all(Array.from({length: CALLS}, async (_, i) => v2.invoke('typed_add', {a: i, b: 1})));
		assert.deepEqual(plain, Array.from({length: CALLS}, (_, i) => i + 1));
		const weighs = await Promise.all(Array.from({length: CALLS}, async () => v2.invoke('typed_weigh', {samples: [{weight: 3}], scale: 1})));
		for (const weigh of weighs) assert.deepStrictEqual(weigh, {'?': 3});
		assert.deepEqual([...kinds].sort(), ['v1', 'v2'], 'answers came from both runners');
		assert.deepEqual(await answeredBy, [...pids].sort(), 'the v2 client\'s calls were answered by both the v1 and the v2 runner');
	});

	test('a client without a contract encodes with the newest catalogue version and reads what either runner wrote', async () => {
		const results = await Promise.all(Array.from({length: CALLS}, async (_, i) => latest.invoke('typed_echo', {...echoArgs, i} as never)));
		results.forEach((echo, i) => {
			const value = echo as unknown as Record<string, unknown>;
			assert.equal(value['i'], i);
			// Read as the newest catalogue result schema (v2): a v1 runner's answer gets note's default.
			assert.equal(value['note'], null);
		});
	});
});
