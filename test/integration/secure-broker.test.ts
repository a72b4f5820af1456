/**
 * The secure path against a real SASL_SSL broker (scripts/broker/start.sh --secure) with real
 * certificates and real ACLs (StandardAuthorizer, nothing allowed without an ACL; the ones
 * scripts/acl/acls.ts applies): a round trip of client and runner, each misconfiguration ending at
 * once with its typed error (client) or exit code 4 and `runner.security_failed` (runner), and
 * what the ACLs deny.
 */
import assert from 'node:assert/strict';
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {after, before, describe, test} from 'node:test';
import {execa} from 'execa';
import {Kafka, logLevel} from 'kafkajs';
import {applyAcls, mlbridgeAcls, type AclEntry} from '../../scripts/acl/acl-list.js';
import {AuthenticationError, AuthorizationError, PipelineClient, RunnerProcess, TlsError, type ClientOptions} from '../../src/index.js';
import {findPython} from '../../src/runner/find-python.js';
import {brokers as plaintextBrokers, fixturePipelines, fixturesDir, uniqueName} from '../helpers/harness.js';
import {secureBrokers, untrustedCa, useSecureBroker, type SecureBroker} from '../helpers/secure-broker.js';

const connectTimeoutMs = 8000;

describe('a SASL_SSL broker (SCRAM-SHA-512, dev CA)', () => {
	let broker: SecureBroker;
	let scratch: string;
	let otherCa: string;
	const requestTopic = uniqueName('secure');
	const catalogTopic = `${requestTopic}.catalog`;
	const group = `${requestTopic}.runners`;
	const admin = (user: 'admin' | 'other') => new Kafka({
		clientId: `acl-${user}`,
		brokers: secureBrokers,
		logLevel: logLevel.NOTHING,
		ssl: {ca: [broker.caPem]},
		sasl: {mechanism: 'scram-sha-512', username: user, password: broker.password(user)},
		retry: {retries: 1},
	});
	const acls = (clients: Array<{user: string; clientId: string}>): AclEntry[] =>
		mlbridgeAcls({runner: 'runner', clients, requestTopic, catalogTopic, replyTopicPrefix: 'ml.pipeline.reply.', runnerGroup: group});
	const grant = async (entries: AclEntry[]): Promise<void> => {
		const kafkaAdmin = admin('admin').admin();
		await kafkaAdmin.connect();
		try {
			await applyAcls(kafkaAdmin, entries);
		} finally {
			await kafkaAdmin.disconnect();
		}
	};

	const clientOptions = (overrides: Partial<ClientOptions> = {}): ClientOptions => ({
		brokers: secureBrokers,
		requestTopic,
		catalogTopic,
		requestPartitions: 2,
		connectTimeoutMs,
		clientId: 'client', // its ACLs cover ml.pipeline.reply.client-…
		ssl: {ca: [broker.caPem]},
		sasl: {mechanism: 'scram-sha-512', username: 'client', password: broker.password('client')},
		...overrides,
	});

	/** A runner process with these extra flags, to its exit: code, events and time taken. */
	const runUntilExit = async (extraArgs: string[], env: Record<string, string> = {}) => {
		const started = Date.now();
		const result = await execa(findPython().python, ['-m', 'mlbridge_runner', '--pipelines', fixturePipelines, '--request-topic', requestTopic, ...extraArgs], {
			env: {...env, PYTHONPATH: path.join(fixturesDir, '..', '..', 'python-runner'), MLBRIDGE_CATALOG_TOPIC: catalogTopic},
			reject: false,
			timeout: 60_000,
		});
		const events = result.stderr.split('\n').filter(line => line.startsWith('{')).map(line => JSON.parse(line) as Record<string, unknown>);
		return {exitCode: result.exitCode, ms: Date.now() - started, events, stderr: result.stderr};
	};

	before(async () => {
		broker = await useSecureBroker();
		// Figure for the report: how long a cold secure broker takes to answer here.
		console.log(`secure broker: ${broker.startSeconds === 0 ? 'already running' : `started in ${broker.startSeconds.toFixed(1)} s`}`);
		scratch = mkdtempSync(path.join(tmpdir(), 'mlbridge-secure-'));
		otherCa = untrustedCa(scratch);
		await grant(acls([{user: 'client', clientId: 'client'}]));
	});

	after(async () => {
		rmSync(scratch, {recursive: true, force: true});
		await broker.release();
	});

	test('client and runner make a round trip over SASL_SSL as their own users', async () => {
		const runner = await RunnerProcess.start({
			pipelines: [fixturePipelines],
			brokers: secureBrokers,
			requestTopic,
			group,
			extraArgs: ['--partitions', '2', '--sasl-username', 'runner', '--sasl-password-file', broker.passwordFile('runner'), '--ssl-ca', broker.caFile],
			env: {MLBRIDGE_CATALOG_TOPIC: catalogTopic},
		});
		const client = await PipelineClient.connect(clientOptions());
		try {
			assert.deepEqual(await client.invoke('echo', {value: {over: 'tls'}}), {over: 'tls'});
			const tags = await Promise.all([1, 2, 3].map(async n => client.invoke('tagged', {tag: 'sec', n})));
			assert.equal(tags.length, 3);
		} finally {
			await client.close();
			await runner.stop();
		}
	});

	test('SCRAM-SHA-256 and PLAIN users connect too; mutual TLS with the dev client certificate', async () => {
		const dir = path.dirname(broker.caFile);
		for (const extra of [
			{sasl: {mechanism: 'scram-sha-256', username: 'client', password: broker.password('client')}},
			{sasl: {mechanism: 'plain', username: 'client', password: broker.password('client')}},
			{ssl: {ca: [broker.caPem], cert: readFileSync(path.join(dir, 'client.pem'), 'utf8'), key: readFileSync(path.join(dir, 'client.key'), 'utf8')}},
		] satisfies Array<Partial<ClientOptions>>) {
			const client = await PipelineClient.connect(clientOptions(extra));
			await client.close();
		}
	});

	test('without ssl/sasl options, the client takes the runner\'s environment variables (MLBRIDGE_SASL_*, MLBRIDGE_SSL_CA)', async () => {
		const names = ['MLBRIDGE_SASL_USERNAME', 'MLBRIDGE_SASL_PASSWORD_FILE', 'MLBRIDGE_SSL_CA'] as const;
		const saved = names.map(name => process.env[name]);
		Object.assign(process.env, {MLBRIDGE_SASL_USERNAME: 'client', MLBRIDGE_SASL_PASSWORD_FILE: broker.passwordFile('client'), MLBRIDGE_SSL_CA: broker.caFile});
		try {
			const client = await PipelineClient.connect(clientOptions({ssl: undefined, sasl: undefined}));
			await client.close();
		} finally {
			for (const [i, name] of names.entries()) {
				if (saved[i] === undefined) {
					delete process.env[name];
				} else {
					process.env[name] = saved[i];
				}
			}
		}
	});

	test('a wrong password ends connect() with AuthenticationError, well within the connect timeout', async () => {
		const started = Date.now();
		await assert.rejects(
			PipelineClient.connect(clientOptions({sasl: {mechanism: 'scram-sha-512', username: 'client', password: 'not-the-password'}})),
			(error: unknown) => {
				assert.ok(error instanceof AuthenticationError, String(error));
				assert.equal(error.code, 'AUTHENTICATION_FAILED');
				assert.equal(error.username, 'client');
				assert.equal(error.mechanism, 'scram-sha-512');
				assert.match(error.message, /Check the username and password/);
				assert.doesNotMatch(error.message, /not-the-password/);
				return true;
			},
		);
		const ms = Date.now() - started;
		assert.ok(ms < connectTimeoutMs, `took ${ms} ms`);
	});

	test('a broker certificate from a CA the client does not trust ends connect() with TlsError', async () => {
		const started = Date.now();
		await assert.rejects(PipelineClient.connect(clientOptions({ssl: {ca: [readFileSync(otherCa, 'utf8')]}})), (error: unknown) => {
			assert.ok(error instanceof TlsError, String(error));
			assert.equal(error.code, 'TLS_FAILED');
			assert.equal(error.problem, 'untrusted-certificate');
			assert.match(error.message, /ssl\.ca/);
			return true;
		});
		assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
	});

	test('a plaintext client on the TLS port, and a TLS client on the plaintext port, get TlsError saying so', async () => {
		await assert.rejects(PipelineClient.connect(clientOptions({ssl: false})), (error: unknown) => {
			assert.ok(error instanceof TlsError, String(error));
			assert.equal(error.problem, 'plaintext-to-tls-listener');
			assert.match(error.message, /set `ssl`/);
			return true;
		});
		await assert.rejects(
			PipelineClient.connect({brokers: plaintextBrokers, requestTopic, connectTimeoutMs, ssl: true}),
			(error: unknown) => {
				assert.ok(error instanceof TlsError, String(error));
				assert.equal(error.problem, 'tls-to-plaintext-listener');
				return true;
			},
		);
	});

	test('a runner with a wrong password exits 4 with runner.security_failed within its 3 s probe', async () => {
		const run = await runUntilExit(['--brokers', secureBrokers.join(','), '--sasl-username', 'runner', '--ssl-ca', broker.caFile], {MLBRIDGE_SASL_PASSWORD: 'wrong'});
		assert.equal(run.exitCode, 4, run.stderr.slice(-2000));
		const failed = run.events.find(e => e['event'] === 'runner.security_failed');
		assert.ok(failed, run.stderr.slice(-2000));
		assert.equal(failed['kind'], 'authentication');
		assert.match(String(failed['hint']), /password/);
		assert.doesNotMatch(run.stderr, /"wrong"/);
		assert.ok(run.ms < 15_000, `took ${run.ms} ms`);
	});

	test('a runner that does not trust the broker certificate, or speaks plaintext to it, exits 4 (kind tls)', async () => {
		for (const args of [
			['--sasl-username', 'runner', '--sasl-password-file', broker.passwordFile('runner'), '--ssl-ca', otherCa],
			['--security-protocol', 'PLAINTEXT'],
		]) {
			const run = await runUntilExit(['--brokers', secureBrokers.join(','), ...args]);
			assert.equal(run.exitCode, 4, run.stderr.slice(-2000));
			const failed = run.events.find(e => e['event'] === 'runner.security_failed');
			assert.equal(failed?.['kind'], 'tls', run.stderr.slice(-2000));
			assert.ok(run.ms < 15_000, `took ${run.ms} ms`);
		}
	});

	test('ACLs: a client without any for these topics is denied at connect, naming the topics and the operation', async () => {
		await assert.rejects(
			PipelineClient.connect(clientOptions({clientId: 'other', sasl: {mechanism: 'scram-sha-512', username: 'other', password: broker.password('other')}})),
			(error: unknown) => {
				assert.ok(error instanceof AuthorizationError, String(error));
				assert.equal(error.code, 'AUTHORIZATION_FAILED');
				assert.equal(error.operation, 'create');
				assert.equal(error.principal, 'other');
				// The ACLs stay in the broker between runs: this run's topics are the ones nobody was granted.
				assert.ok(error.names.includes(requestTopic), error.names.join());
				assert.match(error.message, /User:other/);
				return true;
			},
		);
	});

	test('ACLs: a client allowed everything but writing the request topic gets AuthorizationError from invoke', async () => {
		const runner = await RunnerProcess.start({
			pipelines: [fixturePipelines],
			brokers: secureBrokers,
			requestTopic,
			group,
			extraArgs: ['--partitions', '2', '--sasl-username', 'runner', '--sasl-password-file', broker.passwordFile('runner'), '--ssl-ca', broker.caFile],
			env: {MLBRIDGE_CATALOG_TOPIC: catalogTopic},
		});
		// The client ACLs of user "other", without Write on the request topic.
		await grant(acls([{user: 'other', clientId: 'other'}])
			.filter(e => e.principal === 'User:other')
			.map(e => (e.name === requestTopic ? {...e, operations: e.operations.filter(o => o !== 'write')} : e)));
		const other = await PipelineClient.connect(clientOptions({clientId: 'other', sasl: {mechanism: 'scram-sha-512', username: 'other', password: broker.password('other')}}));
		const client = await PipelineClient.connect(clientOptions());
		try {
			await assert.rejects(other.invoke('echo', {value: 1}, {timeoutMs: 10_000}), (error: unknown) => {
				assert.ok(error instanceof AuthorizationError, String(error));
				assert.equal(error.operation, 'write');
				assert.deepEqual(error.names, [requestTopic]);
				assert.match(error.requestId ?? '', /^[\da-f-]{36}$/);
				return true;
			});
			// Client A ("other") cannot read client B's ("client") reply topic.
			assert.equal(await client.invoke('echo', {value: 'mine'}), 'mine');
			const spy = admin('other').admin();
			await spy.connect();
			try {
				await assert.rejects(spy.fetchTopicOffsets(client.replyTopic), (error: unknown) => {
					assert.equal((error as {type?: string}).type, 'TOPIC_AUTHORIZATION_FAILED', String(error));
					return true;
				});
			} finally {
				await spy.disconnect();
			}
		} finally {
			await Promise.allSettled([other.close(), client.close()]);
			await runner.stop();
		}
	});

	test('ACLs: a client without Read on its consumer group fails connect() naming the group, instead of waiting forever', async () => {
		// After the test above: the runner created this run's topics.
		await grant(acls([{user: 'other', clientId: 'nogroup'}]).filter(e => e.principal === 'User:other' && e.resource !== 'group'));
		const started = Date.now();
		await assert.rejects(
			PipelineClient.connect(clientOptions({clientId: 'nogroup', sasl: {mechanism: 'scram-sha-512', username: 'other', password: broker.password('other')}})),
			(error: unknown) => {
				assert.match(String(error), /an ACL denies Read on group ml\.pipeline\.reply\.nogroup-[\da-f]{8}\S* to User:other/);
				return true;
			},
		);
		assert.ok(Date.now() - started < connectTimeoutMs, `took ${Date.now() - started} ms`);
	});
});
