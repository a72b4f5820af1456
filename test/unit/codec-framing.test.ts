import assert from 'node:assert/strict';
import {test} from 'node:test';
import {
	CodecError,
	decodeReply,
	decodeRequest,
	decodeValue,
	encodeReply,
	encodeRequest,
	encodeValue,
	frame,
	type ReplyEnvelope,
	type RequestEnvelope,
	unframe,
	wireSchemas,
} from '../../src/codec/index.js';

const request: RequestEnvelope = {
	id: 'req-1',
	pipeline: 'train_model',
	args: encodeValue({dataset: 'cpu', epochs: 5}),
	argsSchema: wireSchemas.value.ref,
	replyTo: 'replies.c1',
	deadlineMs: 1764140000000,
	attempt: 1,
	sentAtMs: 1764139970000,
	headers: {traceparent: '00-abc-def-01'},
};

const reply: ReplyEnvelope = {
	id: 'req-1',
	status: 'ERROR',
	result: Buffer.alloc(0),
	resultSchema: '',
	error: {code: 'PIPELINE_ERROR', type: 'ValueError', message: 'bad', traceback: 'tb', retryable: false, causes: [{type: 'KeyError', message: 'k'}]},
	progress: {current: 1, total: null, message: 'm'},
	runner: 'h/1/1',
	timings: {receivedAtMs: 1, startedAtMs: 2, finishedAtMs: 3},
};

function assertCodecError(fn: () => unknown, reason: string, extra?: (error: CodecError) => void): void {
	assert.throws(fn, (error: unknown) => {
		assert.ok(error instanceof CodecError, String(error));
		assert.equal(error.reason, reason, error.message);
		assert.equal(error.code, 'CODEC_ERROR');
		extra?.(error);
		return true;
	});
}

test('frame and unframe: C3 01, 8 fingerprint bytes, body; unframe gives views', () => {
	const body = Buffer.from([1, 2, 3]);
	const framed = frame(wireSchemas.value.fingerprint, body);
	assert.equal(framed.toString('hex'), `c301${wireSchemas.value.fingerprintHex}010203`);
	const {fingerprint, body: out} = unframe(framed);
	assert.deepEqual(fingerprint, wireSchemas.value.fingerprint);
	assert.deepEqual(out, body);
	assert.equal(out.buffer, framed.buffer);
	assert.deepEqual(unframe(frame(wireSchemas.reply.fingerprint, Buffer.alloc(0))).body, Buffer.alloc(0));
	assert.throws(() => frame(Buffer.alloc(7), body), TypeError);
});

test('too-short: anything under 10 bytes', () => {
	const full = encodeRequest(request);
	for (let n = 0; n < 10; n++) {
		const cut = full.subarray(0, n);
		assertCodecError(() => unframe(cut), 'too-short');
		assertCodecError(() => decodeRequest(cut), 'too-short');
		assertCodecError(() => decodeReply(cut), 'too-short');
	}
});

test('bad-magic: not C3 01', () => {
	for (const start of ['c300', '00c3', '0001', 'c401', '7b22']) {
		const buf = Buffer.concat([Buffer.from(start, 'hex'), Buffer.alloc(12)]);
		assertCodecError(() => unframe(buf), 'bad-magic', (e) => assert.match(e.message, new RegExp(start)));
		assertCodecError(() => decodeRequest(buf), 'bad-magic');
		assertCodecError(() => decodeReply(buf), 'bad-magic');
	}
	// A Confluent schema-registry frame (magic 0 + schema id) is not single-object framing.
	assertCodecError(() => decodeReply(Buffer.from('00000000010200000000ff', 'hex')), 'bad-magic');
});

test('unknown-fingerprint: another schema, or none we know', () => {
	assertCodecError(
		() => decodeRequest(encodeReply(reply)),
		'unknown-fingerprint',
		(e) => assert.match(e.message, /reply schema/),
	);
	assertCodecError(
		() => decodeReply(encodeRequest(request)),
		'unknown-fingerprint',
		(e) => assert.match(e.message, /request schema/),
	);
	const valueFrame = frame(wireSchemas.value.fingerprint, encodeValue(1));
	assertCodecError(() => decodeReply(valueFrame), 'unknown-fingerprint', (e) => assert.match(e.message, /value schema/));
	const stranger = Buffer.from(encodeRequest(request));
	stranger[9] = stranger[9]! ^ 0xff;
	assertCodecError(
		() => decodeRequest(stranger),
		'unknown-fingerprint',
		(e) => assert.doesNotMatch(e.message, /which is/),
	);
});

test('malformed-body: every truncation after the header; requestId once the id was read', () => {
	const framed = encodeRequest(request);
	const idEnd = 10 + 1 + request.id.length;
	for (let n = 10; n < framed.length; n++) {
		assertCodecError(
			() => decodeRequest(framed.subarray(0, n)),
			'malformed-body',
			(e) => assert.equal(e.requestId, n >= idEnd ? 'req-1' : undefined),
		);
	}
	const framedReply = encodeReply(reply);
	for (let n = 10; n < framedReply.length; n++) {
		assertCodecError(() => decodeReply(framedReply.subarray(0, n)), 'malformed-body');
	}
});

test('trailing-bytes: anything after a complete body', () => {
	assertCodecError(
		() => decodeRequest(Buffer.concat([encodeRequest(request), Buffer.from([0])])),
		'trailing-bytes',
		(e) => assert.equal(e.requestId, 'req-1'),
	);
	assertCodecError(() => decodeReply(Buffer.concat([encodeReply(reply), Buffer.from('ff', 'hex')])), 'trailing-bytes');
	assertCodecError(() => decodeValue(Buffer.from('0000', 'hex')), 'trailing-bytes');
});

function random(seed: number): () => number {
	return () => {
		seed = (seed + 0x6d2b79f5) | 0;
		let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

test('mutated frames either decode or throw CodecError, never anything else', () => {
	const rnd = random(99);
	const originals = [
		encodeRequest(request),
		encodeReply(reply),
		encodeReply({...reply, status: 'OK', error: null, progress: null, result: encodeValue([1, 'x', {a: null}])}),
	];
	let decoded = 0;
	for (let i = 0; i < 3000; i++) {
		const original = originals[i % originals.length]!;
		const buf = Buffer.from(original);
		const flips = 1 + Math.floor(rnd() * 3);
		for (let f = 0; f < flips; f++) {
			const at = 10 + Math.floor(rnd() * (buf.length - 10));
			buf[at] = rnd() < 0.5 ? Math.floor(rnd() * 256) : buf[at]! ^ (1 << Math.floor(rnd() * 8));
		}
		try {
			if (i % originals.length === 0) decodeRequest(buf);
			else {
				const r = decodeReply(buf);
				if (r.result.length > 0) decodeValue(r.result);
			}
			decoded++;
		} catch (error) {
			assert.ok(error instanceof CodecError, `${String(error)} for ${buf.toString('hex')}`);
		}
	}
	assert.ok(decoded > 0);
});
