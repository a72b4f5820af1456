/**
 * A request topic, a runner group and a catalogue topic of their own, with runners started from
 * the typed fixtures and clients connected to the same topics.
 */
import path from 'node:path';
import {Kafka, logLevel} from 'kafkajs';
import {createLogger, PipelineClient, RunnerProcess, type ClientOptions, type PipelineTypes} from '../../src/index.js';
import {brokers, fixturesDir, uniqueName} from './harness.js';

export const typedPipelinesV1 = path.join(fixturesDir, 'typed_pipelines.py');
export const typedPipelinesV2 = path.join(fixturesDir, 'typed_pipelines_v2.py');

export type TypedStack = {
	readonly requestTopic: string;
	readonly catalogTopic: string;
	readonly runners: RunnerProcess[];
	startRunner(pipelines: string): Promise<RunnerProcess>;
	connect<P extends PipelineTypes>(options?: ClientOptions<P>): Promise<PipelineClient<P>>;
	/** Messages in the request topic so far (sum of the partitions' end offsets). */
	requestCount(): Promise<number>;
	close(): Promise<void>;
};

export function createTypedStack(prefix: string): TypedStack {
	const requestTopic = uniqueName(prefix);
	const catalogTopic = `${requestTopic}.catalog`;
	const group = `${requestTopic}.runners`;
	const runners: RunnerProcess[] = [];
	const clients: Array<PipelineClient<PipelineTypes>> = [];
	const admin = new Kafka({brokers, clientId: `${requestTopic}.admin`, logLevel: logLevel.NOTHING}).admin();
	let adminConnected = false;
	return {
		requestTopic,
		catalogTopic,
		runners,
		async startRunner(pipelines) {
			const runner = await RunnerProcess.start({
				pipelines: [pipelines],
				brokers,
				requestTopic,
				group,
				concurrency: 8,
				extraArgs: ['--partitions', '4', '--catalog-topic', catalogTopic],
			});
			runners.push(runner);
			return runner;
		},
		async connect<P extends PipelineTypes>(options: ClientOptions<P> = {}) {
			const client = await PipelineClient.connect<P>({
				brokers,
				requestTopic,
				requestPartitions: 4,
				catalogTopic,
				logger: createLogger('warn'),
				...options,
			});
			clients.push(client as unknown as PipelineClient<PipelineTypes>);
			return client;
		},
		async requestCount() {
			if (!adminConnected) {
				await admin.connect();
				adminConnected = true;
			}

			const offsets = await admin.fetchTopicOffsets(requestTopic);
			return offsets.reduce((sum, p) => sum + Number(p.high), 0);
		},
		async close() {
			await Promise.allSettled(clients.map(async c => c.close()));
			await Promise.allSettled(runners.map(async r => r.stop()));
			if (adminConnected) {
				await admin.deleteTopics({topics: [requestTopic, catalogTopic], timeout: 5000}).catch(() => {});
				await admin.disconnect();
			}
		},
	};
}
