/**
 * Schema registry mode end to end: a real broker, a real runner started with --schema-registry and
 * a real Confluent-compatible registry (Apicurio Registry from scripts/schema-registry/start.sh, or
 * SCHEMA_REGISTRY_URL). Includes a request produced without mlbridge's client, built the way
 * Confluent's KafkaAvroSerializer builds one.
 */
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import {readFileSync} from 'node:fs';
import {createServer} from 'node:net';
import path from 'node:path';
import {after, before, describe, test} from 'node:test';
import {fileURLToPath} from 'node:url';
import avsc from 'avsc';
import {Kafka, logLevel, type Consumer, type Producer} from 'kafkajs';
import {
	createLogger,
	PipelineClient,
	RunnerProcess,
	SchemaRegistryError,
	type ClientOptions,
	type UntypedPipelines,
} from '../../src/index.js';
import {brokers, fixturesDir, uniqueName} from '../helpers/harness.js';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const contentType = 'application/vnd.schemaregistry.v1+json';

function registryUrl(): string {
	const fromEnv = process.env['SCHEMA_REGISTRY_URL']?.trim();
	if (fromEnv) return fromEnv.replace(/\/+$/, '');
	const out = execFileSync('bash', [path.join(root, 'scripts', 'schema-registry', 'start.sh')], {encoding: 'utf8', timeout: 900_000, stdio: ['ignore', 'pipe', 'inherit']});
	return out.trim().split('\n').at(-1)!;
}

