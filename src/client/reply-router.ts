import {CodecError, decodeReply, type ReplyEnvelope} from '../codec/index.js';
import type {TypedSchema} from '../contract/typed-codec.js';
import {type ClaimCheck, isByReference} from '../blobs/claim-check.js';
import {BlobUnavailableError, errorFromReply, SchemaNotFoundError, UnsupportedEnvelopeError} from '../errors/index.js';
import {AvroReader} from '../codec/avro-reader.js';
import {callFields, type Logger} from '../logging/logger.js';
import type {RecordHeaders} from '../transport/transport.js';
import type {PendingCall, PendingCalls} from './pending-calls.js';
import {isTypedRef, readGenericResult, readTypedResult, type TypedResults, type WrittenResult} from './result-reading.js';

export type {TypedResults} from './result-reading.js';

/**
 * Turns reply messages into settled promises. Unmatched replies (late after a timeout, duplicates
 * after a runner re-ran a call) are expected under at-least-once delivery: logged at debug only.
 */
export function createReplyRouter(pending: PendingCalls, logger: Logger, typed?: TypedResults, blobs?: ClaimCheck): (value: Buffer, headers?: RecordHeaders) => void {
	const route = createReplyDispatcher(pending, logger, typed, blobs);
	return (value, headers) => {
		let reply: ReplyEnvelope;
		try {
			reply = decodeReply(value);
		} catch (error) {
			logger.warn('reply.undecodable', {
				reason: error instanceof CodecError ? error.reason : 'unknown',
				error: String(error),
				bytes: value.length,
			});
			if (error instanceof CodecError && error.reason === 'unknown-fingerprint') {
				failUnknownVersion(value, error, pending);
			}

			return;
		}

		route(reply, headers);
	};
}

/**
 * A reply of an envelope version this client does not know (a runner newer than the client): every
 * reply version starts with the request id (docs/protocol.md §14), so the call it answers fails now
 * with UnsupportedEnvelopeError instead of waiting for its timeout.
 */
function failUnknownVersion(value: Buffer, error: CodecError, pending: PendingCalls): void {
	let id: string;
	try {
		id = new AvroReader(value, 10).string();
	} catch {
		return;
	}

	const call = pending.take(id);
	call?.reject(new UnsupportedEnvelopeError(id, call.pipeline, {
		code: 'UNSUPPORTED_ENVELOPE',
		type: 'UnsupportedEnvelope',
		message: `the runner's ${error.message}: upgrade this client`,
		traceback: '',
		retryable: false,
		causes: [],
	}, ''));
}

/**
 * The part of the router after decoding: for transports or framings that decode replies themselves.
 * `headers`: the reply record's (the runner's `traceparent`), handed to the call before it settles.
 */
export function createReplyDispatcher(pending: PendingCalls, logger: Logger, typed?: TypedResults, blobs?: ClaimCheck): (reply: ReplyEnvelope, headers?: RecordHeaders) => void {
	const dispatch = (reply: ReplyEnvelope, headers?: RecordHeaders): void => {
		if (isByReference(reply)) {
			routeByReference(reply, headers, pending, logger, blobs, dispatch);
			return;
		}

		if (reply.status === 'PROGRESS') {
			const call = pending.peek(reply.id);
			if (call?.onProgress !== undefined && reply.progress !== null) {
				call.onProgress({
					requestId: reply.id,
					current: reply.progress.current,
					total: reply.progress.total ?? undefined,
					message: reply.progress.message,
				});
			}

			return;
		}

		if (reply.status === 'OK' && isTypedRef(reply.resultSchema, typed)) {
			routeTyped(reply, headers, pending, logger, typed);
			return;
		}

		const call = pending.take(reply.id);
		if (call === undefined) {
			logger.debug('reply.unmatched', {requestId: reply.id, status: reply.status, runner: reply.runner});
			return;
		}

		call.onReply?.(reply, headers);
		if (reply.status === 'ERROR') {
			const details = reply.error ?? {
				code: 'INTERNAL',
				type: 'MissingError',
				message: 'The runner replied ERROR without error details',
				traceback: '',
				retryable: false,
				causes: [],
			};
			call.reject(errorFromReply(call.id, call.pipeline, details, reply.runner));
			return;
		}

		try {
			call.resolve(readGenericResult(written(call, reply)));
		} catch (error) {
			call.reject(error as Error);
		}
	};
	return dispatch;
}

