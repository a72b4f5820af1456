/**
 * Scenario 7: the bad-input catalogue. Each entry is produced straight onto the request topic with
 * a raw kafkajs producer (nothing a PipelineClient would send), while a client keeps making good
 * calls. For each: the expected typed error reply on our own reply topic, or a dead-letter record
 * on `<topic>.dlq` carrying the expected `mlbridge.dlq.reason`; the runner stays up and the good
 * calls are unaffected.
 */
import assert from 'node:assert/strict';
import {randomBytes} from 'node:crypto';
import {after, test} from 'node:test';
import {Kafka, logLevel, type IHeaders} from 'kafkajs';
import {decodeReply, decodeValue, encodeReply, encodeValue, frame, wireSchemas} from '../../src/codec/index.js';
import {argsMap, Hand, nestedArrays, requestBody, requestFrame, v, VALUE, type RawRequest} from '../helpers/avro-hand.js';
import {
	alive,
	createFleet,
	executions,
	type Fleet,
	Ledger,
	log,
	pick,
	recordResult,
	steadyLoad,
	until,
	waitForZeroLag,
} from '../helpers/reliability.js';

const burst = pick(1000, 10_000);

type Expect = {
	/** Expected `mlbridge.dlq.reason` of one dead-letter record. */
	dlq?: string;
	/** Expected reply: an error code, or 'OK'. */
	reply?: string;
	/** The reply cannot be delivered: the runner logs reply.failed for this id and goes on. */
	replyFailed?: boolean;
};

type Case = {name: string; expect: Expect; value: Buffer | null; headers?: IHeaders};

const invalidUtf8 = Buffer.from([0x61, 0xff, 0xfe, 0xc3, 0x28, 0x62]);

