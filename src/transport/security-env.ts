import {readFileSync} from 'node:fs';
import type {KafkaConfig} from 'kafkajs';
import {saslMechanisms, type KafkaSecurityOptions, type SaslMechanism} from './security-options.js';

/**
 * TLS and SASL from the same environment variables the Python runner reads (docs/production.md),
 * so one deployment's settings serve both sides and the `mlbridge` CLI:
 * MLBRIDGE_SECURITY_PROTOCOL, MLBRIDGE_SASL_MECHANISM, MLBRIDGE_SASL_USERNAME,
 * MLBRIDGE_SASL_PASSWORD (or MLBRIDGE_SASL_PASSWORD_FILE), MLBRIDGE_SSL_CA, MLBRIDGE_SSL_CERT,
 * MLBRIDGE_SSL_KEY, MLBRIDGE_SSL_KEY_PASSWORD (file variables name files; they are read here).
 * None set: `{}` (PLAINTEXT). Throws TypeError naming the variable when one is wrong.
 */
export function kafkaSecurityFromEnv(env: NodeJS.ProcessEnv): KafkaSecurityOptions {
	const get = (name: string): string | undefined => {
		const value = env[name]?.trim();
		return value === undefined || value === '' ? undefined : value;
	};

	const read = (name: string, path: string): string => {
		try {
			return readFileSync(path, 'utf8');
		} catch (error) {
			throw new TypeError(`Cannot read the file ${name} names (${path}): ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
		}
	};

	const username = get('MLBRIDGE_SASL_USERNAME');
	const ca = get('MLBRIDGE_SSL_CA');
	const cert = get('MLBRIDGE_SSL_CERT');
	const key = get('MLBRIDGE_SSL_KEY');
	const inferred = username === undefined ? (ca ?? cert ?? key) === undefined ? 'PLAINTEXT' : 'SSL' : 'SASL_SSL';
	const protocol = (get('MLBRIDGE_SECURITY_PROTOCOL') ?? inferred).toUpperCase();
	if (!['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'].includes(protocol)) {
		throw new TypeError(`Expected MLBRIDGE_SECURITY_PROTOCOL to be PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL, got ${JSON.stringify(protocol)}`);
	}

	const security: {ssl?: KafkaSecurityOptions['ssl']; sasl?: KafkaSecurityOptions['sasl']} = {};
	if (protocol.endsWith('SSL')) {
		const passphrase = get('MLBRIDGE_SSL_KEY_PASSWORD');
		const tls = {
			...(ca === undefined ? {} : {ca: [read('MLBRIDGE_SSL_CA', ca)]}),
			...(cert === undefined ? {} : {cert: read('MLBRIDGE_SSL_CERT', cert)}),
			...(key === undefined ? {} : {key: read('MLBRIDGE_SSL_KEY', key)}),
			...(passphrase === undefined ? {} : {passphrase}),
		};
		security.ssl = Object.keys(tls).length === 0 ? true : tls;
	}

	if (protocol.startsWith('SASL')) {
		const mechanism = (get('MLBRIDGE_SASL_MECHANISM') ?? 'SCRAM-SHA-512').toLowerCase();
		if (!(saslMechanisms as readonly string[]).includes(mechanism)) {
			throw new TypeError(`Expected MLBRIDGE_SASL_MECHANISM to be PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512, got ${JSON.stringify(mechanism)}`);
		}

		const passwordFile = get('MLBRIDGE_SASL_PASSWORD_FILE');
		const password = passwordFile === undefined ? env['MLBRIDGE_SASL_PASSWORD'] : read('MLBRIDGE_SASL_PASSWORD_FILE', passwordFile).replace(/\r?\n$/, '');
		if (username === undefined || password === undefined || password === '') {
			throw new TypeError(`${protocol} needs MLBRIDGE_SASL_USERNAME and MLBRIDGE_SASL_PASSWORD (or MLBRIDGE_SASL_PASSWORD_FILE)`);
		}

		security.sasl = {mechanism: mechanism as SaslMechanism, username, password} as KafkaSecurityOptions['sasl'];
	}

	return security;
}

/** kafkaSecurityFromEnv as the `ssl`/`sasl` part of a kafkajs config, for the CLI's own kafkajs clients. */
export function kafkajsSecurityFromEnv(env: NodeJS.ProcessEnv = process.env): Pick<KafkaConfig, 'ssl' | 'sasl'> {
	const {ssl, sasl} = kafkaSecurityFromEnv(env);
	return {...(ssl === undefined ? {} : {ssl}), ...(sasl === undefined ? {} : {sasl: {...sasl}})};
}
