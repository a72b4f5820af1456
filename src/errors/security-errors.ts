import {MlbridgeError} from './base.js';

/**
 * Errors of a secured Kafka connection, raised by connect() instead of retrying: no retry can fix
 * a wrong password or an untrusted certificate.
 *
 * MlbridgeError
 * ├── AuthenticationError  the brokers refused the SASL credentials
 * ├── TlsError             the TLS handshake failed, or TLS and plaintext were mixed
 * └── AuthorizationError   an ACL is missing for an operation mlbridge needs
 */

export class AuthenticationError extends MlbridgeError {
	readonly brokers: readonly string[];
	/** The SASL mechanism used, e.g. "scram-sha-512". */
	readonly mechanism: string;
	readonly username: string;

	constructor(brokers: readonly string[], mechanism: string, username: string, cause: unknown) {
		const detail = cause instanceof Error ? `: ${cause.message}` : '';
		super(
			`Kafka brokers ${brokers.join(',')} refused SASL ${mechanism} authentication as ${JSON.stringify(username)}${detail}. ` +
				'Check the username and password, that the user exists for this mechanism on the cluster ' +
				'(SCRAM users are per mechanism), and that the listener at this address expects SASL',
			{code: 'AUTHENTICATION_FAILED', cause},
		);
		this.brokers = brokers;
		this.mechanism = mechanism;
		this.username = username;
	}
}

/** What went wrong in the TLS layer, as far as the client can tell. */
export type TlsProblem =
	| 'untrusted-certificate'
	| 'hostname-mismatch'
	| 'certificate-expired'
	| 'tls-to-plaintext-listener'
	| 'plaintext-to-tls-listener'
	| 'handshake-failed';

const advice: Readonly<Record<TlsProblem, string>> = {
	'untrusted-certificate': "the broker's certificate is not signed by a CA this client trusts: give the cluster's CA certificate as `ssl.ca` (PEM text)",
	'hostname-mismatch': "the broker's certificate does not name the address connected to: use the host name the certificate was issued for, or set `ssl.servername`",
	'certificate-expired': "a certificate in the broker's chain has expired or is not yet valid: renew it, or check this machine's clock",
	'tls-to-plaintext-listener': 'the port closed the connection during the TLS handshake: it is probably a PLAINTEXT or SASL_PLAINTEXT listener; drop `ssl` or use the TLS port',
	'plaintext-to-tls-listener': 'the broker closed the connection without answering: it is probably a TLS (SSL or SASL_SSL) listener; set `ssl`',
	'handshake-failed': 'the TLS handshake failed: check the TLS version and ciphers, and the client certificate if the broker requires one (`ssl.cert`, `ssl.key`)',
};

export class TlsError extends MlbridgeError {
	readonly brokers: readonly string[];
	readonly problem: TlsProblem;
	/** The broker address the failure was seen on. */
	readonly broker: string;

	constructor(brokers: readonly string[], broker: string, problem: TlsProblem, cause: unknown) {
		const detail = cause instanceof Error ? ` (${cause.message})` : '';
		super(`TLS connection to Kafka broker ${broker} failed${detail}: ${advice[problem]}`, {code: 'TLS_FAILED', cause});
		this.brokers = brokers;
		this.broker = broker;
		this.problem = problem;
	}
}

/** What Kafka refused, in Kafka's ACL vocabulary. */
export type AuthorizationResource = 'topic' | 'group' | 'cluster' | 'transactional-id';

/** The brokers' ACLs deny this principal an operation mlbridge needs. */
export class AuthorizationError extends MlbridgeError {
	readonly resource: AuthorizationResource;
	/** The topics (or group, …) refused. */
	readonly names: readonly string[];
	/** Kafka's operation name: "create", "write", "read", … */
	readonly operation: string;
	/** The SASL user, when there is one. */
	readonly principal: string | undefined;

	constructor(
		details: {resource: AuthorizationResource; names: readonly string[]; operation: string; principal?: string | undefined},
		cause: unknown,
		requestId?: string,
	) {
		const who = details.principal === undefined ? 'this client' : `User:${details.principal}`;
		super(
			`Kafka denied ${details.operation} on ${details.resource} ${details.names.join(', ')} to ${who}: ` +
				'the cluster needs an ACL allowing it (`node --import tsx scripts/acl/acls.ts` prints the ones mlbridge needs)',
			{code: 'AUTHORIZATION_FAILED', requestId, cause},
		);
		this.resource = details.resource;
		this.names = details.names;
		this.operation = details.operation;
		this.principal = details.principal;
	}
}
