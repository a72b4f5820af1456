import assert from 'node:assert/strict';
import {test} from 'node:test';
import {type AvscValue, fromAvscValue, toAvscValue} from '../../src/codec/avsc-value.js';
import {
	CodecError,
	decodeValue,
	encodeValue,
	MAX_VALUE_DEPTH,
	ValueEncodingError,
	type WireValue,
	wireSchemas,
} from '../../src/codec/index.js';
import {MlbridgeError} from '../../src/errors/base.js';

const avsc = wireSchemas.value.type;
const hex = (s: string): Buffer => Buffer.from(s.replaceAll(' ', ''), 'hex');

function roundTrip(v: WireValue): WireValue {
	return decodeValue(encodeValue(v));
}

/** Asserts the hand-written codec and avsc agree on `v`, both ways. */
function assertSameAsAvsc(v: WireValue): void {
	const ours = encodeValue(v);
	const theirs = avsc.toBuffer(toAvscValue(v));
	assert.deepEqual(ours, theirs);
	assert.deepEqual(decodeValue(theirs), fromAvscValue(avsc.fromBuffer(ours) as AvscValue));
}

function nest(depth: number, inner: WireValue = 1): WireValue {
	let v = inner;
	for (let i = 0; i < depth; i++) v = [v];
	return v;
}

// --- round trips ---------------------------------------------------------------------------------

test('round trips every type', () => {
	const cases: WireValue[] = [
		null,
		true,
		false,
		0,
		1,
		-1,
		63,
		64,
		-64,
		-65,
		2 ** 31,
		-(2 ** 31) - 1,
		1764139970123,
		Number.MAX_SAFE_INTEGER,
		Number.MIN_SAFE_INTEGER,
		1.5,
		-0.1,
		2 ** 53,
		1e300,
		5e-324,
		Number.NaN,
		Infinity,
		-Infinity,
		'',
		'ascii',
		'héllo wörld — 😀🚀 日本語 한국어',
		'x'.repeat(21),
		'é'.repeat(21),
		'a'.repeat(63) + '😀',
		'y'.repeat(300),
		[],
		{},
		[null, true, 7, 2.5, 'str', [], {}],
		{b: 1, a: [1, 2, {c: 'd'}], e: {f: {g: null}}},
		nest(40, 'deep'),
		Array.from({length: 1000}, (_, i) => i - 500),
	];
	for (const v of cases) assert.deepEqual(roundTrip(v), v);
});

test('bytes round trip as Buffers, from Buffer, Uint8Array and subarrays', () => {
	assert.deepEqual(roundTrip(Buffer.alloc(0)), Buffer.alloc(0));
	assert.deepEqual(roundTrip(Buffer.from([0, 255, 128, 127])), Buffer.from([0, 255, 128, 127]));
	const u8 = new Uint8Array([9, 8, 7, 6, 5]);
	const decoded = roundTrip(u8.subarray(1, 4));
	assert.ok(Buffer.isBuffer(decoded));
	assert.deepEqual(decoded, Buffer.from([8, 7, 6]));
	// A decoded Buffer is a copy: it does not pin or alias the message.
	const body = encodeValue(Buffer.from([1, 2, 3]));
	const out = decodeValue(body) as Buffer;
	body.fill(0);
	assert.deepEqual(out, Buffer.from([1, 2, 3]));
});

test('decodeValue accepts a plain Uint8Array body', () => {
	const body = encodeValue({a: 'b'});
	assert.deepEqual(decodeValue(new Uint8Array(body)), {a: 'b'});
});

test('large values grow the writer, and later encodes still work', () => {
	const big = {text: 'z'.repeat(100_000), blob: Buffer.alloc(2_000_000, 7)};
	assert.deepEqual(roundTrip(big), big);
	assert.deepEqual(encodeValue(1), hex('0402'));
});