/**
 * A result passed by reference (claim check): fetched and verified while the call stays pending
 * (its deadline and cancellation still apply), then routed as if it had come inline.
 */
function routeByReference(
	reply: ReplyEnvelope,
	headers: RecordHeaders | undefined,
	pending: PendingCalls,
	logger: Logger,
	blobs: ClaimCheck | undefined,
	dispatch: (reply: ReplyEnvelope, headers?: RecordHeaders) => void,
): void {
	const waiting = pending.peek(reply.id);
	if (waiting === undefined) {
		logger.debug('reply.unmatched', {requestId: reply.id, status: reply.status, runner: reply.runner});
		return;
	}

	if (blobs === undefined) {
		const details = {code: 'BLOB_UNAVAILABLE', type: 'BlobStoreUnreachable', message: 'The result came by reference and this client has no `largePayloads` store', traceback: '', retryable: false, causes: []};
		pending.take(reply.id)?.reject(new BlobUnavailableError(reply.id, waiting.pipeline, details, reply.runner));
		return;
	}

	blobs.resolve(reply, waiting.pipeline).then(
		resolved => dispatch(resolved, headers),
		(error: unknown) => pending.take(reply.id)?.reject(error as Error),
	);
}

/**
 * A typed result: read with the writer schema its ref names, resolved to the call's reader schema.
 * An unknown ref waits (bounded) for the catalogue while the call stays pending, so its deadline,
 * cancellation and close() still apply.
 */
function routeTyped(reply: ReplyEnvelope, headers: RecordHeaders | undefined, pending: PendingCalls, logger: Logger, typed: TypedResults): void {
	const writer = typed.schemas.get(reply.resultSchema);
	if (writer !== undefined) {
		const call = pending.take(reply.id);
		if (call === undefined) {
			logger.debug('reply.unmatched', {requestId: reply.id, status: reply.status, runner: reply.runner});
			return;
		}

		settleTyped(call, writer, reply, headers);
		return;
	}

	const waiting = pending.peek(reply.id);
	if (waiting === undefined) {
		logger.debug('reply.unmatched', {requestId: reply.id, status: reply.status, runner: reply.runner});
		return;
	}

	logger.debug('reply.schema_wait', callFields(reply.id, waiting.pipeline, waiting.traceId, {ref: reply.resultSchema}));
	typed.schemas.wait(reply.resultSchema, typed.waitMs).then(
		found => {
			const call = pending.take(reply.id);
			if (call === undefined) {
				return;
			}

			if (found === undefined) {
				call.reject(new SchemaNotFoundError(call.id, call.pipeline, reply.resultSchema, typed.waitMs));
				return;
			}

			settleTyped(call, found, reply, headers);
		},
		(error: unknown) => {
			// The source itself failed (a schema registry that cannot be reached): say so to the call.
			pending.take(reply.id)?.reject(error instanceof Error ? error : new Error(String(error)));
		},
	);
}

function settleTyped(call: PendingCall, writer: TypedSchema, reply: ReplyEnvelope, headers: RecordHeaders | undefined): void {
	call.onReply?.(reply, headers);
	let value: unknown;
	try {
		value = readTypedResult(written(call, reply), writer, call.resultReader);
	} catch (error) {
		call.reject(error as Error);
		return;
	}

	call.resolve(value);
}

function written(call: PendingCall, reply: ReplyEnvelope): WrittenResult {
	return {id: call.id, pipeline: call.pipeline, runner: reply.runner, result: reply.result, resultSchema: reply.resultSchema};
}
