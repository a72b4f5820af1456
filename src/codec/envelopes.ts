/**
 * Request and reply envelopes (schemas/request.avsc, schemas/reply.avsc) as single-object frames.
 * Written and read by hand, like Value; the tests prove the bytes identical to avsc's. Longs here
 * are epoch milliseconds and must be safe integers. A frame of another known envelope version
 * (`schemas/versions/`) is read by schema resolution (`envelope-versions.ts`) into today's shape;
 * only that branch, after the fingerprint comparison fails, costs anything.
 */
import {AvroReader} from './avro-reader.js';
import {acquireWriter, type AvroWriter, releaseWriter} from './avro-writer.js';
import {CodecError, ValueEncodingError} from './codec-errors.js';
import {type EnvelopeKind, isKnownVersion, readOtherVersion} from './envelope-versions.js';
import {checkHeader, FRAME_HEADER_LENGTH, frameHeader} from './framing.js';
import {type WireSchema, wireSchemas} from './schemas.js';

/** One pipeline call, as produced to the request topic. */
export interface RequestEnvelope {
	/** Unique request id (UUID); the reply carries it back. */
	id: string;
	/** Registered pipeline name. */
	pipeline: string;
	/** Arguments as an Avro body written with the schema named by `argsSchema`. */
	args: Buffer;
	/** `crc64:<16 hex>` or `registry:<id>`. */
	argsSchema: string;
	/** Topic the reply must be produced to. */
	replyTo: string;
	/** Epoch ms after which nobody waits for the answer; 0 means none. */
	deadlineMs: number;
	/** 1 for the first send. */
	attempt: number;
	/** Epoch ms when the client produced the request. */
	sentAtMs: number;
	/** Trace context and caller metadata. */
	headers: Record<string, string>;
}

export type ReplyStatus = 'OK' | 'ERROR' | 'PROGRESS';

/** A structured remote failure. */
export interface RemoteErrorData {
	/** One of schemas/error-codes.json. */
	code: string;
	/** Remote exception type, e.g. `ValueError`. */
	type: string;
	message: string;
	/** Formatted remote traceback, empty when none. */
	traceback: string;
	retryable: boolean;
	/** The cause chain, outermost first. */
	causes: {type: string; message: string}[];
}

export interface ProgressData {
	current: number;
	total: number | null;
	message: string;
}

/** The runner's answer to one request. */
export interface ReplyEnvelope {
	id: string;
	status: ReplyStatus;
	/** For OK: the result as an Avro body written with `resultSchema`; empty otherwise. */
	result: Buffer;
	resultSchema: string;
	error: RemoteErrorData | null;
	progress: ProgressData | null;
	/** host/pid/instance of the runner that answered. */
	runner: string;
	/** Epoch ms on the runner's clock. */
	timings: {receivedAtMs: number; startedAtMs: number; finishedAtMs: number};
}

const STATUSES: readonly ReplyStatus[] = ['OK', 'ERROR', 'PROGRESS'];
const REQUEST_HEADER = frameHeader(wireSchemas.request.fingerprint);
const REPLY_HEADER = frameHeader(wireSchemas.reply.fingerprint);
const KNOWN: readonly [string, WireSchema][] = Object.entries(wireSchemas);

// --- encoding -------------------------------------------------------------------------------

function refuse(path: string, v: unknown, expected: string): never {
	const found = typeof v === 'string' ? JSON.stringify(v) : `${String(v)} (${v === null ? 'null' : typeof v})`;
	throw new ValueEncodingError(path, found, `expected ${expected}`);
}

function putString(w: AvroWriter, v: unknown, path: string): void {
	if (typeof v !== 'string') refuse(path, v, 'a string');
	if (!w.string(v)) refuse(path, v, 'a string without lone surrogates');
}

function putLong(w: AvroWriter, v: unknown, path: string): void {
	if (!Number.isSafeInteger(v)) refuse(path, v, 'a safe integer');
	w.long(v as number);
}

function putDouble(w: AvroWriter, v: unknown, path: string): void {
	if (typeof v !== 'number') refuse(path, v, 'a number');
	w.double(v);
}

function putBytes(w: AvroWriter, v: unknown, path: string): void {
	if (!(v instanceof Uint8Array)) refuse(path, v, 'a Buffer');
	w.bytes(v);
}

function putBoolean(w: AvroWriter, v: unknown, path: string): void {
	if (typeof v !== 'boolean') refuse(path, v, 'a boolean');
	w.byte(v ? 1 : 0);
}

function putHeaders(w: AvroWriter, headers: Record<string, string>): void {
	if (typeof headers !== 'object' || headers === null) refuse('request.headers', headers, 'an object');
	const keys = Object.keys(headers);
	if (keys.length > 0) {
		w.long(keys.length);
		for (const k of keys) {
			const path = `request.headers[${JSON.stringify(k)}]`;
			if (!w.string(k)) refuse(path, k, 'a key without lone surrogates');
			putString(w, headers[k], path);
		}
	}
	w.byte(0);
}