test('encoded buffers stay intact while many more are encoded (shared slab, views)', () => {
	const kept: Array<[WireValue, Buffer]> = [];
	for (let i = 0; i < 20_000; i++) {
		const v = {i, s: 'x'.repeat(i % 50), b: Buffer.alloc(i % 7, i % 256)};
		kept.push([v, encodeValue(v)]);
	}
	for (const [v, body] of kept) assert.deepEqual(decodeValue(body), v);
	// A large body is its own buffer (grown for it, handed out without a copy): a view pinning at
	// most a third more than it holds, never the slab the small ones share.
	const large = encodeValue('y'.repeat(100_000));
	assert.ok(large.buffer.byteLength <= (large.length * 4) / 3, `${large.buffer.byteLength} bytes under ${large.length}`);
	const next = encodeValue('z');
	assert.notEqual(next.buffer, large.buffer);
	assert.equal(decodeValue(large), 'y'.repeat(100_000));
	// A large field that is most of its message is read as a view, a small one as a copy.
	const bytes = Buffer.alloc(200_000, 7);
	const body = encodeValue(bytes);
	const read = decodeValue(body) as Buffer;
	assert.deepEqual(read, bytes);
	assert.equal(read.buffer, body.buffer);
	const mixed = encodeValue([Buffer.alloc(70_000, 1), Buffer.alloc(70_000, 2), Buffer.alloc(70_000, 3)]);
	for (const part of decodeValue(mixed) as Buffer[]) assert.notEqual(part.buffer, mixed.buffer);
});

test('numbers: safe integers are longs, everything else doubles', () => {
	assert.deepEqual(encodeValue(5), hex('040a'));
	assert.deepEqual(encodeValue(5.5), hex('06 0000000000001640'));
	assert.deepEqual(encodeValue(2 ** 53), hex('06 0000000000004043'));
	// -0 is a safe integer, so it travels as long 0 (as JSON turns it into 0).
	assert.deepEqual(encodeValue(-0), hex('0400'));
	assert.ok(Object.is(roundTrip(-0.5), -0.5));
});

// --- bigint exactness ---------------------------------------------------------------------------

test('bigints and longs beyond 2^53 stay exact both ways', () => {
	assert.deepEqual(encodeValue(2n ** 53n + 1n), hex('04 8280808080808020'));
	assert.equal(decodeValue(hex('04 8280808080808020')), 2n ** 53n + 1n);
	assert.deepEqual(encodeValue(2n ** 63n - 1n), hex('04 feffffffffffffffff01'));
	assert.deepEqual(encodeValue(-(2n ** 63n)), hex('04 ffffffffffffffffff01'));
	assert.equal(decodeValue(hex('04 feffffffffffffffff01')), 2n ** 63n - 1n);
	assert.equal(decodeValue(hex('04 ffffffffffffffffff01')), -(2n ** 63n));
	for (let d = -5n; d <= 5n; d++) {
		for (const base of [2n ** 53n, -(2n ** 53n), 2n ** 62n, -(2n ** 62n)]) {
			const n = base + d;
			const expected = n >= -(2n ** 53n - 1n) && n <= 2n ** 53n - 1n ? Number(n) : n;
			assert.equal(roundTrip(n), expected, String(n));
			assertSameAsAvsc(n);
		}
	}
	for (const n of [2n ** 63n - 2n, -(2n ** 63n) + 1n]) assert.equal(roundTrip(n), n);
});

test('safe bigints decode as numbers; unsafe longs decode as bigints', () => {
	assert.equal(roundTrip(42n), 42);
	assert.equal(roundTrip(BigInt(Number.MAX_SAFE_INTEGER)), Number.MAX_SAFE_INTEGER);
	assert.equal(roundTrip(BigInt(Number.MAX_SAFE_INTEGER) + 1n), 2n ** 53n);
	assert.equal(typeof roundTrip(BigInt(Number.MIN_SAFE_INTEGER) - 1n), 'bigint');
});

test('every power of two and its neighbours, as number or bigint, match avsc', () => {
	for (let k = 0n; k < 63n; k++) {
		for (const n of [2n ** k - 1n, 2n ** k, 2n ** k + 1n, -(2n ** k) - 1n, -(2n ** k), -(2n ** k) + 1n]) {
			if (n > 2n ** 63n - 1n || n < -(2n ** 63n)) continue;
			assertSameAsAvsc(n);
			const asNumber = Number(n);
			if (Number.isSafeInteger(asNumber)) {
				assertSameAsAvsc(asNumber);
				assert.equal(roundTrip(asNumber), asNumber);
			} else {
				assert.equal(roundTrip(n), n);
			}
		}
	}
});

// --- maps ---------------------------------------------------------------------------------------

