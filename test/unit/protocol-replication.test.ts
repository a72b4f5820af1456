/**
 * docs/protocol.md §1, replication factor, on the TypeScript client's side: the topics it creates
 * (its reply topic, and the request and job topics when it comes first) get `replicationFactor`
 * when given, else min(3, brokers in the cluster as seen at connect). kafkajs's admin is replaced by
 * a stand-in reporting 1–5 brokers; the real three-node case is test/integration/cluster.test.ts.
 */
import assert from 'node:assert/strict';
import {afterEach, mock, test} from 'node:test';
import {Kafka} from 'kafkajs';
import {createLogger} from '../../src/logging/logger.js';
import {KafkajsTransport} from '../../src/transport/kafkajs-transport.js';

type Created = {topic: string; numPartitions?: number; replicationFactor?: number};

function standInCluster(brokers: number): Created[] {
	const created: Created[] = [];
	const admin = {
		connect: async () => undefined,
		disconnect: async () => undefined,
		describeCluster: async () => ({brokers: Array.from({length: brokers}, (_, n) => ({nodeId: n, host: 'h', port: 9092})), controller: 0, clusterId: 'c'}),
		listTopics: async () => [],
		createTopics: async ({topics}: {topics: Created[]}) => {
			created.push(...topics);
			return true;
		},
	};
	const producer = {connect: async () => undefined, disconnect: async () => undefined};
	mock.method(Kafka.prototype, 'admin', () => admin);
	mock.method(Kafka.prototype, 'producer', () => producer);
	return created;
}

async function replicasChosen(brokers: number, replicationFactor?: number): Promise<number[]> {
	const created = standInCluster(brokers);
	const transport = await KafkajsTransport.connect({
		brokers: ['stand-in:9092'],
		clientId: 'replication-test',
		logger: createLogger('silent'),
		connectionTimeoutMs: 1000,
		retry: {retries: 0},
		...(replicationFactor === undefined ? {} : {replicationFactor}),
	});
	try {
		await transport.ensureTopics([{topic: 'replies', numPartitions: 1}, {topic: 'requests', numPartitions: 12}]);
	} finally {
		await transport.close();
	}
	assert.deepEqual(created.map(t => t.topic), ['replies', 'requests']);
	return created.map(t => t.replicationFactor ?? -1);
}

afterEach(() => {
	mock.restoreAll();
});

for (const [brokers, expected] of [[1, 1], [2, 2], [3, 3], [5, 3]] as const) {
	test(`${brokers} broker(s), no replicationFactor: topics get ${expected} replicas (min(3, brokers))`, async () => {
		assert.deepEqual(await replicasChosen(brokers), [expected, expected]);
	});
}

test('an explicit replicationFactor wins over the cluster size', async () => {
	assert.deepEqual(await replicasChosen(5, 2), [2, 2]);
	assert.deepEqual(await replicasChosen(1, 3), [3, 3]);
});
