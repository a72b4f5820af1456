/** Wires the jobs concern (src/jobs/) to a PipelineClient's options, transport and schemas. */
import type {ClaimCheck} from '../blobs/claim-check.js';
import {wireSchemas} from '../codec/index.js';
import {JobClient} from '../jobs/job-client.js';
import {JobPayloads} from '../jobs/job-payloads.js';
import {JobStore} from '../jobs/job-store.js';
import type {ClientMetrics} from '../observability/client-metrics.js';
import type {ClientTracing} from '../observability/tracing.js';
import type {Transport} from '../transport/transport.js';
import {encodeGenericArgs, encodeTypedArgs} from './args-encoding.js';
import type {CallSchemaChooser} from './call-schemas.js';
import type {ResolvedClientOptions} from './options.js';
import {readResult, type TypedResults} from './result-reading.js';

/** Least time a job lookup waits to read the job state topic to its end. */
const jobSyncTimeoutMs = 10_000;

export type ClientJobsParts = {
	readonly options: ResolvedClientOptions;
	readonly transport: Transport;
	readonly replyTopic: string;
	readonly maxRequestBytes: number;
	readonly schemas: CallSchemaChooser;
	readonly typed: TypedResults;
	readonly metrics: ClientMetrics;
	readonly tracing: ClientTracing | undefined;
	/** Large payloads by reference (option `largePayloads`): job args and results too. */
	readonly blobs?: ClaimCheck | undefined;
};

export function createJobClient({options, transport, replyTopic, maxRequestBytes, schemas, typed, metrics, tracing, blobs}: ClientJobsParts): JobClient {
	const payloads = new JobPayloads(blobs);
	return new JobClient({
		transport,
		// Started on first use: a client that never touches jobs never reads the state topic.
		store: new JobStore({
			transport,
			topic: options.jobStateTopic,
			groupId: `${replyTopic}.jobs`,
			logger: options.logger,
			syncTimeoutMs: Math.max(jobSyncTimeoutMs, options.connectTimeoutMs),
			brokers: options.brokers,
		}),
		jobTopic: options.jobTopic,
		stateTopic: options.jobStateTopic,
		clientId: options.clientId,
		brokers: options.brokers,
		maxAttempts: options.jobMaxAttempts,
		maxRequestBytes,
		logger: options.logger,
		onSubmitted: pipeline => metrics.jobSubmitted(pipeline),
		tracing,
		// Jobs always name their schema by its crc64 ref and travel single-object framed
		// (docs/jobs.md): the runners' job lane reads no schema-registry framing.
		async encodeArgs(id, name, args) {
			const call = schemas.forPipeline(name);
			const encoded = call === undefined
				? encodeGenericArgs(id, name, args)
				: {args: encodeTypedArgs(id, name, args, call.args, options.validateArguments), argsSchema: call.args.ref};
			return payloads.offloadArgs(id, name, encoded);
		},
		// No result schema: the job succeeded without a result (job.avsc: "empty when there is none").
		readResult: async stored => {
			const record = await payloads.withResult(stored);
			return record.resultSchema === '' ? null : readResult(record, schemas.forPipeline(record.pipeline)?.result, typed);
		},
		// The arguments as submitted, read like a result: the generic Value or their typed schema.
		readArgs: async stored => {
			const record = await payloads.withArgs(stored);
			return readResult({...record, result: record.args, resultSchema: record.argsSchema}, schemas.forPipeline(record.pipeline)?.args, typed);
		},
	});
}
