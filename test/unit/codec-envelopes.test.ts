import assert from 'node:assert/strict';
import {test} from 'node:test';
import {
	CodecError,
	decodeReply,
	decodeRequest,
	encodeReply,
	encodeRequest,
	encodeValue,
	frame,
	peekReplyId,
	type ReplyEnvelope,
	type RequestEnvelope,
	ValueEncodingError,
	wireSchemas,
} from '../../src/codec/index.js';

const request: RequestEnvelope = {
	id: '0b7e6a8c-5f8e-4c1d-9a51-2f0e4c8d9b11',
	pipeline: 'train_model',
	args: encodeValue({dataset: 'cpu-metrics', epochs: 5}, 'args'),
	argsSchema: wireSchemas.value.ref,
	replyTo: 'mlbridge.replies.client-7f3a',
	deadlineMs: 1764140000000,
	attempt: 1,
	sentAtMs: 1764139970000,
	headers: {traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', 'idempotency-key': 'k-42'},
};

const timings = {receivedAtMs: 1764139970003, startedAtMs: 1764139970004, finishedAtMs: 1764139970250};

const replies: ReplyEnvelope[] = [
	{
		id: request.id,
		status: 'OK',
		result: encodeValue({accuracy: 0.93}),
		resultSchema: wireSchemas.value.ref,
		error: null,
		progress: null,
		runner: 'host-a/4242/1',
		timings,
	},
	{
		id: request.id,
		status: 'ERROR',
		result: Buffer.alloc(0),
		resultSchema: '',
		error: {
			code: 'PIPELINE_ERROR',
			type: 'ValueError',
			message: 'epochs must be positive — ü',
			traceback: 'Traceback (most recent call last):\n  ...\nValueError\n',
			retryable: true,
			causes: [
				{type: 'KeyError', message: "'epochs'"},
				{type: 'TypeError', message: 'x'},
			],
		},
		progress: null,
		runner: 'host-a/4242/1',
		timings,
	},
	{
		id: request.id,
		status: 'PROGRESS',
		result: Buffer.alloc(0),
		resultSchema: '',
		error: null,
		progress: {current: 3, total: 5, message: 'epoch 3/5'},
		runner: 'r',
		timings,
	},
	{
		id: 'x',
		status: 'PROGRESS',
		result: Buffer.alloc(0),
		resultSchema: '',
		error: {code: 'INTERNAL', type: '', message: '', traceback: '', retryable: false, causes: []},
		progress: {current: Number.NaN, total: null, message: ''},
		runner: '',
		timings: {receivedAtMs: 0, startedAtMs: 0, finishedAtMs: Number.MAX_SAFE_INTEGER},
	},
];

const requests: RequestEnvelope[] = [
	request,
	{...request, id: '', pipeline: '', args: Buffer.alloc(0), argsSchema: 'registry:17', replyTo: '', deadlineMs: 0, attempt: 0, sentAtMs: 0, headers: {}},
	{...request, attempt: 2147483647, deadlineMs: Number.MAX_SAFE_INTEGER, headers: {'ключ': 'значение 😀', '': ''}},
	{...request, attempt: -2147483648, deadlineMs: -1},
	{...request, args: Buffer.alloc(100_000, 3), headers: Object.fromEntries(Array.from({length: 100}, (_, i) => [`h${i}`, 'v'.repeat(i)]))},
];

test('requests round trip', () => {
	for (const r of requests) assert.deepEqual(decodeRequest(encodeRequest(r)), r);
});

test('replies round trip', () => {
	for (const r of replies) assert.deepEqual(decodeReply(encodeReply(r)), r);
});

test('envelopes are byte-identical to avsc\'s, and read avsc\'s bytes', () => {
	for (const r of requests) {
		const avscBody = wireSchemas.request.type.toBuffer(r);
		assert.deepEqual(encodeRequest(r), frame(wireSchemas.request.fingerprint, avscBody));
		assert.deepEqual(decodeRequest(frame(wireSchemas.request.fingerprint, avscBody)), r);
		assert.deepEqual({...(wireSchemas.request.type.fromBuffer(encodeRequest(r).subarray(10)) as object)}, {...r});
	}
	for (const r of replies) {
		const avscBody = wireSchemas.reply.type.toBuffer(r);
		assert.deepEqual(encodeReply(r), frame(wireSchemas.reply.fingerprint, avscBody));
		assert.deepEqual(decodeReply(frame(wireSchemas.reply.fingerprint, avscBody)), r);
	}
});

test('a "__proto__" header is data', () => {
	const headers = JSON.parse('{"__proto__": "x", "a": "b"}') as Record<string, string>;
	const decoded = decodeRequest(encodeRequest({...request, headers}));
	assert.equal(Object.getPrototypeOf(decoded.headers), Object.prototype);
	assert.deepEqual(Object.keys(decoded.headers), ['__proto__', 'a']);
	assert.equal(Object.getOwnPropertyDescriptor(decoded.headers, '__proto__')?.value, 'x');
});

test('encoding refuses ill-typed fields, naming the field', () => {
	const bad: Array<[() => unknown, string]> = [
		[() => encodeRequest({...request, id: 5 as unknown as string}), 'request.id'],
		[() => encodeRequest({...request, args: 'x' as unknown as Buffer}), 'request.args'],
		[() => encodeRequest({...request, deadlineMs: 1.5}), 'request.deadlineMs'],
		[() => encodeRequest({...request, deadlineMs: 2 ** 53}), 'request.deadlineMs'],
		[() => encodeRequest({...request, sentAtMs: Number.NaN}), 'request.sentAtMs'],
		[() => encodeRequest({...request, attempt: 2 ** 31}), 'request.attempt'],
		[() => encodeRequest({...request, attempt: 1.5}), 'request.attempt'],
		[() => encodeRequest({...request, headers: {a: 1 as unknown as string}}), 'request.headers["a"]'],
		[() => encodeRequest({...request, headers: null as unknown as Record<string, string>}), 'request.headers'],
		[() => encodeRequest({...request, pipeline: 'p\ud800'}), 'request.pipeline'],
		[() => encodeRequest({...request, headers: {['\udc00']: 'v'}}), 'request.headers["\\udc00"]'],
		[() => encodeReply({...replies[0]!, status: 'DONE' as 'OK'}), 'reply.status'],
		[() => encodeReply({...replies[0]!, timings: {...timings, finishedAtMs: -0.5}}), 'reply.timings.finishedAtMs'],
		[() => encodeReply({...replies[2]!, progress: {current: '1' as unknown as number, total: null, message: ''}}), 'reply.progress.current'],
		[() => encodeReply({...replies[1]!, error: {...replies[1]!.error!, causes: {} as []}}), 'reply.error.causes'],
		[() => encodeReply({...replies[1]!, error: {...replies[1]!.error!, causes: [{type: 'T', message: 3 as unknown as string}]}}), 'reply.error.causes[0].message'],
		[() => encodeReply({...replies[1]!, error: {...replies[1]!.error!, retryable: 'no' as unknown as boolean}}), 'reply.error.retryable'],
	];
	for (const [fn, path] of bad) {
		assert.throws(fn, (error: unknown) => {
			assert.ok(error instanceof ValueEncodingError, String(error));
			assert.equal(error.path, path);
			return true;
		}, path);
	}
	// The codec stays usable after a refusal.
	assert.deepEqual(decodeRequest(encodeRequest(request)), request);
});

/** A request frame whose body is written by avsc's own long, for values our encoder refuses. */
function rawRequest(overrides: Record<string, unknown>): Buffer {
	return frame(wireSchemas.request.fingerprint, wireSchemas.request.type.toBuffer({...request, ...overrides}));
}

test('decoding refuses longs beyond 2^53 and ints beyond int32, with the request id', () => {
	for (const overrides of [{deadlineMs: 2n ** 53n + 1n}, {sentAtMs: -(2n ** 60n)}]) {
		assert.throws(
			() => decodeRequest(rawRequest(overrides)),
			(error: unknown) =>
				error instanceof CodecError && error.reason === 'malformed-body' && error.requestId === request.id,
		);
	}
	// attempt is an Avro int: a long-sized varint there is malformed.
	const body = wireSchemas.request.type.toBuffer(request);
	const at = body.indexOf(Buffer.from([0x02]), 1 + 36 + 1 + 11);
	assert.ok(at > 0);
	const bigAttempt = Buffer.concat([body.subarray(0, at), Buffer.from('8080808010', 'hex'), body.subarray(at + 1)]);
	assert.deepEqual(wireSchemas.request.type.fromBuffer(body).attempt, 1);
	assert.throws(() => decodeRequest(frame(wireSchemas.request.fingerprint, bigAttempt)), /int 2147483648 out of range/);
});

test('decoding refuses an unknown status and bad union branches', () => {
	const body = wireSchemas.reply.type.toBuffer(replies[0]);
	const idLength = 1 + replies[0]!.id.length;
	const withStatus = (b: number): Buffer => {
		const copy = Buffer.from(body);
		copy[idLength] = b;
		return frame(wireSchemas.reply.fingerprint, copy);
	};
	assert.equal(decodeReply(withStatus(4)).status, 'PROGRESS');
	assert.throws(() => decodeReply(withStatus(6)), /union branch 3 of 3/);
	assert.throws(() => decodeReply(withStatus(1)), /union branch -1 of 3/);
});

test('peekReplyId reads only the id', () => {
	const framed = encodeReply(replies[1]!);
	assert.equal(peekReplyId(framed), request.id);
	// The rest may be garbage: peek does not look.
	assert.equal(peekReplyId(Buffer.concat([framed.subarray(0, 12 + request.id.length), Buffer.from('ffff', 'hex')])), request.id);
	assert.equal(peekReplyId(encodeRequest(request)), undefined);
	assert.equal(peekReplyId(framed.subarray(0, 15)), undefined);
	assert.equal(peekReplyId(Buffer.alloc(3)), undefined);
	assert.equal(peekReplyId(Buffer.from('hello world, not avro')), undefined);
});

test('encoded frames are independent buffers', () => {
	const a = encodeRequest(request);
	const b = encodeRequest({...request, id: 'other'});
	assert.equal(decodeRequest(a).id, request.id);
	assert.equal(decodeRequest(b).id, 'other');
	const decoded = decodeRequest(a);
	a.fill(0);
	assert.deepEqual(decoded.args, request.args);
});
