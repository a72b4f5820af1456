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
	];
	for (const [options, message] of bad) {
		assert.throws(() => resolveClientOptions({logger: quiet, ...options}), {name: 'TypeError', message});
	}
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
