/**
 * Tensors and Arrow tables through a real broker and a real runner (numpy, pyarrow and pandas
 * installed: the runner's `data` extra). A 4 MB tensor is past Kafka's default 1 MiB, so the
 * request topic is created with max.message.bytes = 16 MiB before the client connects (the client
 * then reads that limit), the client's reply topic is raised after it connected, and the runner
 * gets MLBRIDGE_MAX_MESSAGE_BYTES (docs/protocol.md, "Tensors and tables").
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import {after, before, describe, test} from 'node:test';
import {Kafka, logLevel} from 'kafkajs';
import type {Table} from 'apache-arrow';
import {InvalidArgumentsError, loadArrow, PipelineClient, RunnerProcess, Tensor} from '../../src/index.js';
import {brokers, fixturesDir, uniqueName} from '../helpers/harness.js';

const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

describe('tensors and tables through a real runner', () => {
	const requestTopic = uniqueName('data');
	const kafka = new Kafka({brokers, clientId: 'data-test-admin', logLevel: logLevel.NOTHING});
	const admin = kafka.admin();
	let client: PipelineClient;
	let runner: RunnerProcess;
	let arrow: typeof import('apache-arrow');

	before(async () => {
		arrow = await import('apache-arrow');
		await loadArrow();
		await admin.connect();
		await admin.createTopics({
			waitForLeaders: true,
			topics: [{topic: requestTopic, numPartitions: 2, configEntries: [{name: 'max.message.bytes', value: String(MAX_MESSAGE_BYTES)}]}],
		});
		client = await PipelineClient.connect({brokers, requestTopic, catalogTopic: `${requestTopic}.catalog`, defaultTimeoutMs: 60_000});
		await admin.alterConfigs({
			validateOnly: false,
			resources: [{type: 2, name: client.replyTopic, configEntries: [{name: 'max.message.bytes', value: String(MAX_MESSAGE_BYTES)}]}],
		});
		runner = await RunnerProcess.start({
			pipelines: [path.join(fixturesDir, 'data_pipelines.py')],
			brokers,
			requestTopic,
			group: `${requestTopic}.runners`,
			concurrency: 2,
			extraArgs: ['--partitions', '2'],
			env: {MLBRIDGE_CATALOG_TOPIC: `${requestTopic}.catalog`, MLBRIDGE_MAX_MESSAGE_BYTES: String(MAX_MESSAGE_BYTES)},
		});
	});

	after(async () => {
		await client?.close();
		await runner?.stop();
		await admin.disconnect();
	});

	test('a 1,000,000-element float32 tensor round trips exactly and arrives as a numpy array', async () => {
		const data = new Float32Array(1_000_000);
		for (let i = 0; i < data.length; i++) data[i] = Math.fround(Math.sin(i) * 1000);
		data[7] = Number.NaN;
		data[8] = Infinity;
		data[9] = -Infinity;
		const sent = new Tensor(data, [1000, 1000]);
		const back = (await client.invoke('echo', {value: sent})) as Tensor<'FP32'>;
		assert.ok(back instanceof Tensor);
		assert.equal(back.dtype, 'FP32');
		assert.deepEqual(back.shape, [1000, 1000]);
		assert.ok(Buffer.from(back.data.buffer, back.data.byteOffset, back.data.byteLength).equals(Buffer.from(data.buffer)));

		const described = (await client.invoke('describe', {x: new Tensor(Float64Array.of(1, 2, 3, 4, 5, 6), [2, 3])})) as Record<string, unknown>;
		assert.deepEqual(described, {type: 'numpy.ndarray', dtype: 'float64', shape: [2, 3], sum: 21, writeable: false});
	});

	test('every dtype, 0-d and empty tensors come back with their dtype and shape; a transposed result is contiguous', async () => {
		const values = {
			b: new Tensor(Uint8Array.of(1, 0), [2], 'BOOL'),
			u8: new Tensor(Uint8Array.of(255), [1], 'UINT8'),
			u64: BigUint64Array.of(2n ** 64n - 1n),
			i64: new Tensor(BigInt64Array.of(-(2n ** 63n)), []),
			f16: new Tensor(Uint16Array.of(0x3c00, 0x7e00), [2], 'FP16'),
			empty: new Tensor(new Float32Array(0), [3, 0]),
			i16: Int16Array.of(-1, 2),
		};
		const back = (await client.invoke('echo', {value: values})) as Record<string, Tensor>;
		for (const [key, sent] of Object.entries(values)) {
			const expected = sent instanceof Tensor ? sent : new Tensor(sent);
			assert.equal(back[key]!.dtype, expected.dtype, key);
			assert.deepEqual(back[key]!.shape, expected.shape, key);
			assert.deepEqual([...back[key]!.data], [...expected.data], key);
		}
		const t = (await client.invoke('transpose', {x: new Tensor(Int32Array.of(1, 2, 3, 4, 5, 6), [2, 3])})) as Tensor<'INT32'>;
		assert.deepEqual(t.shape, [3, 2]);
		assert.deepEqual([...t.data], [1, 4, 2, 5, 3, 6]);
	});

	test('a 100,000-row Arrow table round trips exactly, nulls and a dictionary column included', async () => {
		const n = 100_000;
		const ids = new BigInt64Array(n);
		const xs = new Float64Array(n);
		const hosts: (string | null)[] = [];
		for (let i = 0; i < n; i++) {
			ids[i] = BigInt(i) * 1_000_003n;
			xs[i] = i % 11 === 0 ? Number.NaN : i / 7;
			hosts.push(i % 13 === 0 ? null : `host-${i % 17}`);
		}
		const table = new arrow.Table({
			id: arrow.makeVector(ids),
			x: arrow.makeVector(xs),
			host: arrow.vectorFromArray(hosts, new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32())),
		});
		const info = (await client.invoke('table_info', {table})) as Record<string, unknown>;
		assert.deepEqual(info, {type: 'pyarrow.lib.Table', rows: n, columns: ['id', 'x', 'host'], nulls: [0, 0, Math.ceil(n / 13)]});
		const back = (await client.invoke('echo', {value: table})) as Table;
		assert.equal(back.numRows, n);
		assert.ok(Buffer.from(arrow.tableToIPC(back, 'stream')).equals(Buffer.from(arrow.tableToIPC(table, 'stream'))), 'same Arrow stream');
	});

	test('DataFrame results arrive as Arrow tables; tensors and tables nest in one result', async () => {
		const frame = (await client.invoke('make_frame', {n: 5})) as Table;
		assert.deepEqual(frame.getChild('i')!.toArray(), BigInt64Array.of(0n, 1n, 2n, 3n, 4n));
		assert.equal(String(frame.getChild('host')!.get(4)), 'h1');
		const mixed = (await client.invoke('mixed', {n: 3})) as {tensor: Tensor; table: Table; n: number};
		assert.deepEqual(mixed.tensor.shape, [3, 1]);
		assert.equal(mixed.table.numRows, 3);
		assert.equal(mixed.n, 3);
	});

	test('typed pipelines: NDArray[float32] and DataFrame hints travel typed; a wrong dtype is refused locally naming the path', async () => {
		const typed = await PipelineClient.connect({brokers, requestTopic, catalogTopic: `${requestTopic}.catalog`});
		try {
			const scale = await typed.describe('typed_scale');
			assert.equal(scale.typed, true);
			const back = (await typed.invoke('typed_scale', {x: new Tensor(Float32Array.of(1, 2, 3, 4), [2, 2]), factor: 0.5})) as Tensor<'FP32'>;
			assert.deepEqual([...back.data], [0.5, 1, 1.5, 2]);
			assert.deepEqual(back.shape, [2, 2]);
			await assert.rejects(typed.invoke('typed_scale', {x: Float64Array.of(1), factor: 2}), (error: unknown) => {
				assert.ok(error instanceof InvalidArgumentsError, String(error));
				assert.equal(error.origin, 'local');
				assert.match(error.message, /^args\.x: expected Tensor<'FP32'>, got a Float64Array$/);
				return true;
			});
			const frame = (await typed.invoke('typed_frame', {frame: arrow.tableFromArrays({v: Float64Array.of(1, 2.5)})})) as Table;
			assert.deepEqual(frame.getChild('double')!.toArray(), Float64Array.of(2, 5));
		} finally {
			await typed.close();
		}
	});
});
