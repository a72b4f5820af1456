import {
	CodecError,
	decodeReply,
	decodeValue,
	type ReplyEnvelope,
	wireSchemas,
} from '../codec/index.js';
import {errorFromReply} from '../errors/index.js';
import {RunnerError} from '../errors/remote-errors.js';
import type {Logger} from '../logging/logger.js';
import type {PendingCalls} from './pending-calls.js';

/**
 * Turns reply messages into settled promises. Unmatched replies (late after a timeout, duplicates
 * after a runner re-ran a call) are expected under at-least-once delivery: logged at debug only.
 */
export function createReplyRouter(pending: PendingCalls, logger: Logger): (value: Buffer) => void {
	return value => {
		let reply: ReplyEnvelope;
		try {
			reply = decodeReply(value);
		} catch (error) {
			logger.warn('reply.undecodable', {
				reason: error instanceof CodecError ? error.reason : 'unknown',
				error: String(error),
				bytes: value.length,
			});
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

		const call = pending.take(reply.id);
		if (call === undefined) {
			logger.debug('reply.unmatched', {requestId: reply.id, status: reply.status, runner: reply.runner});
			return;
		}

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

		if (reply.resultSchema !== wireSchemas.value.ref) {
			call.reject(
				new RunnerError(
					call.id,
					call.pipeline,
					{
						code: 'INTERNAL',
						type: 'UnsupportedResultSchema',
						message: `The result is written with schema ${reply.resultSchema}, which this client cannot read`,
						traceback: '',
						retryable: false,
						causes: [],
					},
					reply.runner,
				),
			);
			return;
		}

		try {
			call.resolve(decodeValue(reply.result));
		} catch (error) {
			call.reject(
				new RunnerError(
					call.id,
					call.pipeline,
					{code: 'INTERNAL', type: 'UndecodableResult', message: String(error), traceback: '', retryable: false, causes: []},
					reply.runner,
				),
			);
		}
	};
}
