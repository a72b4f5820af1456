import assert from 'node:assert/strict';
import {after, before, describe, test} from 'node:test';
import type {WireValue} from '../../src/index.js';
import {InvalidArgumentsError} from '../../src/index.js';
import {createStack, type Stack} from '../helpers/harness.js';

const cases: ReadonlyArray<[string, WireValue]> = [
	['null', null],
	['true', true],
	['false', false],
	['zero', 0],
	['negative int', -1],
	['max safe int', Number.MAX_SAFE_INTEGER],
	['2^53 + 1 (bigint)', 2n ** 53n + 1n],
	['int64 max', 2n ** 63n - 1n],
	['int64 min', -(2n ** 63n)],
	['double', 1.5],
	['negative double', -0.25],
	['huge double', 1e300],
	['tiny double', 5e-324],
	['Infinity', Number.POSITIVE_INFINITY],
	['-Infinity', Number.NEGATIVE_INFINITY],
	['empty string', ''],
	['unicode', 'héllo wörld — 🌍 日本語 \u0000 \uFFFD'],
	['empty bytes', Buffer.alloc(0)],
	['all byte values', Buffer.from(Array.from({length: 256}, (_, i) => i))],
	['empty array', []],
	['empty object', {}],
	['array of mixed', [1, 'two', 3.5, null, false, Buffer.from('x')]],
	['nested', {a: [1, {b: [null, true, {c: Buffer.from([0, 255])}]}], 'key with spaces': {}, 'ключ': []}],
	['deep', JSON.parse('['.repeat(30) + '1' + ']'.repeat(30)) as WireValue],
];

describe('round trip of every value type through a real runner', () => {
	let stack: Stack;
	before(async () => {
		stack = await createStack('roundtrip');
	});
	after(async () => {
		await stack.close();
	});

	for (const [name, value] of cases) {
		test(name, async () => {
			const result = await stack.client.invoke('echo', {value});
			assert.deepStrictEqual(result, value);
		});
	}

	test('NaN comes back as NaN', async () => {
		const result = await stack.client.invoke('echo', {value: Number.NaN});
		assert.ok(typeof result === 'number' && Number.isNaN(result));
	});

	test('integer-valued doubles from Python come back as numbers', async () => {
		assert.equal(await stack.client.invoke('divide', {a: 4, b: 2}), 2);
	});

	test('object key order and many keyword arguments survive', async () => {
		const args = {z: 1, a: 2, m: {y: 1, b: 2}};
		const result = await stack.client.invoke('echo_all', args);
		assert.deepStrictEqual(Object.keys(result as object), ['z', 'a', 'm']);
		assert.deepStrictEqual(result, args);
	});

	test('integers beyond int64 are refused before sending, never rounded', async () => {
		await assert.rejects(stack.client.invoke('echo', {value: 2n ** 64n}), (error: unknown) => {
			assert.ok(error instanceof InvalidArgumentsError);
			assert.match(error.message, /int64|64-bit|range/i);
			assert.match(error.message, /args\.value/);
			assert.equal(typeof error.requestId, 'string');
			return true;
		});
	});

	test('values JSON cannot carry exactly are refused with the path', async () => {
		for (const bad of [new Date(), new Map(), () => 1, Symbol('s'), new (class Point {})()]) {
			await assert.rejects(stack.client.invoke('echo', {value: {inner: [bad as never]}}), (error: unknown) => {
				assert.ok(error instanceof InvalidArgumentsError, String(error));
				assert.match(error.message, /args\.value\.inner\[0\]/);
				return true;
			});
		}
	});
});