function catalogue(requestTopic: string, replyTo: string): Case[] {
	const id = (name: string): string => `case:${name}`;
	const call = (name: string, fields: Partial<RawRequest> = {}): RawRequest => ({
		id: id(name),
		pipeline: 'rel_tag',
		args: encodeValue({tag: name}),
		replyTo,
		...fields,
	});
	const framed = (name: string, fields: Partial<RawRequest> = {}): Buffer => requestFrame(call(name, fields));
	const tagArg = (name: string): [string, Buffer] => ['tag', v.string(name)];
	const cases: Case[] = [];
	const add = (name: string, expect: Expect, value: Buffer | null, headers?: IHeaders): void => {
		cases.push({name, expect, value, headers});
	};

	// --- not a frame at all: dead letters
	add('empty-message-null', {dlq: 'empty-message'}, null);
	add('empty-message-zero-bytes', {dlq: 'empty-message'}, Buffer.alloc(0));
	add('one-byte', {dlq: 'frame-too-short'}, Buffer.from([0xc3]));
	add('nine-bytes', {dlq: 'frame-too-short'}, Buffer.concat([Buffer.from([0xc3, 0x01]), randomBytes(7)]));
	add('garbage-bytes', {dlq: 'bad-magic'}, Buffer.concat([Buffer.from([0x00, 0x42]), randomBytes(198)]));
	add('json-text', {dlq: 'bad-magic'}, Buffer.from(JSON.stringify({pipeline: 'rel_tag', args: {tag: 'json-text'}})));
	add('wrong-magic-c302', {dlq: 'bad-magic'}, Buffer.concat([Buffer.from([0xc3, 0x02]), framed('wrong-magic-c302').subarray(2)]));
	add('confluent-framing', {dlq: 'bad-magic'}, Buffer.concat([Buffer.from([0x00, 0, 0, 0, 7]), requestBody(call('confluent-framing'))]));
	add('huge-garbage-900KB', {dlq: 'bad-magic'}, Buffer.concat([Buffer.from('MZ'), randomBytes(900 * 1024)]));
	// --- a frame, but not a Request
	// An unknown envelope version whose address prefix reads: dead-lettered and answered (docs/protocol.md §14).
	add('unknown-fingerprint', {dlq: 'unknown-fingerprint', reply: 'UNSUPPORTED_ENVELOPE'}, frame(randomBytes(8), requestBody(call('unknown-fingerprint'))));
	add('value-frame', {dlq: 'unknown-fingerprint'}, frame(wireSchemas.value.fingerprint, encodeValue({tag: 'value-frame'})));
	add(
		'reply-frame',
		{dlq: 'unknown-fingerprint'},
		encodeReply({
			id: id('reply-frame'),
			status: 'OK',
			result: encodeValue(1),
			resultSchema: wireSchemas.value.ref,
			error: null,
			progress: null,
			runner: 'nobody',
			timings: {receivedAtMs: 0, startedAtMs: 0, finishedAtMs: 0},
		}),
	);
	// --- a Request frame whose body does not decode
	add('header-only', {dlq: 'undecodable-body'}, frame(wireSchemas.request.fingerprint, Buffer.alloc(0)));
	const whole = framed('truncated-early');
	add('truncated-early', {dlq: 'undecodable-body'}, whole.subarray(0, 15));
	// Cut inside the trailing headers map: id and replyTo are readable, so the caller is told.
	const longer = framed('truncated-after-replyto', {headers: [['traceparent', '00-abc-def-01']]});
	add('truncated-after-replyto', {dlq: 'undecodable-body', reply: 'UNDECODABLE_REQUEST'}, longer.subarray(0, longer.length - 4));
	add('trailing-bytes', {dlq: 'undecodable-body', reply: 'UNDECODABLE_REQUEST'}, Buffer.concat([framed('trailing-bytes'), Buffer.from('xx')]));
	add('id-claims-2GB', {dlq: 'undecodable-body'}, frame(wireSchemas.request.fingerprint, new Hand().long(2 ** 31).raw(Buffer.from('case:id-claims-2GB')).done()));
	add(
		'args-claim-2GB',
		{dlq: 'undecodable-body'},
		frame(wireSchemas.request.fingerprint, new Hand().str(id('args-claim-2GB')).str('rel_tag').long(2 ** 31).raw(encodeValue({tag: 'x'})).done()),
	);
	add('negative-length', {dlq: 'undecodable-body'}, frame(wireSchemas.request.fingerprint, new Hand().long(-5).raw(Buffer.from('abcdefgh')).done()));
	add('varint-overflow', {dlq: 'undecodable-body'}, frame(wireSchemas.request.fingerprint, Buffer.alloc(12, 0xff)));
	add('invalid-utf8-pipeline', {dlq: 'undecodable-body'}, framed('invalid-utf8-pipeline', {pipeline: invalidUtf8}));
	add('invalid-utf8-id', {dlq: 'undecodable-body'}, framed('invalid-utf8-id', {id: invalidUtf8}));
	add(
		'headers-count-2^62',
		{dlq: 'undecodable-body', reply: 'UNDECODABLE_REQUEST'},
		Buffer.concat([framed('headers-count-2^62').subarray(0, -1), new Hand().long(2n ** 62n).str('k').str('v').done()]),
	);
	// --- decodes, but the reply address is not a topic
	add('replyto-illegal-chars', {dlq: 'invalid-reply-to'}, framed('replyto-illegal-chars', {replyTo: 'no spaces/allowed!'}));
	add('replyto-empty', {dlq: 'invalid-reply-to'}, framed('replyto-empty', {replyTo: ''}));
	add('replyto-300-chars', {dlq: 'invalid-reply-to'}, framed('replyto-300-chars', {replyTo: 'r'.repeat(300)}));
	add('replyto-dotdot', {dlq: 'invalid-reply-to'}, framed('replyto-dotdot', {replyTo: '..'}));
	// --- well-formed requests the whitelist refuses
	add('unknown-pipeline', {reply: 'UNKNOWN_PIPELINE'}, framed('unknown-pipeline', {pipeline: 'no_such_pipeline'}));
	add('eval-attempt', {reply: 'UNKNOWN_PIPELINE'}, framed('eval-attempt', {pipeline: "__import__('os').system('touch /tmp/mlbridge-pwned')"}));
	add('dunder-name', {reply: 'UNKNOWN_PIPELINE'}, framed('dunder-name', {pipeline: '__class__'}));
	add('module-attribute', {reply: 'UNKNOWN_PIPELINE'}, framed('module-attribute', {pipeline: 'os.system'}));
	add('empty-pipeline-name', {reply: 'UNKNOWN_PIPELINE'}, framed('empty-pipeline-name', {pipeline: ''}));
	add('pipeline-name-100KB', {reply: 'UNKNOWN_PIPELINE'}, framed('pipeline-name-100KB', {pipeline: 'p'.repeat(100_000)}));
	// --- arguments that do not decode or do not fit the signature
	add('args-schema-unknown', {reply: 'INVALID_ARGUMENTS'}, framed('args-schema-unknown', {argsSchema: 'crc64:0000000000000000'}));
	add('args-schema-registry', {reply: 'INVALID_ARGUMENTS'}, framed('args-schema-registry', {argsSchema: 'registry:7'}));
	add('args-garbage', {reply: 'INVALID_ARGUMENTS'}, framed('args-garbage', {args: Buffer.concat([Buffer.from([0x7f]), randomBytes(64)])}));
	add('args-empty', {reply: 'INVALID_ARGUMENTS'}, framed('args-empty', {args: Buffer.alloc(0)}));
	add('args-truncated', {reply: 'INVALID_ARGUMENTS'}, framed('args-truncated', {args: new Hand().long(VALUE.map).long(3).str('tag').done()}));
	add('args-not-a-map', {reply: 'INVALID_ARGUMENTS'}, framed('args-not-a-map', {args: v.long(42)}));
	add('args-trailing-bytes', {reply: 'INVALID_ARGUMENTS'}, framed('args-trailing-bytes', {args: Buffer.concat([encodeValue({tag: 'args-trailing-bytes'}), Buffer.from([0, 0])])}));
	add('nesting-300', {reply: 'INVALID_ARGUMENTS'}, framed('nesting-300', {args: argsMap([tagArg('nesting-300'), ['ms', nestedArrays(300)]])}));
	add('nesting-100000', {reply: 'INVALID_ARGUMENTS'}, framed('nesting-100000', {args: argsMap([tagArg('nesting-100000'), ['ms', nestedArrays(100_000)]])}));
	add('value-string-claims-2GB', {reply: 'INVALID_ARGUMENTS'}, framed('value-string-claims-2GB', {args: argsMap([['tag', new Hand().long(VALUE.string).long(2 ** 31).raw(Buffer.from('x')).done()]])}));
	add('value-long-beyond-int64', {reply: 'INVALID_ARGUMENTS'}, framed('value-long-beyond-int64', {args: argsMap([tagArg('value-long-beyond-int64'), ['ms', Buffer.concat([Buffer.from([VALUE.long * 2]), Buffer.alloc(10, 0xff), Buffer.from([0x01])])]])}));
	add('nan-for-int', {reply: 'INVALID_ARGUMENTS'}, framed('nan-for-int', {pipeline: 'rel_int', args: argsMap([tagArg('nan-for-int'), ['x', v.double(Number.NaN)]])}));
	add('infinity-for-int', {reply: 'INVALID_ARGUMENTS'}, framed('infinity-for-int', {pipeline: 'rel_int', args: argsMap([tagArg('infinity-for-int'), ['x', v.double(Number.POSITIVE_INFINITY)]])}));
	add('null-for-int', {reply: 'INVALID_ARGUMENTS'}, framed('null-for-int', {pipeline: 'rel_int', args: argsMap([tagArg('null-for-int'), ['x', v.null()]])}));
	add('null-for-str', {reply: 'INVALID_ARGUMENTS'}, framed('null-for-str', {args: argsMap([['tag', v.null()]])}));
	add('missing-argument', {reply: 'INVALID_ARGUMENTS'}, framed('missing-argument', {pipeline: 'rel_int', args: argsMap([tagArg('missing-argument')])}));
	add('extra-argument', {reply: 'INVALID_ARGUMENTS'}, framed('extra-argument', {args: argsMap([tagArg('extra-argument'), ['evil', v.string('x')]])}));
	add('invalid-utf8-arg-string', {reply: 'INVALID_ARGUMENTS'}, framed('invalid-utf8-arg-string', {args: argsMap([['tag', v.string(invalidUtf8)]])}));
	add('invalid-utf8-arg-key', {reply: 'INVALID_ARGUMENTS'}, framed('invalid-utf8-arg-key', {args: argsMap([tagArg('invalid-utf8-arg-key'), [invalidUtf8, v.long(1)]])}));
	// NaN and infinities are legal doubles: a float parameter takes them.
	add('nan-for-float', {reply: 'OK'}, framed('nan-for-float', {pipeline: 'rel_float', args: argsMap([tagArg('nan-for-float'), ['x', v.double(Number.NaN)]])}));
	add('minus-infinity-for-float', {reply: 'OK'}, framed('minus-infinity-for-float', {pipeline: 'rel_float', args: argsMap([tagArg('minus-infinity-for-float'), ['x', v.double(Number.NEGATIVE_INFINITY)]])}));
	// --- the envelope's other fields
	add('deadline-passed', {reply: 'DEADLINE_EXCEEDED'}, framed('deadline-passed', {deadlineMs: Date.now() - 60_000}));
	add('deadline-negative', {reply: 'DEADLINE_EXCEEDED'}, framed('deadline-negative', {deadlineMs: -1}));
	// --- floods: served normally
	add(
		'avro-header-flood-10000',
		{reply: 'OK'},
		framed('avro-header-flood-10000', {headers: Array.from({length: 10_000}, (_, i): [string, string] => [`h${i}`, 'v'.repeat(8)])}),
	);
	add(
		'kafka-header-flood-2000',
		{reply: 'OK'},
		framed('kafka-header-flood-2000'),
		Object.fromEntries(Array.from({length: 2000}, (_, i) => [`x-flood-${i}`, 'v'])),
	);
	add('dlq-with-header-flood', {dlq: 'bad-magic'}, Buffer.from('this is not Avro, and it is long enough to be a frame'), Object.fromEntries(Array.from({length: 2000}, (_, i) => [`x-flood-${i}`, 'v'])));
	// --- a reply address nobody created
	add('reply-topic-missing', {replyFailed: true}, framed('reply-topic-missing', {replyTo: `${requestTopic}.nobody-listens`}));
	return cases;
}

