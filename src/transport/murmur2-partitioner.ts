import type {ICustomPartitioner, PartitionerArgs} from 'kafkajs';

const SEED = 0x9747b28c;
const M = 0x5bd1e995;

/**
 * Kafka's murmur2 (the Java client's `Utils.murmur2`) in 32-bit integer arithmetic. kafkajs's own
 * runs on 64-bit Long objects and allocates several per byte quad: at saturation it was ~7% of the
 * client's CPU. Same result for every key (the unit test compares it with kafkajs's), so a key
 * lands on the partition it always did.
 */
export function murmur2(key: string | Buffer): number {
	const data = typeof key === 'string' ? asciiOrUtf8(key) : key;
	const length = data.length;
	let h = (SEED ^ length) | 0;
	const length4 = length >>> 2;
	for (let i = 0; i < length4; i++) {
		const i4 = i * 4;
		let k = charAt(data, i4) | (charAt(data, i4 + 1) << 8) | (charAt(data, i4 + 2) << 16) | (charAt(data, i4 + 3) << 24);
		k = Math.imul(k, M);
		k ^= k >>> 24;
		k = Math.imul(k, M);
		h = Math.imul(h, M) ^ k;
	}

	const tail = length & ~3;
	switch (length & 3) {
		case 3:
			h ^= charAt(data, tail + 2) << 16;
		// falls through
		case 2:
			h ^= charAt(data, tail + 1) << 8;
		// falls through
		case 1:
			h ^= charAt(data, tail);
			h = Math.imul(h, M);
		// no default
	}

	h ^= h >>> 13;
	h = Math.imul(h, M);
	h ^= h >>> 15;
	return h | 0;
}

/** The string itself when ASCII (its UTF-8 bytes are its char codes): no Buffer per key. */
function asciiOrUtf8(key: string): string | Buffer {
	for (let i = 0; i < key.length; i++) {
		if (key.charCodeAt(i) > 0x7f) {
			return Buffer.from(key, 'utf8');
		}
	}

	return key;
}

function charAt(data: string | Buffer, i: number): number {
	return typeof data === 'string' ? data.charCodeAt(i) : data[i]!;
}

/**
 * kafkajs's DefaultPartitioner (Java's 0.10.2 rules: the message's partition, else murmur2 of the
 * key, else round robin over partitions with a leader) with the 32-bit murmur2 above.
 */
export const Murmur2Partitioner: ICustomPartitioner = () => {
	const counters = new Map<string, number>();
	return ({topic, partitionMetadata, message}: PartitionerArgs): number => {
		if (message.partition !== null && message.partition !== undefined) {
			return message.partition;
		}

		if (message.key !== null && message.key !== undefined) {
			return (murmur2(message.key) & 0x7fffffff) % partitionMetadata.length;
		}

		const counter = (counters.get(topic) ?? Math.floor(Math.random() * 0x7fffffff)) + 1;
		counters.set(topic, counter);
		const available = partitionMetadata.filter(p => p.leader >= 0);
		const n = counter & 0x7fffffff;
		return available.length > 0 ? available[n % available.length]!.partitionId : n % partitionMetadata.length;
	};
};
