/**
 * The client's spans (docs/observability.md, "Tracing: the TypeScript side"), through
 * `@opentelemetry/api` only: which SDK records them is the application's choice.
 *
 * invoke(): `invoke <pipeline>` (CLIENT) covering the call, and its child `send <topic>` (PRODUCER)
 * covering the produce; the send span's context travels as `traceparent`/`tracestate` in the
 * Request envelope's headers. The runner's `process <topic>` span continues it and sends its own
 * traceparent back as a reply record header: the invoke span ends with a link to it and the
 * runner's timings. submit(): a `send <jobTopic>` (PRODUCER) span the same way.
 */
import type {Attributes, Context, Span, SpanContext, Tracer} from '@opentelemetry/api';
import type {ReplyEnvelope} from '../codec/envelopes.js';
import {MlbridgeError} from '../errors/base.js';
import type {RecordHeaders} from '../transport/transport.js';
import type {OtelApi} from './otel-loader.js';
import {formatTraceparent, headerText, parseTraceparent, traceparentHeader, tracestateHeader} from './trace-context.js';

export const tracerName = 'mlbridge';

/** The spans of one invoke(). Every method may be called in any order; the spans end once. */
export type CallSpan = {
	/** The trace id when the call is sampled: for logs. */
	readonly traceId: string | undefined;
	/** The request was acknowledged by the brokers. */
	sent(): void;
	/** Producing failed; `retrying`: the client tries again (the send span stays open). */
	sendFailed(error: unknown, retrying: boolean): void;
	/** The final reply arrived (before the call settles): runner timings and the link to its span. */
	replied(reply: ReplyEnvelope, headers: RecordHeaders | undefined, attempts: number): void;
	/** The call settled: without `error` it succeeded. */
	end(error?: unknown): void;
};

/** The span of one submit(): ends when the job request was produced (or could not be). */
export type SubmitSpan = {
	end(error?: unknown): void;
};

export class ClientTracing {
	readonly #api: typeof OtelApi;
	readonly #tracer: Tracer;

	constructor(api: typeof OtelApi) {
		this.#api = api;
		// A ProxyTracer when no provider is registered yet: it follows a provider registered later.
		this.#tracer = api.trace.getTracer(tracerName);
	}

	/**
	 * Start the spans of a call and write the send span's context into `headers` (the envelope's,
	 * a copy of the caller's). A `traceparent` the caller put there is the parent when no span is
	 * active: hand-propagated context keeps working.
	 */
	startCall(pipeline: string, requestId: string, topic: string, headers: Record<string, string>): CallSpan | undefined {
		const api = this.#api;
		const parent = this.#parent(headers);
		const invoke = this.#tracer.startSpan(`invoke ${pipeline}`, {
			kind: api.SpanKind.CLIENT,
			attributes: {'mlbridge.pipeline': pipeline, 'mlbridge.request_id': requestId},
		}, parent);
		if (!invoke.isRecording() && !api.trace.isSpanContextValid(invoke.spanContext())) {
			// No provider registered and no context to carry on: the call goes untraced.
			return undefined;
		}

		const send = this.#startSend(topic, pipeline, requestId, api.trace.setSpan(parent, invoke), headers);
		return new TracedCall(api, invoke, send);
	}

	startSubmit(pipeline: string, jobId: string, topic: string, headers: Record<string, string>): SubmitSpan {
		const send = this.#startSend(topic, pipeline, jobId, this.#parent(headers), headers, {'mlbridge.job_id': jobId});
		let open = true;
		return {
			end: error => {
				if (open) {
					open = false;
					if (error !== undefined) {
						fail(this.#api, send, error);
					}

					send.end();
				}
			},
		};
	}

	#startSend(topic: string, pipeline: string, id: string, parent: Context, headers: Record<string, string>, extra?: Attributes): Span {
		const send = this.#tracer.startSpan(`send ${topic}`, {
			kind: this.#api.SpanKind.PRODUCER,
			attributes: {
				'messaging.system': 'kafka',
				'messaging.operation.type': 'send',
				'messaging.operation.name': 'send',
				'messaging.destination.name': topic,
				'messaging.message.id': id,
				'mlbridge.pipeline': pipeline,
				...extra,
			},
		}, parent);
		const context = send.spanContext();
		if (this.#api.trace.isSpanContextValid(context)) {
			headers[traceparentHeader] = formatTraceparent(context);
			const state = context.traceState?.serialize();
			if (state !== undefined && state !== '') {
				headers[tracestateHeader] = state;
			} else {
				delete headers[tracestateHeader];
			}
		}

		return send;
	}

	#parent(headers: Readonly<Record<string, string>>): Context {
		const api = this.#api;
		const active = api.context.active();
		const given = headers[traceparentHeader];
		if (given === undefined || api.trace.getSpan(active) !== undefined) {
			return active;
		}

		const parsed = parseTraceparent(given);
		if (parsed === undefined) {
			return active;
		}

		const state = headers[tracestateHeader];
		const remote: SpanContext = {...parsed, isRemote: true, ...(state === undefined ? {} : {traceState: api.createTraceState(state)})};
		return api.trace.setSpanContext(active, remote);
	}
}

