/**
 * A runner without Write on a client's reply topic (real ACLs on the SASL_SSL dev broker): the call
 * runs, the reply is refused, the runner logs reply.failed, dead-letters the call with reason
 * `reply_denied` (naming the request id and its source offset) and keeps serving other clients.
 */
import assert from 'node:assert/strict';
import {after, before, test} from 'node:test';
import {Kafka, logLevel} from 'kafkajs';
import {applyAcls, mlbridgeAcls, type AclEntry} from '../../scripts/acl/acl-list.js';
import {InvocationTimeoutError, PipelineClient, RunnerProcess, type ClientOptions} from '../../src/index.js';
import {fixturePipelines, uniqueName} from '../helpers/harness.js';
import {secureBrokers, useSecureBroker, type SecureBroker} from '../helpers/secure-broker.js';

let broker: SecureBroker;
const requestTopic = uniqueName('denied');
const catalogTopic = `${requestTopic}.catalog`;
const group = `${requestTopic}.runners`;
const deniedPrefix = 'ml.denied.reply.'; // the runner's Write ACL covers ml.pipeline.reply. only

const kafkaAs = (user: 'admin' | 'client' | 'other') => new Kafka({
	clientId: `denied-${user}`,
	brokers: secureBrokers,
	logLevel: logLevel.NOTHING,
	ssl: {ca: [broker.caPem]},
	sasl: {mechanism: 'scram-sha-512', username: user, password: broker.password(user)},
	retry: {retries: 1},
});
const grant = async (entries: AclEntry[]): Promise<void> => {
	const admin = kafkaAs('admin').admin();
	await admin.connect();
	try {
		await applyAcls(admin, entries);
	} finally {
		await admin.disconnect();
	}
};

const clientOptions = (user: 'client' | 'other', replyTopicPrefix: string): ClientOptions => ({
	brokers: secureBrokers,
	requestTopic,
	catalogTopic,
	requestPartitions: 1,
	connectTimeoutMs: 8000,
	clientId: user,
	replyTopicPrefix,
	ssl: {ca: [broker.caPem]},
	sasl: {mechanism: 'scram-sha-512', username: user, password: broker.password(user)},
});

before(async () => {
	broker = await useSecureBroker();
	const names = {runner: 'runner', requestTopic, catalogTopic, runnerGroup: group};
	await grant([
		...mlbridgeAcls({...names, clients: [{user: 'client', clientId: 'client'}], replyTopicPrefix: 'ml.pipeline.reply.'}),
		// "other" may create and read its reply topics under a prefix the runner may not write.
		...mlbridgeAcls({...names, clients: [{user: 'other', clientId: 'other'}], replyTopicPrefix: deniedPrefix})
			.filter(e => e.principal === 'User:other'),
	]);
});

after(async () => {
	await broker.release();
});

test('a reply the runner may not write is dead-lettered as reply_denied; other clients are still served', {timeout: 120_000}, async () => {
	const runner = await RunnerProcess.start({
		pipelines: [fixturePipelines],
		brokers: secureBrokers,
		requestTopic,
		group,
		extraArgs: ['--partitions', '1', '--sasl-username', 'runner', '--sasl-password-file', broker.passwordFile('runner'), '--ssl-ca', broker.caFile],
		env: {MLBRIDGE_CATALOG_TOPIC: catalogTopic},
	});
	const denied = await PipelineClient.connect(clientOptions('other', deniedPrefix));
	const client = await PipelineClient.connect(clientOptions('client', 'ml.pipeline.reply.'));
	const reader = kafkaAs('admin').consumer({groupId: `${requestTopic}.dlq-reader`});
	try {
		const lost = denied.invoke('echo', {value: 'unanswerable'}, {timeoutMs: 6000});
		const served = Promise.all([1, 2, 3].map(async n => client.invoke('tagged', {tag: 'ok', n})));
		await assert.rejects(lost, (error: unknown) => error instanceof InvocationTimeoutError);
		assert.equal((await served).length, 3);
		const failed = await runner.waitFor('reply.failed');
		assert.match(String(failed['error']), /authoriz/i);
		const letter = await runner.waitFor('dlq.sent', e => e['reason'] === 'reply_denied');
		assert.equal(letter['topic'], requestTopic);

		await reader.connect();
		await reader.subscribe({topic: `${requestTopic}.dlq`, fromBeginning: true});
		const headers = await new Promise<Record<string, string>>((resolve, reject) => {
			setTimeout(() => reject(new Error('no dead letter read within 20 s')), 20_000);
			void reader.run({
				eachMessage: async ({message}) => {
					resolve(Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])));
				},
			});
		});
		assert.equal(headers['mlbridge.dlq.reason'], 'reply_denied');
		assert.match(headers['mlbridge.request.id'] ?? '', /^[\da-f-]{36}$/);
		assert.equal(headers['mlbridge.source.topic'], requestTopic);
		assert.match(headers['mlbridge.dlq.error'] ?? '', new RegExp(deniedPrefix.replaceAll('.', '\\.')));
		// And it keeps serving.
		assert.equal(await client.invoke('echo', {value: 'still here'}), 'still here');
	} finally {
		await Promise.allSettled([denied.close(), client.close(), reader.disconnect()]);
		await runner.stop();
	}
});
