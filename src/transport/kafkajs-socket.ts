import net from 'node:net';
import type {ISocketFactory} from 'kafkajs';

/** kafkajs's own keep-alive delay. */
const keepAliveMs = 60_000;

/**
 * kafkajs's socket factory with Nagle's algorithm off, as the Java client and the broker run
 * theirs. kafkajs never calls setNoDelay, so a small request written while an earlier one on the
 * same connection is unacknowledged waits for that ACK; across a network with delayed ACKs that
 * is up to tens of milliseconds on calls arriving at a steady rate. On loopback (where the bench
 * runs) Linux ACKs at once and interleaved A/B runs showed no difference either way.
 *
 * Plain TCP only: the transport has no TLS option. Whoever adds one must build the TLS socket here,
 * hence the refusal rather than a silent plaintext connection.
 */
export const noDelaySocketFactory: ISocketFactory = ({host, port, ssl, onConnect}) => {
	if (ssl) {
		throw new Error('noDelaySocketFactory: TLS is not supported by this transport');
	}

	const socket = net.connect({host, port}, onConnect);
	socket.setNoDelay(true);
	socket.setKeepAlive(true, keepAliveMs);
	return socket;
};