test('maps keep key order, omit undefined properties, accept null-prototype objects', () => {
	const decoded = roundTrip({zeta: 1, alpha: 2, mid: 3}) as Record<string, WireValue>;
	assert.deepEqual(Object.keys(decoded), ['zeta', 'alpha', 'mid']);
	const withUndefined = {a: 1, b: undefined, c: 'x', d: undefined} as unknown as WireValue;
	assert.deepEqual(encodeValue(withUndefined), encodeValue({a: 1, c: 'x'}));
	assert.deepEqual(encodeValue({only: undefined} as unknown as WireValue), encodeValue({}));
	assert.deepEqual(
		encodeValue({big: 'x'.repeat(200), u: undefined, n: [1]} as unknown as WireValue),
		encodeValue({big: 'x'.repeat(200), n: [1]}),
	);
	// 70 keys (a 2-byte count) shrinking to 63 (a 1-byte count).
	const many: Record<string, number | undefined> = {};
	const kept: Record<string, number> = {};
	for (let i = 0; i < 70; i++) {
		many[`k${i}`] = i % 10 === 0 ? undefined : i;
		if (i % 10 !== 0) kept[`k${i}`] = i;
	}
	assert.deepEqual(encodeValue(many as unknown as WireValue), encodeValue(kept));
	assert.deepEqual(roundTrip(kept), kept);
	const bare = Object.assign(Object.create(null) as Record<string, WireValue>, {x: 1});
	assert.deepEqual(encodeValue(bare), encodeValue({x: 1}));
});

test('a "__proto__" key is data, never the prototype', () => {
	const v = JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}') as WireValue;
	const decoded = roundTrip(v) as Record<string, WireValue>;
	assert.equal(Object.getPrototypeOf(decoded), Object.prototype);
	assert.deepEqual(Object.keys(decoded), ['__proto__', 'ok']);
	assert.deepEqual(Object.getOwnPropertyDescriptor(decoded, '__proto__')?.value, {polluted: true});
	assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
});

test('getters that encode during encoding do not corrupt the outer value', () => {
	const v = {
		a: 1,
		get b(): WireValue {
			return decodeValue(encodeValue({inner: [1, 2, 3]}));
		},
		c: 'after',
	};
	assert.deepEqual(roundTrip(v), {a: 1, b: {inner: [1, 2, 3]}, c: 'after'});
});

// --- refusals -----------------------------------------------------------------------------------

class Point {
	x = 1;
}

test('refuses what Value cannot hold, naming the path and what was found', () => {
	const cyclic: Record<string, unknown> = {name: 'loop', items: []};
	(cyclic['items'] as unknown[]).push({back: cyclic});
	const cyclicArray: unknown[] = [1];
	cyclicArray.push(cyclicArray);
	const cases: Array<[unknown, string, string, RegExp]> = [
		[undefined, 'value', 'value', /^undefined$/],
		[{items: [1, 2, 3, {x: () => 1}]}, 'args', 'args.items[3].x', /function/],
		[[1, undefined], 'value', 'value[1]', /^undefined$/],
		[[1, , 3], 'value', 'value[1]', /^undefined$/],
		[{s: Symbol('tag')}, 'args', 'args.s', /symbol/],
		[{when: new Date(0)}, 'args', 'args.when', /Date/],
		[{m: new Map()}, 'args', 'args.m', /Map/],
		[{s: new Set([1])}, 'args', 'args.s', /Set/],
		[{p: new Point()}, 'args', 'args.p', /Point/],
		[{f: new DataView(new ArrayBuffer(2))}, 'args', 'args.f', /DataView/],
		[{a: new ArrayBuffer(2)}, 'args', 'args.a', /ArrayBuffer/],
		[{boxed: new String('x')}, 'args', 'args.boxed', /String/],
		[{'a b': {'c.d': [new Date(0)]}}, 'args', 'args["a b"]["c.d"][0]', /Date/],
		[{n: 2n ** 63n}, 'args', 'args.n', /bigint 9223372036854775808/],
		[{n: -(2n ** 63n) - 1n}, 'args', 'args.n', /bigint -9223372036854775809/],
		[cyclic, 'args', 'args.items[0].back', /a cycle back to args$/],
		[cyclicArray, 'value', 'value[1]', /a cycle back to value$/],
		[nest(MAX_VALUE_DEPTH + 1), 'value', `value${'[0]'.repeat(MAX_VALUE_DEPTH)}`, /deeper than 256/],
	];
	for (const [input, root, path, found] of cases) {
		assert.throws(
			() => encodeValue(input, root),
			(error: unknown) => {
				assert.ok(error instanceof ValueEncodingError, String(error));
				assert.ok(error instanceof CodecError);
				assert.ok(error instanceof MlbridgeError);
				assert.equal(error.code, 'VALUE_NOT_ENCODABLE');
				assert.equal(error.reason, 'not-encodable');
				assert.equal(error.path, path);
				assert.match(error.found, found);
				assert.ok(error.message.includes(path), error.message);
				return true;
			},
			path,
		);
	}
});

