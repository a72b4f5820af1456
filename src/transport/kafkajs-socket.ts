import net from 'node:net';
import tls from 'node:tls';
import type {ISocketFactory} from 'kafkajs';
import type {TlsProblem} from '../errors/index.js';

/** kafkajs's own keep-alive delay. */
const keepAliveMs = 60_000;

/** A connection failure no retry can fix, seen on one socket. */
export type SocketProblem = {
	readonly broker: string;
	readonly problem: TlsProblem;
	readonly error: Error;
};

/** Node's (OpenSSL's) verification codes, by what the user has to fix. */
const certificateProblems: ReadonlyMap<string, TlsProblem> = new Map([
	['SELF_SIGNED_CERT_IN_CHAIN', 'untrusted-certificate'],
	['DEPTH_ZERO_SELF_SIGNED_CERT', 'untrusted-certificate'],
	['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'untrusted-certificate'],
	['UNABLE_TO_GET_ISSUER_CERT', 'untrusted-certificate'],
	['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'untrusted-certificate'],
	['CERT_UNTRUSTED', 'untrusted-certificate'],
	['CERT_REJECTED', 'untrusted-certificate'],
	['CERT_SIGNATURE_FAILURE', 'untrusted-certificate'],
	['ERR_TLS_CERT_ALTNAME_INVALID', 'hostname-mismatch'],
	['CERT_HAS_EXPIRED', 'certificate-expired'],
	['CERT_NOT_YET_VALID', 'certificate-expired'],
]);

function tlsProblem(error: Error & {code?: string}, handshakeDone: boolean): TlsProblem | undefined {
	const code = error.code ?? '';
	const known = certificateProblems.get(code);
	if (known !== undefined) {
		return known;
	}

	if (!handshakeDone && code === 'ECONNRESET') {
		// A plaintext listener reads the ClientHello as a malformed request and drops the connection.
		return 'tls-to-plaintext-listener';
	}

	return code.startsWith('ERR_SSL_') ? 'handshake-failed' : undefined;
}

/**
 * kafkajs's socket factory with Nagle's algorithm off, as the Java client and the broker run
 * theirs. kafkajs never calls setNoDelay, so a small request written while an earlier one on the
 * same connection is unacknowledged waits for that ACK; across a network with delayed ACKs that
 * is up to tens of milliseconds on calls arriving at a steady rate. On loopback (where the bench
 * runs) Linux ACKs at once and interleaved A/B runs showed no difference either way.
 *
 * It also reports failures kafkajs would retry as ordinary connection errors although no retry
 * can fix them (an untrusted certificate, TLS against a plaintext port and the reverse), so
 * connect() can end at once with a TlsError that says what to check.
 */
export function createSocketFactory(onProblem: (problem: SocketProblem) => void): ISocketFactory {
	return ({host, port, ssl, onConnect}) => {
		const broker = `${host}:${port}`;
		if (ssl) {
			// As kafkajs's own factory: SNI only for host names.
			const socket = tls.connect({host, port, ...(net.isIP(host) === 0 ? {servername: host} : {}), ...ssl}, onConnect);
			let handshakeDone = false;
			socket.once('secureConnect', () => {
				handshakeDone = true;
			});
			socket.on('error', (error: Error) => {
				const problem = tlsProblem(error, handshakeDone);
				if (problem !== undefined) {
					onProblem({broker, problem, error});
				}
			});
			socket.setNoDelay(true);
			socket.setKeepAlive(true, keepAliveMs);
			return socket;
		}

		const socket = net.connect({host, port}, onConnect);
		// A TLS listener answers a plaintext request with a TLS alert record (measured with Kafka 4.4:
		// `15 03 03 00 02 02 50`) and ends the connection; as a Kafka response size those bytes would
		// be over 350 MB, so they cannot be one. Some listeners end without a byte.
		let first: Buffer | undefined;
		socket.once('data', (chunk: Buffer) => {
			first = chunk;
		});
		socket.once('end', () => {
			const tlsRecord = first !== undefined && first.length >= 2 && (first[0] === 0x15 || first[0] === 0x16) && first[1] === 0x03;
			if (tlsRecord || (socket.bytesRead === 0 && socket.bytesWritten > 0)) {
				onProblem({broker, problem: 'plaintext-to-tls-listener', error: new Error(tlsRecord ? 'the broker answered with a TLS record' : 'the broker closed the connection without answering')});
			}
		});
		socket.setNoDelay(true);
		socket.setKeepAlive(true, keepAliveMs);
		return socket;
	};
}