let fleet: Fleet | undefined;
const cleanups: Array<() => Promise<unknown>> = [];
after(async () => {
	for (const cleanup of cleanups.reverse()) {
		await cleanup().catch(() => undefined);
	}

	await fleet?.close();
});

test(`7: the bad-input catalogue (+ ${burst} unknown-pipeline calls in a burst)`, {timeout: 600_000}, async t => {
	const began = Date.now();
	fleet = await createFleet('badinput');
	const runner = await fleet.start();
	const client = await fleet.connect();
	const requestTopic = fleet.requestTopic;
	const dlqTopic = `${requestTopic}.dlq`;
	const replyTo = `${requestTopic}.raw-replies`;
	const kafka = new Kafka({clientId: 'mlbridge-reliability-raw', brokers: fleet.brokers, logLevel: logLevel.NOTHING});
	const admin = kafka.admin();
	await admin.connect();
	cleanups.push(async () => admin.disconnect());
	await admin.createTopics({topics: [{topic: replyTo, numPartitions: 1}], waitForLeaders: false});
	assert.ok(
		await until(async () => admin.fetchTopicOffsets(replyTo).then(() => true, () => false), 30_000),
		'our reply topic is ready',
	);
	cleanups.push(async () => admin.deleteTopics({topics: [replyTo, dlqTopic]}));

	// Everything that comes back: replies by id, dead letters by the x-case header we sent.
	const replies = new Map<string, ReturnType<typeof decodeReply>[]>();
	const dead = new Map<string, IHeaders[]>();
	let undecodableReplies = 0;
	const consumer = kafka.consumer({groupId: `${requestTopic}.observer`, maxBytes: 50 * 1024 * 1024});
	await consumer.connect();
	cleanups.push(async () => consumer.disconnect());
	await consumer.subscribe({topics: [replyTo, dlqTopic], fromBeginning: true});
	await consumer.run({
		async eachMessage({topic, message}) {
			if (topic === replyTo) {
				try {
					const reply = decodeReply(message.value!);
					replies.set(reply.id, [...(replies.get(reply.id) ?? []), reply]);
				} catch {
					undecodableReplies++;
				}

				return;
			}

			const name = message.headers?.['x-case']?.toString() ?? '?';
			dead.set(name, [...(dead.get(name) ?? []), message.headers ?? {}]);
		},
	});
	const producer = kafka.producer({allowAutoTopicCreation: false});
	await producer.connect();
	cleanups.push(async () => producer.disconnect());

	// Good calls all along.
	const good = new Ledger('good');
	let done = false;
	const load = steadyLoad(10, () => done, () => {
		void good.call(client, 'rel_tag', {tag: good.nextTag(), ms: 5}, 60_000);
	});

	const cases = catalogue(requestTopic, replyTo);
	assert.equal(new Set(cases.map(c => c.name)).size, cases.length, 'case names are distinct');
	for (const c of cases) {
		await producer.send({topic: requestTopic, messages: [{key: c.name, value: c.value, headers: {...c.headers, 'x-case': c.name}}]});
	}

	log(`produced ${cases.length} bad inputs`);
	for (let sent = 0; sent < burst; sent += 500) {
		const n = Math.min(500, burst - sent);
		await producer.send({
			topic: requestTopic,
			messages: Array.from({length: n}, (_, i) => ({
				key: `burst-${sent + i}`,
				value: requestFrame({id: `burst:${sent + i}`, pipeline: `no_such_pipeline_${sent + i}`, args: encodeValue({}), replyTo}),
			})),
		});
	}

	log(`produced ${burst} unknown-pipeline calls`);
	const expectedDlq = cases.filter(c => c.expect.dlq !== undefined).length;
	const expectedReplies = cases.filter(c => c.expect.reply !== undefined).length + burst;
	const replyFailedIds = (): Set<string> => new Set(runner.events.filter(e => e.event === 'reply.failed').map(e => String(e.id)));
	const complete = await until(
		() =>
			dead.size >= expectedDlq &&
			replies.size >= expectedReplies &&
			cases.filter(c => c.expect.replyFailed).every(c => replyFailedIds().has(`case:${c.name}`)),
		180_000,
		500,
	);
	// Anything extra (a second reply, a stray dead letter) would have arrived by now too.
	await new Promise(resolve => setTimeout(resolve, 3000));
	log(`outcomes ${complete ? 'complete' : 'INCOMPLETE'}: ${dead.size} dead-letter cases, ${replies.size} replies, ${undecodableReplies} undecodable replies`);
	done = true;
	await load;
	await good.drain();
	const g = good.summary();

	const executed = executions(fleet.execLog);
	const problems: string[] = [];
	for (const c of cases) {
		await t.test(c.name, () => {
			const id = `case:${c.name}`;
			const got = replies.get(id) ?? [];
			const letters = dead.get(c.name) ?? [];
			const why = `replies ${JSON.stringify(got.map(r => r.error?.code ?? r.status))}, dead letters ${JSON.stringify(letters.map(h => h['mlbridge.dlq.reason']?.toString()))}`;
			try {
				if (c.expect.dlq === undefined) {
					assert.equal(letters.length, 0, `no dead letter expected: ${why}`);
				} else {
					assert.equal(letters.length, 1, `one dead letter expected: ${why}`);
					assert.equal(letters[0]!['mlbridge.dlq.reason']?.toString(), c.expect.dlq, why);
					assert.equal(letters[0]!['mlbridge.source.topic']?.toString(), requestTopic);
					assert.match(letters[0]!['mlbridge.source.offset']?.toString() ?? '', /^\d+$/);
				}

				if (c.expect.reply === undefined) {
					assert.equal(got.length, 0, `no reply expected: ${why}`);
				} else {
					assert.equal(got.length, 1, `one reply expected: ${why}`);
					const reply = got[0]!;
					if (c.expect.reply === 'OK') {
						assert.equal(reply.status, 'OK', `${why}: ${reply.error?.message}`);
						assert.equal((decodeValue(reply.result) as {tag: string}).tag, c.name);
					} else {
						assert.equal(reply.status, 'ERROR');
						assert.equal(reply.error?.code, c.expect.reply, `${why}: ${reply.error?.message}`);
					}
				}

				if (c.expect.replyFailed) {
					assert.ok(replyFailedIds().has(id), 'the runner reports the undeliverable reply');
				}

				assert.equal(executed.has(c.name), c.expect.reply === 'OK' || c.expect.replyFailed === true, 'only accepted calls run');
			} catch (error) {
				problems.push(`${c.name}: ${(error as Error).message.split('\n')[0]}`);
				throw error;
			}
		});
	}

	const burstReplies = Array.from({length: burst}, (_, i) => replies.get(`burst:${i}`) ?? []);
	const burstOk = burstReplies.filter(r => r.length === 1 && r[0]!.error?.code === 'UNKNOWN_PIPELINE').length;
	const lag = await waitForZeroLag(fleet.brokers, fleet.group, fleet.requestTopic);
	const runnerAlive = alive(runner.pid);
	const crashed = runner.events.filter(e => e.event === 'runner.crashed' || e.event === 'runner.stopped');
	const pwned = (await import('node:fs')).existsSync('/tmp/mlbridge-pwned');
	log(`good calls meanwhile: ${JSON.stringify(g)}; burst: ${burstOk}/${burst} UNKNOWN_PIPELINE; runner alive ${runnerAlive}; crashed events ${crashed.length}; lag ${lag}`);
	if (problems.length > 0) {
		log(`cases not as expected:\n  ${problems.join('\n  ')}`);
	}

	const passed = problems.length === 0 && burstOk === burst && g.failed === 0 && g.lost === 0 && runnerAlive && crashed.length === 0 && lag === 0 && !pwned;
	recordResult({
		scenario: '7 bad-input catalogue',
		calls: cases.length + burst + g.calls,
		lost: g.lost,
		wrong: g.wrong,
		duplicates: 0,
		failed: g.failed,
		seconds: (Date.now() - began) / 1000,
		notes: `${cases.length} distinct bad inputs, ${cases.length - problems.length} as expected; ${burstOk}/${burst} burst replies; ${g.ok}/${g.calls} good calls meanwhile; lag ${lag}`,
		passed,
	});
	assert.ok(complete, 'every expected outcome arrived');
	assert.equal(burstOk, burst, 'each unknown-pipeline call of the burst gets one UNKNOWN_PIPELINE reply');
	assert.equal(undecodableReplies, 0);
	assert.ok(!pwned, 'nothing from a message was evaluated');
	assert.ok(runnerAlive, 'the runner is alive');
	assert.deepEqual(crashed, [], 'the runner logged no crash');
	assert.equal(g.lost, 0);
	assert.equal(g.wrong, 0);
	assert.equal(g.failed, 0, `good calls are unaffected: ${JSON.stringify(g.errors)}`);
	assert.equal(lag, 0, 'the runner group\'s lag is back to 0');
	assert.deepEqual(problems, [], 'every bad input has its expected outcome');
});
