/**
 * Envelope versions (schemas/versions/) on the client side: the index against the schema files,
 * schemas/vectors/envelope-versions.json read by resolution through the public decoders, unknown
 * versions refused naming what is known, and UNSUPPORTED_ENVELOPE rebuilt as its own error.
 */
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {test} from 'node:test';
import {CodecError, decodeReply, decodeRequest, encodeReply, encodeRequest, peekReplyId, wireSchemas} from '../../src/codec/index.js';
import {encodeVersion, envelopeVersions} from '../../src/codec/envelope-versions.js';
import {replyFromJson, type ReplyJson, requestFromJson, type RequestJson} from '../../src/codec/vector-format.js';
import {errorFromReply, UnsupportedEnvelopeError} from '../../src/errors/index.js';

type VersionCase = {name: string; schema: 'request' | 'reply'; version: number; fingerprint: string; written: Record<string, unknown>; hex: string; value: RequestJson | ReplyJson};
type UnknownCase = {name: string; schema: 'request'; fingerprint: string; hex: string; address: {id: string; pipeline: string; replyTo: string} | null};
const vectors = JSON.parse(readFileSync('schemas/vectors/envelope-versions.json', 'utf8')) as {cases: VersionCase[]; unknown: UnknownCase[]};
const index = JSON.parse(readFileSync('schemas/versions/index.json', 'utf8')) as Record<'request' | 'reply', {current: number; versions: {version: number; file: string; fingerprint: string}[]}>;

test('index.json: each version\'s fingerprint is its file\'s, and the current one is request.avsc / reply.avsc', () => {
	for (const kind of ['request', 'reply'] as const) {
		const set = envelopeVersions[kind];
		assert.deepEqual(set.versions.map((v) => [v.version, v.fingerprintHex]), index[kind].versions.map((v) => [v.version, v.fingerprint]));
		assert.equal(set.current.fingerprintHex, wireSchemas[kind].fingerprintHex);
		assert.equal(set.current.version, index[kind].current);
		assert.equal(new Set(set.versions.map((v) => v.fingerprintHex)).size, set.versions.length, 'fingerprints are distinct');
	}
});

test('envelope-versions.json: older and newer frames read as today\'s envelope; written records encode to the bytes', () => {
	assert.ok(vectors.cases.some((c) => c.version < envelopeVersions[c.schema].current.version), 'an older version');
	assert.ok(vectors.cases.some((c) => c.version > envelopeVersions[c.schema].current.version), 'a newer version');
	for (const c of vectors.cases) {
		const bytes = Buffer.from(c.hex, 'hex');
		assert.equal(bytes.toString('hex', 2, 10), c.fingerprint, c.name);
		const bytesField = c.schema === 'request' ? 'args' : 'result';
		const written = {...c.written, [bytesField]: Buffer.from(c.written[bytesField] as string, 'hex')};
		assert.equal(encodeVersion(c.schema, c.version, written).toString('hex'), c.hex, c.name);
		if (c.schema === 'request') {
			const read = decodeRequest(bytes);
			assert.deepEqual(read, requestFromJson(c.value as RequestJson), c.name);
			// Re-encoded, it is today's frame: what a runner answering it reads.
			assert.deepEqual(decodeRequest(encodeRequest(read)), read);
		} else {
			const read = decodeReply(bytes);
			assert.deepEqual(read, replyFromJson(c.value as ReplyJson), c.name);
			assert.equal(peekReplyId(bytes), read.id, c.name);
			assert.deepEqual(decodeReply(encodeReply(read)), read);
		}
		// Fields the writer had keep their values; fields it lacked take the reader's defaults.
		for (const [field, v] of Object.entries(c.value)) {
			if (field in c.written) assert.deepEqual(v, c.written[field], `${c.name}: ${field}`);
		}
	}
	const v0 = vectors.cases.find((c) => c.schema === 'request' && c.version === 0)!;
	assert.deepEqual((v0.value as RequestJson).headers, {}, 'headers default');
	const v2 = vectors.cases.find((c) => c.schema === 'request' && c.version === 2)!;
	assert.ok(!('priority' in v2.value), 'a field today\'s version lacks is skipped');
});

test('an unknown version is refused naming its fingerprint and every known version', () => {
	for (const c of vectors.unknown) {
		assert.throws(() => decodeRequest(Buffer.from(c.hex, 'hex')), (error: unknown) => {
			assert.ok(error instanceof CodecError);
			assert.equal(error.reason, 'unknown-fingerprint');
			assert.match(error.message, new RegExp(c.fingerprint));
			for (const v of envelopeVersions.request.versions) assert.match(error.message, new RegExp(`v${v.version} ${v.fingerprintHex}`));
			return true;
		}, c.name);
	}
	// A reply frame is no request of any version, and says so.
	const reply = Buffer.from(vectors.cases.find((c) => c.schema === 'reply' && c.version === 1)?.hex ?? encodeVersion('reply', 1, {
		id: 'x', status: 'OK', result: Buffer.alloc(0), resultSchema: '', error: null, progress: null, runner: 'r', timings: {receivedAtMs: 0, startedAtMs: 0, finishedAtMs: 0},
	}).toString('hex'), 'hex');
	assert.throws(() => decodeRequest(reply), /which is the reply schema/);
});

test('UNSUPPORTED_ENVELOPE becomes UnsupportedEnvelopeError with the fingerprint and the runner\'s versions', () => {
	const message =
		"the request's envelope version is unknown to this runner: request envelope fingerprint 1b5d3c7b539c9c89 is not a version this reader knows " +
		'(it reads v0 c2a8c5d36098a0f2, v1 c6bdd8d6a1a66e41 (current), v2 b35779aad0776def); schemas/versions/index.json lists the published versions';
	const error = errorFromReply('req-9', 'p', {code: 'UNSUPPORTED_ENVELOPE', type: 'mlbridge_runner.codec.envelope_versions.UnsupportedEnvelope', message, traceback: '', retryable: false, causes: []}, 'r');
	assert.ok(error instanceof UnsupportedEnvelopeError);
	assert.equal(error.requestId, 'req-9');
	assert.equal(error.fingerprint, '1b5d3c7b539c9c89');
	assert.equal(error.runnerVersion, 1);
	assert.deepEqual(error.knownVersions, [
		{version: 0, fingerprint: 'c2a8c5d36098a0f2'},
		{version: 1, fingerprint: 'c6bdd8d6a1a66e41'},
		{version: 2, fingerprint: 'b35779aad0776def'},
	]);
	const bare = errorFromReply('req-9', 'p', {code: 'UNSUPPORTED_ENVELOPE', type: 'T', message: 'no details', traceback: '', retryable: false, causes: []}, 'r');
	assert.ok(bare instanceof UnsupportedEnvelopeError);
	assert.equal(bare.fingerprint, '');
	assert.deepEqual(bare.knownVersions, []);
});
