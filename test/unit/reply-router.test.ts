import assert from 'node:assert/strict';
import {test} from 'node:test';
import {PendingCalls, type PendingCall} from '../../src/client/pending-calls.js';
import {createReplyRouter} from '../../src/client/reply-router.js';
import {encodeReply} from '../../src/codec/index.js';
import {createLogger, UnsupportedEnvelopeError} from '../../src/index.js';
import {okReply} from '../helpers/fake-transport.js';

function call(id: string, outcome: unknown[]): PendingCall {
	return {
		id,
		pipeline: 'train',
		timeoutMs: 10_000,
		resolve: value => outcome.push(value),
		reject: error => outcome.push(error),
		onProgress: undefined,
		detach: () => undefined,
		wheelHandle: undefined,
	};
}

/** A reply frame of a version no reader knows: C3 01, an unknown fingerprint, then the id as every version starts. */
function unknownVersionReply(id: string): Buffer {
	const idBytes = Buffer.from(id, 'utf8');
	return Buffer.concat([Buffer.from([0xc3, 0x01]), Buffer.from('0123456789abcdef', 'hex'), Buffer.from([idBytes.length * 2]), idBytes, Buffer.from([0, 7, 7])]);
}

test('a reply of an unknown envelope version fails its call at once with UnsupportedEnvelopeError', () => {
	const outcome: unknown[] = [];
	const pending = new PendingCalls(() => undefined);
	pending.add(call('req-1', outcome), undefined);
	const route = createReplyRouter(pending, createLogger('silent'));
	route(unknownVersionReply('req-1'));
	assert.equal(pending.size, 0);
	const error = outcome[0];
	assert.ok(error instanceof UnsupportedEnvelopeError);
	assert.equal(error.requestId, 'req-1');
	assert.equal(error.pipeline, 'train');
	assert.equal(error.fingerprint, '0123456789abcdef');
	assert.ok(error.knownVersions.length >= 1, error.message);
	assert.match(error.message, /upgrade this client/);
});

test('an unknown-version reply for no pending call, and a garbled frame, settle nothing', () => {
	const outcome: unknown[] = [];
	const pending = new PendingCalls(() => undefined);
	pending.add(call('mine', outcome), undefined);
	const route = createReplyRouter(pending, createLogger('silent'));
	route(unknownVersionReply('someone-else'));
	route(Buffer.from([0xc3, 0x01, 1, 2]));
	route(Buffer.from('not a frame'));
	assert.equal(pending.size, 1);
	assert.deepEqual(outcome, []);
	route(encodeReply({id: 'mine', ...okReply(42)}));
	assert.equal(pending.size, 0);
});
