import assert from 'node:assert/strict';
import {test} from 'node:test';
import {resolveClientOptions} from '../../src/client/resolve-options.js';
import {createLogger} from '../../src/logging/logger.js';

const quiet = createLogger('silent');

test('defaults', () => {
	const options = resolveClientOptions({logger: quiet, brokers: ['h:1']});
	assert.equal(options.requestTopic, process.env['MLBRIDGE_REQUEST_TOPIC'] ?? 'ml.pipeline.input');
	assert.equal(options.defaultTimeoutMs, 30_000);
	assert.match(options.clientId, /^c-[\da-f]{16}$/);
	assert.notEqual(resolveClientOptions({logger: quiet}).clientId, resolveClientOptions({logger: quiet}).clientId);
});

test('a clientId from configuration is the readable start of a reply topic of each instance\'s own', () => {
	const first = resolveClientOptions({logger: quiet, clientId: 'api3'});
	const second = resolveClientOptions({logger: quiet, clientId: 'api3'});
	assert.equal(first.clientId, 'api3');
	assert.match(first.replyTopic, /^ml\.pipeline\.reply\.api3-[\da-f]{8}$/);
	assert.notEqual(first.replyTopic, second.replyTopic);
	const generated = resolveClientOptions({logger: quiet, replyTopicPrefix: 'r.'});
	assert.equal(generated.replyTopic, `r.${generated.clientId}`); // unique already
});

test('bad options fail with a message naming the option and the value', () => {
	const bad: Array<[Record<string, unknown>, RegExp]> = [
		[{brokers: []}, /`brokers`/],
		[{brokers: ['nohost']}, /`brokers`/],
		[{defaultTimeoutMs: 0}, /`defaultTimeoutMs`.*got 0 \(number\)/],
		[{defaultTimeoutMs: '5'}, /`defaultTimeoutMs`.*"5" \(string\)/],
		[{requestTopic: 'bad topic!'}, /`requestTopic`/],
		[{requestPartitions: -1}, /`requestPartitions`/],
		[{clientId: 'a/b'}, /`clientId`/],
		[{maxRequestBytes: Number.NaN}, /`maxRequestBytes`/],
		[{jobTopic: 'a b'}, /`jobTopic`/],
		[{jobStateTopic: ''}, /`jobStateTopic`/],
		[{jobStateTopic: 'ml.pipeline.input'}, /`jobStateTopic`/],
		[{jobTopic: 'same', jobStateTopic: 'same'}, /`jobTopic` and `jobStateTopic`/],
		[{jobRetentionMs: 1.5}, /`jobRetentionMs`.*1\.5 \(number\)/],
		[{jobMaxAttempts: 0}, /`jobMaxAttempts`.*from 1 to 1000, got 0/],
		[{jobMaxAttempts: '3'}, /`jobMaxAttempts`/],
	];
	for (const [options, message] of bad) {
		assert.throws(() => resolveClientOptions({logger: quiet, ...options}), {name: 'TypeError', message});
	}
});

test('job topics derive from the request topic; retention 7 days and 3 attempts by default', () => {
	const options = resolveClientOptions({logger: quiet, requestTopic: 'req'});
	assert.equal(options.jobTopic, 'req.jobs');
	assert.equal(options.jobStateTopic, 'req.jobs.state');
	assert.equal(options.jobRetentionMs, 7 * 24 * 3_600_000);
	assert.equal(options.jobMaxAttempts, 3);
	const chosen = resolveClientOptions({logger: quiet, jobTopic: 'j', jobStateTopic: 'j.state', jobRetentionMs: 60_000, jobMaxAttempts: 1});
	assert.deepEqual([chosen.jobTopic, chosen.jobStateTopic, chosen.jobRetentionMs, chosen.jobMaxAttempts], ['j', 'j.state', 60_000, 1]);
});

test('Infinity is a valid default timeout (wait forever, on purpose)', () => {
	assert.equal(resolveClientOptions({logger: quiet, defaultTimeoutMs: Infinity}).defaultTimeoutMs, Infinity);
});

test('the logger writes one JSON object per line and stays quiet below its level', () => {
	const lines: string[] = [];
	const logger = createLogger('warn', {component: 'x'}, line => lines.push(line));
	logger.info('not.shown');
	logger.warn('shown', {n: 1n});
	assert.equal(lines.length, 1);
	const entry = JSON.parse(lines[0]!) as Record<string, unknown>;
	assert.equal(entry['event'], 'shown');
	assert.equal(entry['level'], 'warn');
	assert.equal(entry['component'], 'x');
	assert.equal(entry['n'], '1');
});