test('strings with a lone surrogate are refused, not silently replaced', () => {
	for (const [input, path, found] of [
		[{note: 'a\ud800b'}, 'args.note', /lone surrogate/],
		[['ok', '\udfff'], 'args[1]', /lone surrogate/],
		[{['k\ud83d']: 1}, 'args', /key "k\\ud83d" with a lone surrogate/],
	] as const) {
		assert.throws(
			() => encodeValue(input, 'args'),
			(error: unknown) => error instanceof ValueEncodingError && error.path === path && found.test(error.found),
		);
	}
	// Surrogate pairs are fine, and so is U+FFFD itself.
	assert.equal(roundTrip('😀 \ud83d\ude00 \ufffd'), '😀 😀 \ufffd');
});

test('exactly MAX_VALUE_DEPTH nested containers are accepted, one more is refused', () => {
	assert.deepEqual(roundTrip(nest(MAX_VALUE_DEPTH)), nest(MAX_VALUE_DEPTH));
	assert.throws(() => encodeValue(nest(MAX_VALUE_DEPTH + 1)), ValueEncodingError);
	// The same object twice (a DAG, not a cycle) is fine.
	const shared = {s: 1};
	assert.deepEqual(roundTrip([shared, shared, {shared}]), [{s: 1}, {s: 1}, {shared: {s: 1}}]);
});

test('a refusal leaves the codec usable', () => {
	assert.throws(() => encodeValue({a: 'x'.repeat(5000), b: new Date()}));
	assert.deepEqual(encodeValue('ok'), hex('08 04 6f6b'));
});

// --- hand-written vs avsc -----------------------------------------------------------------------

