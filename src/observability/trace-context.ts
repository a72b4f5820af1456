/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/) `traceparent` values, written and read
 * here rather than through OpenTelemetry's global propagator: the wire contract is W3C whatever
 * propagators the application registered (none, B3, Jaeger), and the runner reads W3C.
 */

/** The header names, in the Request envelope's `headers` and on reply records. */
export const traceparentHeader = 'traceparent';
export const tracestateHeader = 'tracestate';

/** The parts of a traceparent. `traceFlags` bit 0: sampled. */
export type TraceParent = {
	readonly traceId: string;
	readonly spanId: string;
	readonly traceFlags: number;
};

const TRACEPARENT = /^([\da-f]{2})-([\da-f]{32})-([\da-f]{16})-([\da-f]{2})(?:-|$)/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

export function formatTraceparent(context: TraceParent): string {
	return `00-${context.traceId}-${context.spanId}-${(context.traceFlags & 0xff).toString(16).padStart(2, '0')}`;
}

/**
 * The parts of a traceparent value, or undefined when it is not one: version ff, all-zero ids,
 * and a version 00 value with anything after the flags are invalid (the spec's parsing rules).
 */
export function parseTraceparent(value: string | undefined): TraceParent | undefined {
	if (value === undefined) {
		return undefined;
	}

	const match = TRACEPARENT.exec(value.trim());
	if (match === null) {
		return undefined;
	}

	const [whole, version, traceId, spanId, flags] = match as unknown as [string, string, string, string, string];
	if (version === 'ff' || traceId === ZERO_TRACE || spanId === ZERO_SPAN || (version === '00' && whole.length !== value.trim().length)) {
		return undefined;
	}

	return {traceId, spanId, traceFlags: Number.parseInt(flags, 16)};
}

/** A record header's value as text (kafkajs gives Buffers; a repeated header: its first value). */
export function headerText(value: Buffer | string | ReadonlyArray<Buffer | string> | undefined): string | undefined {
	const first = Array.isArray(value) ? (value as ReadonlyArray<Buffer | string>)[0] : (value as Buffer | string | undefined);
	return first === undefined ? undefined : typeof first === 'string' ? first : first.toString('latin1');
}
