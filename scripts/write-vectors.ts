/**
 * Writes schemas/vectors/fingerprints.json and schemas/vectors/ts-written.json (format in
 * schemas/vectors/README.md). Run with `npm run vectors`; commit the output.
 */
import {writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {
	encodeReply,
	encodeRequest,
	encodeValue,
	frame,
	type ReplyEnvelope,
	type RequestEnvelope,
	schemaDir,
	type WireValue,
	wireSchemas,
} from '../src/codec/index.js';
import {replyToJson, requestToJson, toTagged} from '../src/codec/vector-format.js';
import {writeDataVectors} from './data-vectors.js';
import {writeEnvelopeVersionVectors} from './envelope-version-vectors.js';

interface Case {
	name: string;
	schema: 'value' | 'request' | 'reply';
	value: unknown;
	hex: string;
}

function nested(depth: number): WireValue {
	let v: WireValue = 'bottom';
	for (let i = depth; i > 0; i--) v = i % 2 === 0 ? [v] : {[`level${i}`]: v};
	return v;
}

const values: [string, WireValue][] = [
	['null', null],
	['true', true],
	['false', false],
	['long 0', 0],
	['long -1', -1],
	['long 1', 1],
	['long 63 (last 1-byte varint)', 63],
	['long 64 (first 2-byte varint)', 64],
	['long -65', -65],
	['long 2^31', 2 ** 31],
	['long epoch ms', 1764139970123],
	['long 2^53-1 (max safe)', Number.MAX_SAFE_INTEGER],
	['long -(2^53-1) (min safe)', Number.MIN_SAFE_INTEGER],
	['long 2^53+1 (bigint)', 2n ** 53n + 1n],
	['long int64 min', -(2n ** 63n)],
	['long int64 max', 2n ** 63n - 1n],
	['double 1.5', 1.5],
	['double -0.1', -0.1],
	['double 2^53 (a number beyond the safe range)', 2 ** 53],
	['double 1e300', 1e300],
	['double 5e-324 (smallest subnormal)', 5e-324],
	['double NaN', NaN],
	['double Infinity', Infinity],
	['double -Infinity', -Infinity],
	['string empty', ''],
	['string ascii', 'cpu-metrics'],
	['string unicode', 'héllo wörld — ñ, 😀🚀, 日本語, 한국어, Ελληνικά'],
	['string 300 chars (2-byte length)', 'abcdefghij'.repeat(30)],
	['bytes empty', Buffer.alloc(0)],
	['bytes binary', Buffer.from([0x00, 0xff, 0x80, 0x7f, 0xc3, 0x01, 0x0a, 0x00])],
	['array empty', []],
	['map empty', {}],
	['array of 100 longs (2-byte count)', Array.from({length: 100}, (_, i) => i * 1000)],
	['array mixed', [null, true, 7, 2.5, 's', Buffer.from([1, 2]), [], {}]],
	['map key order (not sorted)', {zeta: 1, alpha: 2, mid: 3, Beta: 4}],
	['map unusual keys', {'': 'empty key', 'with space': 1, 'ключ': 2, ['__proto__']: 3, 'a.b': 4}],
	[
		'nested mixed',
		{
			dataset: 'cpu-metrics',
			epochs: 5,
			learningRate: 0.001,
			layers: [{units: 64, activation: 'relu'}, {units: 1, activation: null}],
			weights: Buffer.from('0000803f', 'hex'),
			big: 2n ** 62n,
			flags: {shuffle: true, verbose: false},
			matrix: [
				[1, 2],
				[3.5, NaN],
			],
		},
	],
	['40-deep nesting', nested(40)],
];

const request: RequestEnvelope = {
	id: '0b7e6a8c-5f8e-4c1d-9a51-2f0e4c8d9b11',
	pipeline: 'train_model',
	args: encodeValue({dataset: 'cpu-metrics', epochs: 5}, 'args'),
	argsSchema: wireSchemas.value.ref,
	replyTo: 'mlbridge.replies.client-7f3a',
	deadlineMs: 1764140000000,
	attempt: 1,
	sentAtMs: 1764139970000,
	headers: {
		traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
		tracestate: 'vendor=opaque',
		'idempotency-key': 'k-42',
	},
};

const requests: [string, RequestEnvelope][] = [
	['request with headers', request],
	[
		'request retry, no deadline, no headers, registry args',
		{...request, id: 'r-2', deadlineMs: 0, attempt: 3, argsSchema: 'registry:17', args: Buffer.alloc(0), headers: {}},
	],
];

const timings = {receivedAtMs: 1764139970003, startedAtMs: 1764139970004, finishedAtMs: 1764139970250};
const replies: [string, ReplyEnvelope][] = [
	[
		'reply OK with a result',
		{
			id: request.id,
			status: 'OK',
			result: encodeValue({accuracy: 0.93, model: 'm-17', epochs: 5}, 'result'),
			resultSchema: wireSchemas.value.ref,
			error: null,
			progress: null,
			runner: 'host-a/4242/1',
			timings,
		},
	],
	[
		'reply ERROR with causes',
		{
			id: request.id,
			status: 'ERROR',
			result: Buffer.alloc(0),
			resultSchema: '',
			error: {
				code: 'PIPELINE_ERROR',
				type: 'ValueError',
				message: 'epochs must be positive',
				traceback: 'Traceback (most recent call last):\n  File "pipelines.py", line 9, in train_model\nValueError: epochs must be positive\n',
				retryable: false,
				causes: [
					{type: 'KeyError', message: "'epochs'"},
					{type: 'TypeError', message: "unsupported operand type(s) for +: 'int' and 'str'"},
				],
			},
			progress: null,
			runner: 'host-a/4242/1',
			timings,
		},
	],
	[
		'reply PROGRESS with total',
		{
			id: request.id,
			status: 'PROGRESS',
			result: Buffer.alloc(0),
			resultSchema: '',
			error: null,
			progress: {current: 3, total: 5, message: 'epoch 3/5'},
			runner: 'host-a/4242/1',
			timings,
		},
	],
	[
		'reply PROGRESS without total',
		{
			id: request.id,
			status: 'PROGRESS',
			result: Buffer.alloc(0),
			resultSchema: '',
			error: null,
			progress: {current: 0.25, total: null, message: 'loading'},
			runner: 'host-a/4242/1',
			timings,
		},
	],
];

const cases: Case[] = [
	...values.map(([name, v]): Case => ({
		name,
		schema: 'value',
		value: toTagged(v),
		hex: frame(wireSchemas.value.fingerprint, encodeValue(v)).toString('hex'),
	})),
	...requests.map(([name, r]): Case => ({name, schema: 'request', value: requestToJson(r), hex: encodeRequest(r).toString('hex')})),
	...replies.map(([name, r]): Case => ({name, schema: 'reply', value: replyToJson(r), hex: encodeReply(r).toString('hex')})),
];

const dir = join(schemaDir, 'vectors');
const fingerprints = {
	value: wireSchemas.value.fingerprintHex,
	request: wireSchemas.request.fingerprintHex,
	reply: wireSchemas.reply.fingerprintHex,
	catalog: wireSchemas.catalog.fingerprintHex,
	job: wireSchemas.job.fingerprintHex,
	presence: wireSchemas.presence.fingerprintHex,
};
writeFileSync(join(dir, 'fingerprints.json'), `${JSON.stringify(fingerprints, null, 2)}\n`);
writeFileSync(
	join(dir, 'ts-written.json'),
	`{"writer": "ts", "cases": [\n${cases.map((c) => `  ${JSON.stringify(c)}`).join(',\n')}\n]}\n`,
);
console.log(`wrote ${cases.length} cases and ${Object.keys(fingerprints).length} fingerprints to ${dir}`);
console.log(`wrote ${writeEnvelopeVersionVectors(dir)} envelope version cases to ${join(dir, 'envelope-versions.json')}`);
console.log(`wrote ${await writeDataVectors(dir)} tensor and table cases to ${join(dir, 'data.json')}`);
