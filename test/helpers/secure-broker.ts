/**
 * The secured dev broker (scripts/broker/start.sh --secure: SASL_SSL on 127.0.0.1:9192, SCRAM users
 * admin, runner, client, a dev CA) for the tests of the secure path. Started if it is not running,
 * and then stopped again by the test file that started it.
 */
import {execFileSync} from 'node:child_process';
import {readFileSync} from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import {execa} from 'execa';
import {fixturesDir} from './harness.js';

const root = path.join(fixturesDir, '..', '..');
export const securePort = 9192;
export const secureBrokers = [`127.0.0.1:${securePort}`];
export const securityDir = path.join(root, '.cache', 'kafka', 'run-secure', 'security');

export type SecureBroker = {
	/** Seconds the start took (0: it was running already). */
	readonly startSeconds: number;
	readonly caPem: string;
	readonly caFile: string;
	passwordFile(user: 'admin' | 'runner' | 'client' | 'other'): string;
	password(user: 'admin' | 'runner' | 'client' | 'other'): string;
	/** Stops the broker if this process started it. */
	release(): Promise<void>;
};

async function listening(port: number): Promise<boolean> {
	return new Promise(resolve => {
		const socket = net.connect({host: '127.0.0.1', port}, () => {
			socket.destroy();
			resolve(true);
		});
		socket.on('error', () => resolve(false));
	});
}

async function script(name: string): Promise<void> {
	const env: Record<string, string | undefined> = {...process.env, KAFKA_HEAP_OPTS: process.env['KAFKA_HEAP_OPTS'] ?? '-Xms128m -Xmx384m'};
	delete env['KAFKA_BROKERS'];
	const result = await execa('bash', [path.join(root, 'scripts', 'broker', name), '--secure'], {env, extendEnv: false, reject: false, all: true, timeout: 240_000});
	if (result.exitCode !== 0) {
		throw new Error(`${name} --secure failed (${result.exitCode}):\n${result.all}`);
	}
}

export async function useSecureBroker(): Promise<SecureBroker> {
	const running = await listening(securePort);
	const started = Date.now();
	// Idempotent: also waits for a secure broker another test file is starting.
	await script('start.sh');
	const startSeconds = running ? 0 : (Date.now() - started) / 1000;
	const passwordFile = (user: string): string => path.join(securityDir, `${user}.password`);
	const caFile = path.join(securityDir, 'ca.pem');
	return {
		startSeconds,
		caFile,
		caPem: readFileSync(caFile, 'utf8'),
		passwordFile,
		password: user => readFileSync(passwordFile(user), 'utf8').trim(),
		async release() {
			if (!running) {
				await script('stop.sh');
			}
		},
	};
}

/** A CA of its own (never signed the broker's certificate), made with openssl in `dir`. */
export function untrustedCa(dir: string): string {
	const file = path.join(dir, 'untrusted-ca.pem');
	execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(dir, 'untrusted-ca.key'), '-out', file, '-days', '2', '-subj', '/CN=untrusted test CA'], {stdio: 'ignore'});
	return file;
}
