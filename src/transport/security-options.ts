import type {ConnectionOptions} from 'node:tls';

/**
 * TLS settings: `true` for TLS trusting the system's CAs, or Node's `tls.connect` options — `ca`
 * for a private CA, `cert` and `key` for mutual TLS (PEM text or Buffers: read the files yourself),
 * `servername` when the certificate names another host than the bootstrap address.
 */
export type TlsOptions = boolean | ConnectionOptions;

export type SaslMechanism = 'plain' | 'scram-sha-256' | 'scram-sha-512';

/** SASL authentication. Use it over TLS (`ssl`): PLAIN sends the password as it is. */
export type SaslOptions = {
	[M in SaslMechanism]: {readonly mechanism: M; readonly username: string; readonly password: string};
}[SaslMechanism];

/** How the Kafka connections are secured; both absent: PLAINTEXT. */
export type KafkaSecurityOptions = {
	readonly ssl?: TlsOptions | undefined;
	readonly sasl?: SaslOptions | undefined;
};

export const saslMechanisms: readonly SaslMechanism[] = ['plain', 'scram-sha-256', 'scram-sha-512'];