class TracedCall implements CallSpan {
	readonly traceId: string | undefined;
	readonly #api: typeof OtelApi;
	readonly #invoke: Span;
	readonly #send: Span;
	#sendOpen = true;
	#open = true;

	constructor(api: typeof OtelApi, invoke: Span, send: Span) {
		this.#api = api;
		this.#invoke = invoke;
		this.#send = send;
		const context = invoke.spanContext();
		this.traceId = (context.traceFlags & api.TraceFlags.SAMPLED) === 0 ? undefined : context.traceId;
	}

	sent(): void {
		if (this.#sendOpen) {
			this.#sendOpen = false;
			this.#send.end();
		}
	}

	sendFailed(error: unknown, retrying: boolean): void {
		if (!this.#sendOpen) {
			return;
		}

		if (retrying) {
			this.#send.addEvent('mlbridge.send_retry', {'exception.message': String(error)});
			return;
		}

		this.#sendOpen = false;
		fail(this.#api, this.#send, error);
		this.#send.end();
	}

	replied(reply: ReplyEnvelope, headers: RecordHeaders | undefined, attempts: number): void {
		const span = this.#invoke;
		if (!this.#open || !span.isRecording()) {
			return;
		}

		const {receivedAtMs, startedAtMs, finishedAtMs} = reply.timings;
		span.setAttributes({
			'mlbridge.runner': reply.runner,
			'mlbridge.queue_wait_ms': Math.max(0, startedAtMs - receivedAtMs),
			'mlbridge.run_ms': Math.max(0, finishedAtMs - startedAtMs),
			'mlbridge.attempts': attempts,
		});
		const runner = parseTraceparent(headerText(headers?.[traceparentHeader]));
		// addLink is API 1.9; an older SDK's spans may lack it.
		if (runner !== undefined && typeof span.addLink === 'function') {
			span.addLink({context: {...runner, isRemote: true}});
		}
	}

	end(error?: unknown): void {
		if (!this.#open) {
			return;
		}

		this.#open = false;
		if (this.#sendOpen) {
			// A reply can overtake the producer's acknowledgement, and a timeout, abort or close
			// can come first: the send span ends with the call, its own outcome unknown.
			this.#sendOpen = false;
			this.#send.end();
		}

		if (error !== undefined) {
			fail(this.#api, this.#invoke, error);
		}

		this.#invoke.end();
	}
}

function fail(api: typeof OtelApi, span: Span, error: unknown): void {
	if (!span.isRecording()) {
		return;
	}

	const exception = error instanceof Error ? error : new Error(String(error));
	span.recordException(exception);
	span.setAttribute('error.type', exception instanceof MlbridgeError ? exception.code : exception.name);
	span.setStatus({code: api.SpanStatusCode.ERROR, message: exception.message});
}
