/**
 * Local validation: each bad input gets a violation naming the field path, the expected type (in
 * TypeScript terms) and what was found.
 */
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import test from 'node:test';
import {TypedSchema} from '../../src/contract/typed-codec.js';
import {fixturesDir} from '../helpers/harness.js';

type Entry = {name: string; argsSchema: string};
const v1 = JSON.parse(readFileSync(join(fixturesDir, 'typed-catalog-v1.json'), 'utf8')) as Entry[];
const argsOf = (name: string): TypedSchema => TypedSchema.compile(v1.find(e => e.name === name)!.argsSchema);

const train = argsOf('typed_train');
const echo = argsOf('typed_echo');
const weigh = argsOf('typed_weigh');

const goodTrain = {dataset: 'cpu', config: {epochs: 3}};
const goodEcho = {i: 1, f: 1.5, s: 's', b: true, raw: Buffer.from('x'), day: new Date(0), at: new Date(0), optimizer: 'SGD'};

function violation(schema: TypedSchema, value: unknown): {path: string; expected: string; found: string; message: string} {
	const found = schema.check(value, 'args');
	assert.ok(found !== undefined, `expected a violation for ${String(value)}`);
	assert.equal(found.message.startsWith(`${found.path}: `), true, found.message);
	return found;
}

test('valid arguments pass, defaults may be left out', () => {
	assert.equal(train.check(goodTrain, 'args'), undefined);
	assert.equal(echo.check(goodEcho, 'args'), undefined);
	assert.equal(echo.check({...goodEcho, maybe: null, either: 'x', items: [], scores: {a: Number.NaN}}, 'args'), undefined);
	assert.equal(weigh.check({samples: [{}, {label: 'a', weight: 2}], origin: {x: 1, y: 2}}, 'args'), undefined);
});

test('wrong type names the nested path and the expected type', () => {
	const v = violation(train, {dataset: 'cpu', config: {epochs: 'x'}});
	assert.equal(v.path, 'args.config.epochs');
	assert.equal(v.expected, 'number (integer)');
	assert.equal(v.found, '"x"');
	assert.equal(v.message, 'args.config.epochs: expected number (integer), got "x"');
	assert.equal(violation(echo, {...goodEcho, s: 5}).message, 'args.s: expected string, got 5');
	assert.equal(violation(echo, {...goodEcho, b: 'true'}).message, 'args.b: expected boolean, got "true"');
	assert.equal(violation(echo, {...goodEcho, f: '1.5'}).message, 'args.f: expected number, got "1.5"');
});

test('a missing required field', () => {
	assert.equal(violation(train, {config: {epochs: 1}}).message, 'args.dataset: expected string, got undefined (missing)');
	assert.equal(violation(train, {dataset: 'd', config: {}}).message, 'args.config.epochs: expected number (integer), got undefined (missing)');
});

test('an extra field, at the top and nested', () => {
	const top = violation(train, {...goodTrain, epochs: 5});
	assert.equal(top.path, 'args');
	assert.match(top.message, /^args: unexpected field "epochs"; object Args has the fields dataset, config, mode, tags$/);
	assert.match(violation(train, {dataset: 'd', config: {epochs: 1, lr: 0.1}}).message, /^args\.config: unexpected field "lr"/);
	// An undeclared field counts even when undefined; a declared one set to undefined takes its default.
	assert.match(violation(train, {...goodTrain, extra: undefined}).message, /^args: unexpected field "extra"/);
	assert.equal(train.check({...goodTrain, mode: undefined}, 'args'), undefined);
});

test('null where null is not allowed', () => {
	assert.equal(violation(train, {dataset: null, config: {epochs: 1}}).message, 'args.dataset: expected string, got null');
	assert.equal(violation(train, {dataset: 'd', config: null}).message, 'args.config: expected object TrainConfig, got null');
	assert.equal(violation(echo, {...goodEcho, day: null}).message, 'args.day: expected Date, got null');
});

test('numbers that are not integers, NaN, infinities and unsafe integers for a long', () => {
	assert.equal(violation(echo, {...goodEcho, i: 1.5}).message, 'args.i: expected number (integer), got 1.5');
	assert.equal(violation(echo, {...goodEcho, i: Number.NaN}).message, 'args.i: expected number (integer), got NaN');
	assert.equal(violation(echo, {...goodEcho, i: Infinity}).message, 'args.i: expected number (integer), got Infinity');
	assert.equal(violation(echo, {...goodEcho, i: 2 ** 60}).message, `args.i: expected number (integer), got ${2 ** 60}`);
	assert.equal(violation(echo, {...goodEcho, i: 2n ** 64n}).message, `args.i: expected number (integer), got ${2n ** 64n}n`);
	// A double carries NaN and infinities (Python float does too).
	assert.equal(echo.check({...goodEcho, f: Number.NaN}, 'args'), undefined);
	assert.equal(echo.check({...goodEcho, i: 2n ** 60n}, 'args'), undefined, 'a bigint within int64 is a long');
	const int = TypedSchema.compile('int');
	assert.equal(int.check(2 ** 31, 'n')?.message, `n: expected number (integer), got ${2 ** 31}`);
});

