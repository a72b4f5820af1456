import assert from 'node:assert/strict';
import net from 'node:net';
import {test} from 'node:test';
import {resolveClientOptions} from '../../src/client/resolve-options.js';
import {AuthenticationError, TlsError} from '../../src/errors/index.js';
import {createLogger} from '../../src/logging/logger.js';
import {securityError} from '../../src/transport/connect-errors.js';
import {createSocketFactory, type SocketProblem} from '../../src/transport/kafkajs-socket.js';

const quiet = createLogger('silent');
const sasl = {mechanism: 'scram-sha-512', username: 'client', password: 'pw'} as const;

test('ssl and sasl options: accepted as given, refused with the option named and no password echoed', () => {
	const resolved = resolveClientOptions({logger: quiet, ssl: {ca: ['PEM']}, sasl, replicationFactor: 3});
	assert.deepEqual(resolved.ssl, {ca: ['PEM']});
	assert.deepEqual(resolved.sasl, sasl);
	assert.equal(resolved.replicationFactor, 3);
	assert.equal(resolveClientOptions({logger: quiet}).replicationFactor, undefined);
	const bad: Array<[Record<string, unknown>, RegExp]> = [
		[{ssl: 'yes'}, /`ssl`/],
		[{sasl: {mechanism: 'gssapi', username: 'u', password: 'p'}}, /`sasl\.mechanism`.*"scram-sha-512"/],
		[{sasl: {mechanism: 'plain', username: 'u', password: ''}}, /`sasl\.username` and `sasl\.password`/],
		[{replicationFactor: 0}, /`replicationFactor`/],
	];
	for (const [options, message] of bad) {
		assert.throws(() => resolveClientOptions({logger: quiet, ...options}), (error: unknown) => {
			assert.ok(error instanceof TypeError);
			assert.match(error.message, message);
			return true;
		});
	}

	assert.throws(() => resolveClientOptions({logger: quiet, sasl: {mechanism: 'plain', username: '', password: 'hunter2'}}), (error: unknown) => {
		assert.doesNotMatch(String(error), /hunter2/);
		return true;
	});
});

test('securityError: refused SASL (also wrapped in a retries-exceeded error) → AuthenticationError; a socket problem → TlsError', () => {
	const refused = Object.assign(new Error('SASL SCRAM SHA512 authentication failed'), {name: 'KafkaJSSASLAuthenticationError'});
	const wrapped = Object.assign(new Error('retries exceeded'), {name: 'KafkaJSNumberOfRetriesExceeded', cause: refused});
	for (const error of [refused, wrapped]) {
		const typed = securityError(error, ['b:1'], {sasl}, undefined);
		assert.ok(typed instanceof AuthenticationError);
		assert.equal(typed.mechanism, 'scram-sha-512');
		assert.equal(typed.username, 'client');
		assert.doesNotMatch(typed.message, /"pw"|: pw\b/);
	}

	const problem: SocketProblem = {broker: 'b:1', problem: 'untrusted-certificate', error: new Error('self-signed certificate in certificate chain')};
	const tls = securityError(new Error('Connection error'), ['b:1'], {ssl: true}, problem);
	assert.ok(tls instanceof TlsError);
	assert.equal(tls.problem, 'untrusted-certificate');
	assert.equal(tls.broker, 'b:1');
	assert.equal(securityError(new Error('ECONNREFUSED'), ['b:1'], {}, undefined), undefined);
	// Without sasl configured, an authentication error cannot be ours to name.
	assert.equal(securityError(refused, ['b:1'], {}, undefined), undefined);
});

/** A loopback server that does `serve` with each connection; the problems the factory reported. */
async function problemsAgainst(serve: (socket: net.Socket) => void, ssl: boolean): Promise<SocketProblem[]> {
	const server = net.createServer(serve);
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	const {port} = server.address() as net.AddressInfo;
	const problems: SocketProblem[] = [];
	const factory = createSocketFactory(problem => problems.push(problem));
	await new Promise<void>(resolve => {
		const socket = factory({host: '127.0.0.1', port, ssl: ssl ? {} : (undefined as never), onConnect() {
			socket.write(Buffer.from([0, 0, 0, 4, 0, 18, 0, 0])); // an ApiVersions-sized request
		}});
		socket.on('error', () => undefined);
		socket.on('close', () => resolve());
	});
	await new Promise<void>(resolve => server.close(() => resolve()));
	return problems;
}

