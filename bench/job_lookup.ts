/**
 * Child of the jobs rung (bench/jobs.ts): a fresh client in a fresh process looks up one job in a
 * state topic of many finished jobs. Prints one JSON line: connect and lookup times, and this
 * process's RSS and heap before and after the lookup (gc forced; run with --expose-gc).
 *
 *   node --expose-gc --import tsx bench/job_lookup.ts REQUEST_TOPIC JOB_ID
 */
import {PipelineClient} from '../dist/src/index.js';

const [requestTopic, id] = process.argv.slice(2);
if (!requestTopic || !id) throw new Error('usage: job_lookup.ts REQUEST_TOPIC JOB_ID');
const brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');
const gc = (globalThis as {gc?: () => void}).gc ?? (() => undefined);
const mb = (bytes: number) => bytes / 2 ** 20;

const t0 = performance.now();
const client = await PipelineClient.connect({requestTopic, brokers});
const connectMs = performance.now() - t0;
try {
	gc();
	const before = process.memoryUsage();
	const t1 = performance.now();
	const job = await client.job(id);
	const {state} = await job.status();
	const lookupMs = performance.now() - t1;
	gc();
	const after = process.memoryUsage();
	console.log(JSON.stringify({
		connectMs, lookupMs, state,
		rssBeforeMb: mb(before.rss), rssAfterMb: mb(after.rss), heapBeforeMb: mb(before.heapUsed), heapAfterMb: mb(after.heapUsed),
		arrayBuffersBeforeMb: mb(before.arrayBuffers), arrayBuffersAfterMb: mb(after.arrayBuffers), heapTotalAfterMb: mb(after.heapTotal),
	}));
} finally {
	await client.close();
}