function finishFrame(w: AvroWriter): Buffer {
	try {
		return w.take();
	} finally {
		releaseWriter(w);
	}
}

/** A request as a single-object frame. */
export function encodeRequest(r: RequestEnvelope): Buffer {
	const w = acquireWriter();
	try {
		w.raw(REQUEST_HEADER);
		putString(w, r.id, 'request.id');
		putString(w, r.pipeline, 'request.pipeline');
		putBytes(w, r.args, 'request.args');
		putString(w, r.argsSchema, 'request.argsSchema');
		putString(w, r.replyTo, 'request.replyTo');
		putLong(w, r.deadlineMs, 'request.deadlineMs');
		if (!Number.isInteger(r.attempt) || r.attempt < -0x80000000 || r.attempt > 0x7fffffff) {
			refuse('request.attempt', r.attempt, 'an int32');
		}
		w.long(r.attempt);
		putLong(w, r.sentAtMs, 'request.sentAtMs');
		putHeaders(w, r.headers);
	} catch (error) {
		releaseWriter(w);
		throw error;
	}
	return finishFrame(w);
}

function putError(w: AvroWriter, e: RemoteErrorData | null): void {
	if (e === null) {
		w.byte(0);
		return;
	}
	w.byte(2);
	putString(w, e.code, 'reply.error.code');
	putString(w, e.type, 'reply.error.type');
	putString(w, e.message, 'reply.error.message');
	putString(w, e.traceback, 'reply.error.traceback');
	putBoolean(w, e.retryable, 'reply.error.retryable');
	if (!Array.isArray(e.causes)) refuse('reply.error.causes', e.causes, 'an array');
	const causes = e.causes;
	if (causes.length > 0) {
		w.long(causes.length);
		for (let i = 0; i < causes.length; i++) {
			const c = causes[i]!;
			putString(w, c.type, `reply.error.causes[${i}].type`);
			putString(w, c.message, `reply.error.causes[${i}].message`);
		}
	}
	w.byte(0);
}

function putProgress(w: AvroWriter, p: ProgressData | null): void {
	if (p === null) {
		w.byte(0);
		return;
	}
	w.byte(2);
	putDouble(w, p.current, 'reply.progress.current');
	if (p.total === null) {
		w.byte(0);
	} else {
		w.byte(2);
		putDouble(w, p.total, 'reply.progress.total');
	}
	putString(w, p.message, 'reply.progress.message');
}

/** A reply as a single-object frame. */
export function encodeReply(r: ReplyEnvelope): Buffer {
	const w = acquireWriter();
	try {
		w.raw(REPLY_HEADER);
		putString(w, r.id, 'reply.id');
		const status = STATUSES.indexOf(r.status);
		if (status < 0) refuse('reply.status', r.status, STATUSES.join(' | '));
		w.byte(status * 2);
		putBytes(w, r.result, 'reply.result');
		putString(w, r.resultSchema, 'reply.resultSchema');
		putError(w, r.error ?? null);
		putProgress(w, r.progress ?? null);
		putString(w, r.runner, 'reply.runner');
		const t = r.timings;
		if (typeof t !== 'object' || t === null) refuse('reply.timings', t, 'an object');
		putLong(w, t.receivedAtMs, 'reply.timings.receivedAtMs');
		putLong(w, t.startedAtMs, 'reply.timings.startedAtMs');
		putLong(w, t.finishedAtMs, 'reply.timings.finishedAtMs');
	} catch (error) {
		releaseWriter(w);
		throw error;
	}
	return finishFrame(w);
}

// --- decoding -------------------------------------------------------------------------------

function hasFingerprint(buf: Uint8Array, header: Buffer): boolean {
	for (let i = 2; i < FRAME_HEADER_LENGTH; i++) {
		if (buf[i] !== header[i]) return false;
	}
	return true;
}

/**
 * The record of a frame that is not of today's `kind` version, in today's field names: another
 * known version of `kind`, read by schema resolution. Throws CodecError `unknown-fingerprint` for a
 * frame of another wire schema or an unknown version.
 */
function otherVersion(buf: Buffer, kind: EnvelopeKind, header: Buffer): Record<string, unknown> {
	const found = buf.toString('hex', 2, FRAME_HEADER_LENGTH);
	const known = KNOWN.find(([, s]) => s.fingerprintHex === found);
	if (known !== undefined) {
		throw new CodecError(
			'unknown-fingerprint',
			`Expected a ${kind} frame (fingerprint ${header.toString('hex', 2)}), got fingerprint ${found}, which is the ${known[0]} schema`,
		);
	}
	return readOtherVersion(kind, buf);
}

function safe(v: unknown, path: string): number {
	if (!Number.isSafeInteger(v)) throw new CodecError('malformed-body', `${path} ${String(v)} is not a safe integer`);
	return v as number;
}

