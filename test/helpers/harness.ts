import {randomBytes} from 'node:crypto';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {PipelineClient, RunnerProcess, type ClientOptions, type RunnerOptions} from '../../src/index.js';

/** Integration tests run against KAFKA_BROKERS or the project's broker on loopback. */
export const brokers: string[] = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');

export const fixturesDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
export const fixturePipelines = path.join(fixturesDir, 'pipelines.py');

/** Random names per test file, so tests never see each other's messages. */
export function uniqueName(prefix: string): string {
	return `test.${prefix}.${randomBytes(5).toString('hex')}`;
}

export type Stack = {
	readonly requestTopic: string;
	readonly group: string;
	/** The stack's own catalogue topic: pipelines of one test never meet another test's versions. */
	readonly catalogTopic: string;
	client: PipelineClient;
	readonly runners: RunnerProcess[];
	startRunner(options?: Partial<RunnerOptions>): Promise<RunnerProcess>;
	connect(options?: ClientOptions): Promise<PipelineClient>;
	close(): Promise<void>;
};

/** A request topic of its own, its runner group, and helpers to start runners and clients on it. */
export async function createStack(prefix: string, options: {runners?: number; concurrency?: number} = {}): Promise<Stack> {
	const requestTopic = uniqueName(prefix);
	const group = `${requestTopic}.runners`;
	const catalogTopic = `${requestTopic}.catalog`;
	const clients: PipelineClient[] = [];
	const runners: RunnerProcess[] = [];
	const connect = async (clientOptions: ClientOptions = {}): Promise<PipelineClient> => {
		const client = await PipelineClient.connect({brokers, requestTopic, catalogTopic, requestPartitions: 4, ...clientOptions});
		clients.push(client);
		return client;
	};

	const startRunner = async (runnerOptions: Partial<RunnerOptions> = {}): Promise<RunnerProcess> => {
		const runner = await RunnerProcess.start({
			pipelines: [fixturePipelines],
			brokers,
			requestTopic,
			group,
			concurrency: options.concurrency ?? 8,
			extraArgs: ['--partitions', '4'],
			...runnerOptions,
			env: {MLBRIDGE_CATALOG_TOPIC: catalogTopic, ...runnerOptions.env},
		});
		runners.push(runner);
		return runner;
	};

	const client = await connect();
	for (let i = 0; i < (options.runners ?? 1); i++) {
		await startRunner();
	}

	return {
		requestTopic,
		group,
		catalogTopic,
		client,
		runners,
		startRunner,
		connect,
		async close() {
			await Promise.allSettled(clients.map(async c => c.close()));
			await Promise.allSettled(runners.map(async r => r.stop()));
		},
	};
}