function random(seed: number): () => number {
	return () => {
		seed = (seed + 0x6d2b79f5) | 0;
		let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

function randomValue(rnd: () => number, depth: number): WireValue {
	const pick = Math.floor(rnd() * (depth > 3 ? 7 : 9));
	const int = (): number => Math.floor(rnd() * 2 ** (1 + Math.floor(rnd() * 52))) * (rnd() < 0.5 ? -1 : 1);
	switch (pick) {
		case 0:
			return null;
		case 1:
			return rnd() < 0.5;
		case 2:
			return int();
		case 3:
			return [Number.NaN, Infinity, -Infinity, rnd() * 1e6 - 5e5, 2 ** 60, 5e-324][Math.floor(rnd() * 6)]!;
		case 4:
			return BigInt.asIntN(64, BigInt(int()) * BigInt(int()) + BigInt(int()));
		case 5: {
			const chars = ['a', 'Z', '0', ' ', 'é', 'ß', '日', '😀', '\u0000', '"'];
			let s = '';
			const n = Math.floor(rnd() * (rnd() < 0.1 ? 300 : 20));
			for (let i = 0; i < n; i++) s += chars[Math.floor(rnd() * chars.length)]!;
			return s;
		}
		case 6:
			return Buffer.from(Array.from({length: Math.floor(rnd() * 40)}, () => Math.floor(rnd() * 256)));
		case 7:
			return Array.from({length: Math.floor(rnd() * (rnd() < 0.1 ? 80 : 5))}, () => randomValue(rnd, depth + 1));
		default: {
			const o: Record<string, WireValue> = {};
			const n = Math.floor(rnd() * 6);
			for (let i = 0; i < n; i++) o[`k${Math.floor(rnd() * 1000)}${i % 2 ? 'é' : ''}`] = randomValue(rnd, depth + 1);
			return o;
		}
	}
}

test('hand-written codec writes exactly avsc\'s bytes and reads avsc\'s output (1000 random values)', () => {
	const rnd = random(20251126);
	for (let i = 0; i < 1000; i++) {
		const v = randomValue(rnd, 0);
		assertSameAsAvsc(v);
		const decoded = roundTrip(v);
		assert.deepEqual(encodeValue(decoded), encodeValue(v));
	}
});

test('hand-written codec matches avsc on edge values', () => {
	const edge: WireValue[] = [
		null,
		'',
		'x'.repeat(63),
		'x'.repeat(64),
		'é'.repeat(32),
		'€'.repeat(22),
		'😀'.repeat(11),
		Buffer.alloc(64),
		Array.from({length: 64}, () => null),
		{'': 0},
		nest(MAX_VALUE_DEPTH),
		-0,
		2 ** 30,
		-(2 ** 30),
		2 ** 30 - 1,
		-(2 ** 30) - 1,
		2 ** 31 - 1,
		-(2 ** 31),
	];
	for (const v of edge) assertSameAsAvsc(v);
});

// --- decoding bad input -------------------------------------------------------------------------

function assertDecodeFails(body: Buffer, reason: string, message?: RegExp): void {
	assert.throws(
		() => decodeValue(body),
		(error: unknown) => {
			assert.ok(error instanceof CodecError, String(error));
			assert.equal(error.reason, reason, error.message);
			assert.equal(error.code, 'CODEC_ERROR');
			if (message) assert.match(error.message, message);
			return true;
		},
		body.toString('hex'),
	);
}

test('every truncation of a valid body is malformed-body; extra bytes are trailing-bytes', () => {
	const body = encodeValue({
		s: 'héllo',
		n: [1, -1, 2n ** 62n, 1.5],
		b: Buffer.from([1, 2, 3]),
		m: {t: true, z: null},
	});
	for (let cut = 0; cut < body.length; cut++) assertDecodeFails(body.subarray(0, cut), 'malformed-body');
	assertDecodeFails(Buffer.concat([body, hex('00')]), 'trailing-bytes');
});

test('bad input is malformed-body, found fast, with no huge allocation', () => {
	const bad: Array<[string, RegExp]> = [
		['14', /union branch 10/], // branch index 10 (8 and 9: tensor and table, value-v2.avsc)
		['01', /union branch -1/], // branch index -1
		['0202', /boolean byte 2/],
		['04 ffffffffffffffffff7f', /64 bits/], // varint overflow
		['04 ffffffffffffffffffff01', /64 bits/], // 11-byte varint
		['08 03 61', /length -2/], // negative string length
		['08 0a 61', /length 5/], // string longer than the body
		['0c feffffffffffffffff01', /block/], // array of 2^62 items
		['0c feffffff0f 00', /block/], // array of 2^31 items in 2 bytes
		['0e 02 00', /block of 1 items with 1 bytes left/], // a map entry takes at least 2 bytes
		['0e 02 0261', /end of data/], // map entry with no value
		['0c 01 20 00', /length 16/], // negative count -1 with a block size beyond the body
		['06 00 00', /double/],
		['08 04 c328', /invalid UTF-8/], // bad continuation byte
		['08 06 eda080', /invalid UTF-8/], // an encoded surrogate (CESU-8)
		['08 02 ff', /invalid UTF-8/],
		['0e 02 02 80 00 00', /invalid UTF-8/], // in a map key
		['08 ' + '42' + '61'.repeat(32) + 'ff', /invalid UTF-8/], // past the short-string cache
	];
	for (const [body, message] of bad) assertDecodeFails(hex(body), 'malformed-body', message);
});

test('nesting deeper than MAX_VALUE_DEPTH is refused on decode', () => {
	// 257 × (array branch, count 1) then null, then 257 block ends.
	const parts: Buffer[] = [];
	for (let i = 0; i <= MAX_VALUE_DEPTH; i++) parts.push(hex('0c 02'));
	parts.push(hex('00'));
	for (let i = 0; i <= MAX_VALUE_DEPTH; i++) parts.push(hex('00'));
	assertDecodeFails(Buffer.concat(parts), 'malformed-body', /deeper than 256/);
	assert.deepEqual(decodeValue(encodeValue(nest(MAX_VALUE_DEPTH, null))), nest(MAX_VALUE_DEPTH, null));
});

test('reads what other Avro writers may produce: several blocks, sized blocks, long branch varints', () => {
	// [1, 2, 3] as blocks of 2 and 1; the second block with a negative count and a byte size.
	assert.deepEqual(decodeValue(hex('0c 04 0402 0404 01 04 0406 00')), [1, 2, 3]);
	// {a: 1} then {b: 2} as two map blocks.
	assert.deepEqual(decodeValue(hex('0e 02 0261 0402 02 0262 0404 00')), {a: 1, b: 2});
	// The long branch index 2 written as a 2-byte varint (84 00).
	assert.equal(decodeValue(hex('8400 0a')), 5);
	// A long written with a non-minimal varint.
	assert.equal(decodeValue(hex('04 8a80 00')), 5);
});
