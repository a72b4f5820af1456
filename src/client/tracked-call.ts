import type {TypedSchema} from '../contract/typed-codec.js';
import type {ReplyEnvelope} from '../codec/envelopes.js';
import {callFields, type Logger} from '../logging/logger.js';
import {type ClientMetrics, outcomeOf} from '../observability/client-metrics.js';
import type {CallSpan} from '../observability/tracing.js';
import type {RecordHeaders} from '../transport/transport.js';
import type {InvocationProgress, PendingCall} from './pending-calls.js';

/** What every call of one client reports to. */
export type CallObserver = {
	readonly metrics: ClientMetrics;
	readonly logger: Logger;
};

/**
 * A pending invoke() that counts itself when it settles — whichever way: reply, timeout, abort,
 * close or send failure all end in resolve() or reject() — and ends its spans. One object per
 * call, as the plain pending entry was: the hooks are methods, not closures.
 */
export class TrackedCall implements PendingCall {
	readonly id: string;
	readonly pipeline: string;
	readonly timeoutMs: number;
	readonly onProgress: ((progress: InvocationProgress) => void) | undefined;
	readonly resultReader: TypedSchema | undefined;
	/** Undoes the AbortSignal listener; set once the listener exists. */
	detach: () => void = noop;
	wheelHandle: number | undefined = undefined;
	/** Times the request was produced (1 + retries while the brokers were down). */
	attempts = 1;
	readonly #startedMs = performance.now();
	readonly #settle: (value: unknown) => void;
	readonly #fail: (error: Error) => void;
	readonly #observer: CallObserver;
	readonly #span: CallSpan | undefined;

	constructor(
		call: {id: string; pipeline: string; timeoutMs: number; onProgress: TrackedCall['onProgress']; resultReader: TypedSchema | undefined},
		settle: (value: unknown) => void,
		fail: (error: Error) => void,
		observer: CallObserver,
		span: CallSpan | undefined,
	) {
		this.id = call.id;
		this.pipeline = call.pipeline;
		this.timeoutMs = call.timeoutMs;
		this.onProgress = call.onProgress;
		this.resultReader = call.resultReader;
		this.#settle = settle;
		this.#fail = fail;
		this.#observer = observer;
		this.#span = span;
	}

	get span(): CallSpan | undefined {
		return this.#span;
	}

	get traceId(): string | undefined {
		return this.#span?.traceId;
	}

	resolve(value: unknown): void {
		this.#finished(undefined);
		this.#settle(value);
	}

	reject(error: Error): void {
		this.#finished(error);
		this.#fail(error);
	}

	onReply(reply: ReplyEnvelope, headers: RecordHeaders | undefined): void {
		this.#span?.replied(reply, headers, this.attempts);
	}

	#finished(error: Error | undefined): void {
		const seconds = (performance.now() - this.#startedMs) / 1000;
		const outcome = outcomeOf(error);
		this.#observer.metrics.callEnded(this.pipeline, outcome, seconds);
		this.#span?.end(error);
		const {logger} = this.#observer;
		if (logger.enabled('debug')) {
			logger.debug('call.settled', callFields(this.id, this.pipeline, this.traceId, {outcome, ms: seconds * 1000, attempts: this.attempts}));
		}
	}
}

function noop(): void {}