async function http<T>(method: string, url: string, body?: unknown): Promise<T> {
	const response = await fetch(url, {method, headers: {'content-type': contentType}, body: body === undefined ? undefined : JSON.stringify(body)});
	if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${await response.text()}`);
	return (await response.json()) as T;
}

async function register(url: string, subject: string, schema: unknown): Promise<number> {
	return (await http<{id: number}>('POST', `${url}/subjects/${subject}/versions`, {schema: typeof schema === 'string' ? schema : JSON.stringify(schema)})).id;
}

async function schemaById(url: string, id: number): Promise<avsc.Schema> {
	return JSON.parse((await http<{schema: string}>('GET', `${url}/schemas/ids/${id}`)).schema) as avsc.Schema;
}

function confluentFrame(id: number, body: Buffer): Buffer {
	const header = Buffer.alloc(5);
	header.writeInt32BE(id, 1);
	return Buffer.concat([header, body]);
}

/** Reads a Confluent frame as a Confluent consumer would: schema by id, then the body. */
async function readConfluent(url: string, data: Buffer): Promise<{id: number; value: Record<string, unknown>}> {
	assert.equal(data[0], 0, `not a Confluent frame: ${data.subarray(0, 8).toString('hex')}`);
	const id = data.readInt32BE(1);
	const type = avsc.Type.forSchema(await schemaById(url, id));
	return {id, value: type.fromBuffer(data.subarray(5)) as Record<string, unknown>};
}

async function closedPort(): Promise<number> {
	const server = createServer();
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	const {port} = server.address() as {port: number};
	await new Promise<void>(resolve => server.close(() => resolve()));
	return port;
}

describe('schema registry mode against a real registry, broker and runner', {timeout: 180_000}, () => {
	let url: string;
	const requestTopic = uniqueName('registry');
	const catalogTopic = `${requestTopic}.catalog`;
	const kafka = new Kafka({brokers, clientId: `${requestTopic}.test`, logLevel: logLevel.NOTHING});
	const admin = kafka.admin();
	let runner: RunnerProcess;
	let client: PipelineClient<UntypedPipelines>;
	const clients: PipelineClient<UntypedPipelines>[] = [];
	let producer: Producer;
	const consumers: Consumer[] = [];

	const connect = async (options: ClientOptions = {}): Promise<PipelineClient<UntypedPipelines>> => {
		const c = await PipelineClient.connect({brokers, requestTopic, catalogTopic, requestPartitions: 4, logger: createLogger('warn'), schemaRegistry: {host: url}, ...options});
		clients.push(c);
		return c;
	};

	/** Every message of `topic` from the start until `until` holds (bounded). */
	const readTopic = async (topic: string, until: (messages: Buffer[]) => boolean, timeoutMs = 20_000): Promise<Buffer[]> => {
		const consumer = kafka.consumer({groupId: uniqueName('reader')});
		consumers.push(consumer);
		await consumer.connect();
		await consumer.subscribe({topic, fromBeginning: true});
		const messages: Buffer[] = [];
		await new Promise<void>((resolve, reject) => {
			const timer = setTimeout(() => reject(new Error(`no matching message on ${topic} within ${timeoutMs} ms (${messages.length} seen)`)), timeoutMs);
			void consumer.run({
				eachMessage: async ({message}) => {
					if (message.value !== null) messages.push(message.value);
					if (until(messages)) {
						clearTimeout(timer);
						resolve();
					}
				},
			});
		});
		await consumer.disconnect();
		return messages;
	};

	before(async () => {
		url = registryUrl();
		await admin.connect();
		producer = kafka.producer();
		await producer.connect();
		client = await connect();
		runner = await RunnerProcess.start({
			pipelines: [path.join(fixturesDir, 'typed_pipelines.py')],
			brokers,
			requestTopic,
			group: `${requestTopic}.runners`,
			concurrency: 4,
			extraArgs: ['--partitions', '4', '--catalog-topic', catalogTopic, '--schema-registry', url],
		});
	});

	after(async () => {
		await Promise.allSettled(clients.map(async c => c.close()));
		await runner?.stop();
		await Promise.allSettled(consumers.map(async c => c.disconnect()));
		await producer?.disconnect();
		await admin.deleteTopics({topics: [requestTopic, catalogTopic, `${requestTopic}.dlq`], timeout: 5000}).catch(() => {});
		await admin.disconnect();
	});

	test('a typed call round trip: Confluent frames and registry refs both ways', async () => {
		assert.equal(await client.invoke('typed_add', {a: 2, b: 40}), 42);
		const progress: number[] = [];
		const trained = await client.invoke('typed_train', {dataset: 'cpu', config: {epochs: 3, optimizer: 'ADAM', learning_rate: 0.1}}, {onProgress: p => progress.push(p.current)}) as unknown as {model_id: string; trained_at: Date};
		assert.equal(trained.model_id, 'cpu-adam-3');
		assert.ok(trained.trained_at instanceof Date);
		assert.equal(progress.at(-1), 3); // reports may be thinned out by the runner, never the last

		// What went over the wire: every request on the topic is 00 + the id of request.avsc under <topic>-value.
		const requestId = (await http<{id: number}>('GET', `${url}/subjects/${requestTopic}-value/versions/latest`)).id;
		const requests = await readTopic(requestTopic, messages => messages.length >= 2);
		for (const message of requests) {
			assert.equal(message[0], 0);
			assert.equal(message.readInt32BE(1), requestId);
		}

		const decoded = await readConfluent(url, requests.find(m => m.includes(Buffer.from('typed_add')))!);
		assert.match(String(decoded.value['argsSchema']), /^registry:\d+$/);
		const argsId = Number(String(decoded.value['argsSchema']).slice('registry:'.length));
		const usedBy = await http<Array<{subject: string}>>('GET', `${url}/schemas/ids/${argsId}/versions`);
		assert.ok(usedBy.some(v => v.subject === 'mlbridge.pipeline.typed_add.args-value'), JSON.stringify(usedBy));
	});

	test('a request produced without mlbridge (as KafkaAvroSerializer would) is answered', async () => {
		const requestSchema = JSON.parse(readFileSync(path.join(root, 'schemas', 'request.avsc'), 'utf8')) as avsc.Schema;
		// The producer's own copy of the schema text (pretty-printed): a registry id of its own.
		const requestSchemaId = await register(url, `${requestTopic}-value`, JSON.stringify(requestSchema, null, 2));
		const argsSchema = {type: 'record', name: 'Args', namespace: 'mlbridge.pipeline.typed_add', fields: [{name: 'a', type: 'long'}, {name: 'b', type: 'long'}]};
		const argsId = await register(url, 'mlbridge.pipeline.typed_add.args-value', argsSchema);
		const replyTopic = uniqueName('foreign-replies');
		await admin.createTopics({topics: [{topic: replyTopic, numPartitions: 1}], waitForLeaders: true});
		const id = `foreign-${Date.now()}`;
		const body = avsc.Type.forSchema(requestSchema).toBuffer({
			id,
			pipeline: 'typed_add',
			args: avsc.Type.forSchema(argsSchema as avsc.Schema).toBuffer({a: 20, b: 22}),
			argsSchema: `registry:${argsId}`,
			replyTo: replyTopic,
			deadlineMs: 0,
			attempt: 1,
			sentAtMs: Date.now(),
			headers: {},
		});
		await producer.send({topic: requestTopic, messages: [{key: id, value: confluentFrame(requestSchemaId, body)}]});

		const [replyBytes] = await readTopic(replyTopic, messages => messages.length > 0);
		const reply = await readConfluent(url, replyBytes!);
		const replyUsedBy = await http<Array<{subject: string}>>('GET', `${url}/schemas/ids/${reply.id}/versions`);
		assert.ok(replyUsedBy.some(v => v.subject === 'mlbridge.reply-value'), JSON.stringify(replyUsedBy));
		assert.equal(reply.value['id'], id);
		assert.equal(reply.value['status'], 'OK');
		const resultRef = String(reply.value['resultSchema']);
		assert.match(resultRef, /^registry:\d+$/);
		const resultType = avsc.Type.forSchema(await schemaById(url, Number(resultRef.slice('registry:'.length))));
		assert.equal(Number(resultType.fromBuffer(reply.value['result'] as Buffer)), 42);
		await admin.deleteTopics({topics: [replyTopic], timeout: 5000}).catch(() => {});
	});

	test('a plain client (no registry) and a registry client share the runner', async () => {
		const plain = await connect({schemaRegistry: undefined});
		assert.equal(await plain.invoke('typed_add', {a: 1, b: 1}), 2);
		assert.equal(await client.invoke('typed_add', {a: 1, b: 2}), 3);
	});

	test('a registry that cannot be reached fails connect with a typed error', async () => {
		const port = await closedPort();
		await assert.rejects(
			PipelineClient.connect({brokers, requestTopic, catalogTopic, logger: createLogger('error'), schemaRegistry: {host: `http://127.0.0.1:${port}`, retries: 0}}),
			(error: unknown) => error instanceof SchemaRegistryError && error.reason === 'unavailable' && error.retryable,
		);
	});

	test('a bad schemaRegistry option is a TypeError', async () => {
		await assert.rejects(PipelineClient.connect({brokers, schemaRegistry: {host: 'localhost:8081'}}), TypeError);
		await assert.rejects(PipelineClient.connect({brokers, schemaRegistry: null as never}), TypeError);
	});

	test('a reply written with a schema id the registry does not know fails the call with a typed error', async () => {
		// No runner on this topic: the test answers the request itself, with an unknown schema id.
		const lonelyTopic = uniqueName('registry-lonely');
		const lonely = await connect({requestTopic: lonelyTopic, catalogTopic: `${lonelyTopic}.catalog`});
		const call = lonely.invoke('anything', {x: 1}, {timeoutMs: 20_000});
		const [request] = await readTopic(lonelyTopic, messages => messages.length > 0);
		const {value} = await readConfluent(url, request!);
		// A reply body starts with the request id; the rest is never read without the schema.
		const idBytes = avsc.Type.forSchema('string').toBuffer(String(value['id']));
		await producer.send({topic: lonely.replyTopic, messages: [{value: confluentFrame(987_654_321, Buffer.concat([idBytes, Buffer.alloc(8)]))}]});
		await assert.rejects(call, (error: unknown) => error instanceof SchemaRegistryError && error.reason === 'schema-not-found' && error.requestId === value['id'] && error.schemaId === 987_654_321);
		await admin.deleteTopics({topics: [lonelyTopic, `${lonelyTopic}.catalog`], timeout: 5000}).catch(() => {});
	});
});