function readHeaders(r: AvroReader): Record<string, string> {
	const headers: Record<string, string> = {};
	for (let n = r.blockCount(2); n !== 0; n = r.blockCount(2)) {
		for (let i = 0; i < n; i++) {
			const k = r.string();
			const v = r.string();
			if (k === '__proto__') {
				Object.defineProperty(headers, k, {value: v, enumerable: true, writable: true, configurable: true});
			} else {
				headers[k] = v;
			}
		}
	}
	return headers;
}

/** A request from a single-object frame; throws CodecError (with `requestId` once it is known). */
export function decodeRequest(buf: Buffer): RequestEnvelope {
	checkHeader(buf);
	if (!hasFingerprint(buf, REQUEST_HEADER)) {
		const o = otherVersion(buf, 'request', REQUEST_HEADER);
		return {
			id: o.id as string,
			pipeline: o.pipeline as string,
			args: o.args as Buffer,
			argsSchema: o.argsSchema as string,
			replyTo: o.replyTo as string,
			deadlineMs: safe(o.deadlineMs, 'request.deadlineMs'),
			attempt: o.attempt as number,
			sentAtMs: safe(o.sentAtMs, 'request.sentAtMs'),
			headers: {...(o.headers as Record<string, string>)},
		};
	}
	const r = new AvroReader(buf, FRAME_HEADER_LENGTH);
	const id = r.string();
	r.requestId = id;
	const request: RequestEnvelope = {
		id,
		pipeline: r.string(),
		args: r.bytes(),
		argsSchema: r.string(),
		replyTo: r.string(),
		deadlineMs: r.safeLong(),
		attempt: r.int(),
		sentAtMs: r.safeLong(),
		headers: readHeaders(r),
	};
	r.finish();
	return request;
}

function readError(r: AvroReader): RemoteErrorData | null {
	if (r.branch(2) === 0) return null;
	const error: RemoteErrorData = {
		code: r.string(),
		type: r.string(),
		message: r.string(),
		traceback: r.string(),
		retryable: r.boolean(),
		causes: [],
	};
	for (let n = r.blockCount(2); n !== 0; n = r.blockCount(2)) {
		for (let i = 0; i < n; i++) error.causes.push({type: r.string(), message: r.string()});
	}
	return error;
}

function readProgress(r: AvroReader): ProgressData | null {
	if (r.branch(2) === 0) return null;
	return {
		current: r.double(),
		total: r.branch(2) === 0 ? null : r.double(),
		message: r.string(),
	};
}

/** A reply from a single-object frame; throws CodecError (with `requestId` once it is known). */
export function decodeReply(buf: Buffer): ReplyEnvelope {
	checkHeader(buf);
	if (!hasFingerprint(buf, REPLY_HEADER)) return replyFromRecord(otherVersion(buf, 'reply', REPLY_HEADER));
	const r = new AvroReader(buf, FRAME_HEADER_LENGTH);
	const id = r.string();
	r.requestId = id;
	const reply: ReplyEnvelope = {
		id,
		status: STATUSES[r.branch(3)]!,
		result: r.bytes(),
		resultSchema: r.string(),
		error: readError(r),
		progress: readProgress(r),
		runner: r.string(),
		timings: {receivedAtMs: r.safeLong(), startedAtMs: r.safeLong(), finishedAtMs: r.safeLong()},
	};
	r.finish();
	return reply;
}

/** A reply read by schema resolution (today's field names) as a ReplyEnvelope of plain objects. */
function replyFromRecord(o: Record<string, unknown>): ReplyEnvelope {
	const e = o.error as RemoteErrorData | null;
	const p = o.progress as ProgressData | null;
	const t = o.timings as ReplyEnvelope['timings'];
	return {
		id: o.id as string,
		status: o.status as ReplyStatus,
		result: o.result as Buffer,
		resultSchema: o.resultSchema as string,
		error: e === null ? null : {
			code: e.code, type: e.type, message: e.message, traceback: e.traceback, retryable: e.retryable,
			causes: e.causes.map((c) => ({type: c.type, message: c.message})),
		},
		progress: p === null ? null : {current: p.current, total: p.total, message: p.message},
		runner: o.runner as string,
		timings: {
			receivedAtMs: safe(t.receivedAtMs, 'reply.timings.receivedAtMs'),
			startedAtMs: safe(t.startedAtMs, 'reply.timings.startedAtMs'),
			finishedAtMs: safe(t.finishedAtMs, 'reply.timings.finishedAtMs'),
		},
	};
}

/** The id of a reply frame, reading nothing else; undefined when `buf` is not a reply frame. */
export function peekReplyId(buf: Buffer): string | undefined {
	if (buf.length < FRAME_HEADER_LENGTH || buf[0] !== 0xc3 || buf[1] !== 0x01) return undefined;
	// Every reply version starts with the id (schemas/versions/index.json).
	if (!hasFingerprint(buf, REPLY_HEADER) && !isKnownVersion('reply', buf.toString('hex', 2, FRAME_HEADER_LENGTH))) {
		return undefined;
	}
	try {
		return new AvroReader(buf, FRAME_HEADER_LENGTH).string();
	} catch {
		return undefined;
	}
}
