import {BrokerUnreachableError, ClientClosedError, type MlbridgeError, RequestTooLargeError} from '../errors/index.js';
import {callFields, type Logger} from '../logging/logger.js';
import type {ClientMetrics} from '../observability/client-metrics.js';
import {authorizationError} from '../transport/connect-errors.js';
import type {Transport} from '../transport/transport.js';
import type {ResolvedClientOptions} from './options.js';
import type {PendingCalls} from './pending-calls.js';
import type {TrackedCall} from './tracked-call.js';

/** What producing a call's request needs from its client. */
export type RequestSender = {
	readonly transport: Transport;
	readonly topic: string;
	readonly pending: PendingCalls;
	readonly metrics: ClientMetrics;
	readonly logger: Logger;
	/** `whenBrokerDown: "wait"` and the client still open. */
	waitForBrokers(): boolean;
	/** The typed error of a failed produce. */
	sendError(id: string, size: number, error: unknown): MlbridgeError;
};

/**
 * Produce the request. While the brokers are unreachable and `whenBrokerDown` is "wait", try
 * again with backoff for as long as the call is pending: its deadline ends it, never a hang.
 * Re-sending is safe: replies are matched by id and a second one is ignored.
 *
 * A traced call waits for the brokers' acknowledgement to end its send span (a promise per call,
 * paid only with tracing on); otherwise only failures are heard of, without a promise.
 */
export function sendRequest(sender: RequestSender, call: TrackedCall, key: string, value: Buffer, attempt: number): void {
	const onFailure = (error: unknown): void => {
		const typed = sender.sendError(call.id, value.length, error);
		const retry = typed instanceof BrokerUnreachableError && sender.waitForBrokers() && sender.pending.peek(call.id) === call;
		call.span?.sendFailed(error, retry);
		if (!retry) {
			sender.pending.take(call.id)?.reject(typed);
			return;
		}

		if (attempt === 0) {
			sender.metrics.brokerWait();
		}

		sender.metrics.retried(call.pipeline);
		const backoffMs = Math.min(2000, 100 * 2 ** attempt) * (0.5 + Math.random() / 2);
		sender.logger.debug('request.send_retry', callFields(call.id, call.pipeline, call.traceId, {attempt, backoffMs, error: String(error)}));
		setTimeout(() => {
			if (sender.pending.peek(call.id) === call && sender.waitForBrokers()) {
				call.attempts++;
				sendRequest(sender, call, key, value, attempt + 1);
			}
		}, backoffMs);
	};

	const span = call.span;
	if (span === undefined) {
		sender.transport.post(sender.topic, {key, value}, onFailure);
	} else {
		sender.transport.send(sender.topic, {key, value}).then(() => span.sent(), onFailure);
	}
}

/** The typed error of a failed produce of request `id` (`size` bytes encoded). */
export function typedSendError(
	id: string,
	size: number,
	error: unknown,
	client: Pick<ResolvedClientOptions, 'requestTopic' | 'brokers' | 'sasl'> & {readonly maxRequestBytes: number; readonly closed: boolean},
): MlbridgeError {
	const type = (error as {type?: unknown} | undefined)?.type;
	if (type === 'MESSAGE_TOO_LARGE' || type === 'RECORD_LIST_TOO_LARGE') {
		return new RequestTooLargeError(id, size, client.maxRequestBytes);
	}

	if (client.closed) {
		return new ClientClosedError(id);
	}

	const denied = authorizationError(error, {names: [client.requestTopic], operation: 'write'}, client.sasl?.username, id);
	return denied ?? new BrokerUnreachableError(client.brokers, error, id);
}
