/**
 * schemas/vectors/envelope-versions.json: request and reply frames of the other envelope versions
 * (schemas/versions/), written with avsc from each version's schema, and what a reader of today's
 * version reads from them. Also frames of a version nobody knows, for the UNSUPPORTED_ENVELOPE path.
 * Run by scripts/write-vectors.ts (`npm run vectors`).
 */
import {writeFileSync} from 'node:fs';
import {join} from 'node:path';
import avsc from 'avsc';
import type {Schema} from 'avsc';
import {createExactLongType} from '../src/codec/avsc-long.js';
import {fingerprint} from '../src/codec/crc64.js';
import {decodeReply, decodeRequest} from '../src/codec/envelopes.js';
import {encodeVersion, envelopeVersions, type EnvelopeKind} from '../src/codec/envelope-versions.js';
import {frame} from '../src/codec/framing.js';
import {replyToJson, requestToJson} from '../src/codec/vector-format.js';

type Json = Record<string, unknown>;

/** A written record in the vectors' JSON form: `args` / `result` bytes as hex. */
function toJson(kind: EnvelopeKind, record: Json): Json {
	const bytesField = kind === 'request' ? 'args' : 'result';
	return {...record, [bytesField]: (record[bytesField] as Buffer).toString('hex')};
}

const request = {
	id: '6f1d2c3b-0a9e-4f8d-b7c6-5e4d3c2b1a09',
	pipeline: 'train_model',
	args: Buffer.from('0200', 'hex'),
	argsSchema: 'crc64:071d3e746c3ca3bc',
	replyTo: 'mlbridge.replies.client-old',
	deadlineMs: 1764140000000,
	attempt: 1,
	sentAtMs: 1764139970000,
};
const timings = {receivedAtMs: 1764139970003, startedAtMs: 1764139970004, finishedAtMs: 1764139970250};
const okReply = {id: request.id, status: 'OK', result: Buffer.from('0a', 'hex'), resultSchema: 'crc64:071d3e746c3ca3bc', error: null, runner: 'host-a/4242/1', timings};

const written: [string, EnvelopeKind, number, Json][] = [
	['request v0 (older: no headers)', 'request', 0, request],
	['request v2 (newer: priority)', 'request', 2, {...request, replyTo: 'mlbridge.replies.client-new', headers: {'idempotency-key': 'k-9'}, priority: 5}],
	['reply v0 (older: no progress), OK', 'reply', 0, okReply],
	[
		'reply v0 (older: no progress), ERROR with a cause',
		'reply',
		0,
		{
			...okReply, status: 'ERROR', result: Buffer.alloc(0), resultSchema: '',
			error: {code: 'PIPELINE_ERROR', type: 'ValueError', message: 'bad', traceback: '', retryable: false, causes: [{type: 'KeyError', message: "'x'"}]},
		},
	],
	[
		'reply v2 (newer: warnings), PROGRESS',
		'reply',
		2,
		{...okReply, status: 'PROGRESS', result: Buffer.alloc(0), resultSchema: '', progress: {current: 1, total: 4, message: 'epoch 1/4'}, warnings: ['slow disk']},
	],
];

/** A request version no reader knows: version 2 plus one more defaulted field. */
function unknownRequestSchema(): Schema {
	const v2 = envelopeVersions.request.versions.find((v) => v.version === 2)!.schema as {fields: unknown[]};
	return {...v2, doc: 'A version no reader knows', fields: [...v2.fields, {name: 'region', type: 'string', default: ''}]} as Schema;
}

/** Cases, then the count written. */
export function writeEnvelopeVersionVectors(dir: string): number {
	const cases = written.map(([name, kind, version, record]) => {
		const hex = encodeVersion(kind, version, record);
		const value = kind === 'request' ? requestToJson(decodeRequest(hex)) : replyToJson(decodeReply(hex));
		const fp = envelopeVersions[kind].versions.find((v) => v.version === version)!.fingerprintHex;
		return {name, schema: kind, version, fingerprint: fp, written: toJson(kind, record), hex: hex.toString('hex'), value};
	});
	const unknownType = avsc.Type.forSchema(unknownRequestSchema(), {registry: {long: createExactLongType()}});
	const unknownFp = fingerprint(JSON.stringify(unknownType.schema()));
	const body = unknownType.toBuffer({...request, id: 'unknown-1', replyTo: 'mlbridge.replies.client-future', headers: {}, priority: 0, region: 'eu'});
	const unknown = [
		{
			name: 'request of an unknown version, address readable',
			schema: 'request',
			fingerprint: unknownFp.toString('hex'),
			hex: frame(unknownFp, body).toString('hex'),
			address: {id: 'unknown-1', pipeline: request.pipeline, replyTo: 'mlbridge.replies.client-future'},
		},
		{
			name: 'request of an unknown version, body ends inside the address',
			schema: 'request',
			fingerprint: unknownFp.toString('hex'),
			hex: frame(unknownFp, body.subarray(0, 20)).toString('hex'),
			address: null,
		},
	];
	const file = {writer: 'ts', cases, unknown};
	writeFileSync(join(dir, 'envelope-versions.json'), `${JSON.stringify(file, null, 1)}\n`);
	return cases.length + unknown.length;
}
