import assert from 'node:assert/strict';
import {randomBytes, randomUUID} from 'node:crypto';
import {createRequire} from 'node:module';
import {test} from 'node:test';
import {Partitioners, type PartitionerArgs} from 'kafkajs';
import {murmur2, Murmur2Partitioner} from '../../src/transport/murmur2-partitioner.js';

const require = createRequire(import.meta.url);
const kafkajsMurmur2 = require('kafkajs/src/producer/partitioners/default/murmur2.js') as (key: string | Buffer) => number;

const keys: Array<string | Buffer> = [
	'', 'a', 'ab', 'abc', 'abcd', 'abcde', '21', 'idempotency-key-1', 'ü', 'naïve café', '日本語のキー', '\u{1F600}x',
	...Array.from({length: 500}, () => randomUUID()),
	...Array.from({length: 200}, (_, i) => randomBytes(i % 40)),
	...Array.from({length: 200}, (_, i) => randomBytes(i % 40).toString('latin1')),
];

test('murmur2 equals kafkajs (and so the Java client) for ASCII, UTF-8 and binary keys', () => {
	for (const key of keys) {
		assert.equal(murmur2(key), kafkajsMurmur2(key), `key ${JSON.stringify(String(key))}`);
	}
});

function metadata(n: number, leaderless: number[] = []): PartitionerArgs['partitionMetadata'] {
	return Array.from({length: n}, (_, partitionId) => ({partitionId, leader: leaderless.includes(partitionId) ? -1 : 0, partitionErrorCode: 0, replicas: [0], isr: [0]}));
}

test('a keyed message lands on the partition kafkajs DefaultPartitioner picks', () => {
	const ours = Murmur2Partitioner();
	const theirs = Partitioners.DefaultPartitioner();
	for (const n of [1, 3, 12, 100]) {
		for (const key of keys) {
			const args = {topic: 't', partitionMetadata: metadata(n), message: {key, value: null}};
			assert.equal(ours(args), theirs(args));
		}
	}
});

test('an explicit partition wins over the key', () => {
	const partition = Murmur2Partitioner();
	assert.equal(partition({topic: 't', partitionMetadata: metadata(12), message: {key: 'k', value: null, partition: 7}}), 7);
});

test('keyless messages go round robin over partitions with a leader', () => {
	const partition = Murmur2Partitioner();
	const seen = new Set<number>();
	for (let i = 0; i < 30; i++) {
		seen.add(partition({topic: 't', partitionMetadata: metadata(6, [1, 4]), message: {value: null}}));
	}

	assert.deepEqual([...seen].sort(), [0, 2, 3, 5]);
	const leaderless = Murmur2Partitioner()({topic: 't', partitionMetadata: metadata(3, [0, 1, 2]), message: {value: null}});
	assert.ok(leaderless >= 0 && leaderless < 3);
});