test('an enum symbol that is not allowed', () => {
	assert.equal(violation(echo, {...goodEcho, optimizer: 'sgd'}).message, 'args.optimizer: expected "SGD" | "ADAM", got "sgd"');
	assert.equal(violation(train, {...goodTrain, mode: 'slow'}).message, 'args.mode: expected "fast" | "full", got "slow"');
	assert.equal(violation(train, {...goodTrain, mode: 1}).message, 'args.mode: expected "fast" | "full", got 1');
});

test('an array item of the wrong type, and an array where something else is expected', () => {
	const item = violation(echo, {...goodEcho, items: ['a', 2, 'c']});
	assert.equal(item.message, 'args.items[1]: expected string, got 2');
	assert.equal(violation(echo, {...goodEcho, items: 'abc'}).message, 'args.items: expected string[] (array), got "abc"');
	assert.equal(violation(weigh, {samples: [{label: 'a'}, {label: 'b', weight: 'heavy'}]}).message, 'args.samples[1].weight: expected null | number, got "heavy"');
	assert.equal(violation(train, {dataset: 'd', config: [1]}).message, 'args.config: expected object TrainConfig, got an array of 1');
	assert.equal(violation(echo, {...goodEcho, items: ['a', undefined]}).message, 'args.items[1]: expected string, got undefined (missing)');
});

test('a map value of the wrong type names the key', () => {
	assert.equal(violation(echo, {...goodEcho, scores: {good: 1, bad: 'x'}}).message, 'args.scores.bad: expected number, got "x"');
	assert.equal(violation(echo, {...goodEcho, scores: {'two words': true}}).message, 'args.scores["two words"]: expected number, got true');
	assert.equal(violation(train, {...goodTrain, tags: {a: 1}}).message, 'args.tags.a: expected string, got 1');
	assert.equal(violation(echo, {...goodEcho, scores: [1]}).message, 'args.scores: expected Record<string, number> (map), got an array of 1');
});

test('an invalid Date, and numbers or strings where a Date is expected', () => {
	assert.equal(violation(echo, {...goodEcho, at: new Date('nope')}).message, 'args.at: expected Date, got an invalid Date');
	assert.equal(violation(echo, {...goodEcho, at: 1_700_000_000_000}).message, 'args.at: expected Date, got 1700000000000');
	assert.equal(violation(echo, {...goodEcho, day: '2024-01-01'}).message, 'args.day: expected Date, got "2024-01-01"');
});

test('bytes must be a Buffer', () => {
	assert.equal(violation(echo, {...goodEcho, raw: 'x'}).message, 'args.raw: expected Buffer, got "x"');
	assert.equal(violation(echo, {...goodEcho, raw: new Uint8Array(2)}).message, 'args.raw: expected Buffer, got a Uint8Array (use a Buffer)');
});

test('a union none of whose branches fits', () => {
	assert.equal(violation(echo, {...goodEcho, either: true}).message, 'args.either: expected number (integer) | string, got true');
	assert.equal(violation(echo, {...goodEcho, maybe: 'x'}).message, 'args.maybe: expected null | number (integer), got "x"');
	assert.equal(violation(weigh, {samples: [], origin: {x: 1}}).message, 'args.origin.y: expected number, got undefined (missing)');
	const numbers = TypedSchema.compile({type: 'record', name: 'R', fields: [{name: 'n', type: ['long', 'double']}]});
	assert.equal(numbers.check({n: 'x'}, 'args')?.message, 'args.n: expected number (integer) | number, got "x"');
});

test('arguments that are not an object at all', () => {
	assert.equal(violation(train, null).message, 'args: expected object Args, got null');
	assert.equal(violation(train, 'cpu').message, 'args: expected object Args, got "cpu"');
	assert.equal(violation(train, ['cpu']).message, 'args: expected object Args, got an array of 1');
	assert.equal(violation(train, new Map([['dataset', 'd']])).message, 'args.dataset: expected string, got undefined (missing)');
});

test('class instances and functions are named in the message', () => {
	class Config {
		epochs = 'x';
	}

	assert.equal(violation(train, {dataset: 'd', config: new Config()}).message, 'args.config.epochs: expected number (integer), got "x"');
	assert.equal(violation(train, {dataset: () => 'd', config: {epochs: 1}}).message, 'args.dataset: expected string, got a function');
});
