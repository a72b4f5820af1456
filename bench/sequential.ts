/**
 * `npm run bench:sequential`: the time from connect() to the first successful invoke, then the
 * round trip of N sequential no-op invokes (default 200) after a short warm-up.
 */
import {randomBytes} from 'node:crypto';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {PipelineClient, RunnerProcess} from '../dist/src/index.js';

const count = Number(process.argv[2] ?? 200);
const here = path.dirname(fileURLToPath(import.meta.url));
const requestTopic = `bench.sequential.${randomBytes(4).toString('hex')}`;
const runner = await RunnerProcess.start({pipelines: [path.join(here, 'pipelines.py')], requestTopic, group: `${requestTopic}.runners`});
const connectStart = performance.now();
const client = await PipelineClient.connect({requestTopic});
const connected = performance.now();
await client.invoke('noop', {});
const firstInvoke = performance.now();
try {
	for (let i = 0; i < 50; i++) {
		await client.invoke('noop', {});
	}

	const samples: number[] = [];
	for (let i = 0; i < count; i++) {
		const t = performance.now();
		await client.invoke('noop', {});
		samples.push(performance.now() - t);
	}

	samples.sort((a, b) => a - b);
	const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!.toFixed(2);
	console.log(`connect() ${(connected - connectStart).toFixed(0)} ms; connect() to first invoke ${(firstInvoke - connectStart).toFixed(0)} ms`);
	console.log(`${count} sequential no-op invokes: p50 ${at(0.5)} ms, p90 ${at(0.9)} ms, p99 ${at(0.99)} ms, max ${samples.at(-1)!.toFixed(2)} ms`);
} finally {
	await client.close();
	await runner.stop();
}