test('socket factory: a TLS alert answering a plaintext request → plaintext-to-tls-listener', async () => {
	const problems = await problemsAgainst(socket => {
		socket.once('data', () => socket.end(Buffer.from([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x50])));
	}, false);
	assert.deepEqual(problems.map(p => p.problem), ['plaintext-to-tls-listener']);
});

test('socket factory: a Kafka-looking answer before the close is no problem', async () => {
	const problems = await problemsAgainst(socket => {
		socket.once('data', () => socket.end(Buffer.from([0, 0, 0, 2, 0, 0])));
	}, false);
	assert.deepEqual(problems, []);
});

test('socket factory: a port that drops the TLS ClientHello → tls-to-plaintext-listener', async () => {
	const problems = await problemsAgainst(socket => {
		socket.once('data', () => socket.destroy());
	}, true);
	assert.deepEqual(problems.map(p => p.problem), ['tls-to-plaintext-listener']);
});

test('kafkaSecurityFromEnv: the runner\'s variables give the same settings on the client side', async () => {
	const {kafkaSecurityFromEnv} = await import('../../src/transport/security-env.js');
	const {mkdtempSync, writeFileSync} = await import('node:fs');
	const {tmpdir} = await import('node:os');
	const path = await import('node:path');
	const dir = mkdtempSync(path.join(tmpdir(), 'mlbridge-env-'));
	writeFileSync(path.join(dir, 'ca.pem'), 'CA PEM');
	writeFileSync(path.join(dir, 'pw'), 'from-file\n');
	assert.deepEqual(kafkaSecurityFromEnv({}), {});
	assert.deepEqual(kafkaSecurityFromEnv({MLBRIDGE_SASL_USERNAME: 'u', MLBRIDGE_SASL_PASSWORD: 'p'}), {
		ssl: true, // SASL_SSL implied by a username, as on the runner
		sasl: {mechanism: 'scram-sha-512', username: 'u', password: 'p'},
	});
	assert.deepEqual(
		kafkaSecurityFromEnv({MLBRIDGE_SASL_USERNAME: 'u', MLBRIDGE_SASL_PASSWORD_FILE: path.join(dir, 'pw'), MLBRIDGE_SASL_MECHANISM: 'PLAIN', MLBRIDGE_SSL_CA: path.join(dir, 'ca.pem')}),
		{ssl: {ca: ['CA PEM']}, sasl: {mechanism: 'plain', username: 'u', password: 'from-file'}},
	);
	assert.deepEqual(kafkaSecurityFromEnv({MLBRIDGE_SECURITY_PROTOCOL: 'sasl_plaintext', MLBRIDGE_SASL_USERNAME: 'u', MLBRIDGE_SASL_PASSWORD: 'p'}), {
		sasl: {mechanism: 'scram-sha-512', username: 'u', password: 'p'},
	});
	assert.throws(() => kafkaSecurityFromEnv({MLBRIDGE_SASL_USERNAME: 'u'}), /MLBRIDGE_SASL_PASSWORD/);
	assert.throws(() => kafkaSecurityFromEnv({MLBRIDGE_SSL_CA: path.join(dir, 'missing.pem')}), /MLBRIDGE_SSL_CA.*ENOENT/);
	assert.throws(() => kafkaSecurityFromEnv({MLBRIDGE_SECURITY_PROTOCOL: 'TLS'}), /MLBRIDGE_SECURITY_PROTOCOL/);
	// Options given in code win over the environment, wholesale.
	const previous = process.env['MLBRIDGE_SASL_USERNAME'];
	process.env['MLBRIDGE_SASL_USERNAME'] = 'env-user';
	try {
		assert.throws(() => resolveClientOptions({logger: quiet}), /MLBRIDGE_SASL_PASSWORD/);
		assert.equal(resolveClientOptions({logger: quiet, ssl: true}).sasl, undefined);
	} finally {
		if (previous === undefined) {
			delete process.env['MLBRIDGE_SASL_USERNAME'];
		} else {
			process.env['MLBRIDGE_SASL_USERNAME'] = previous;
		}
	}
});
