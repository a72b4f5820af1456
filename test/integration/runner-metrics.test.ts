/**
 * The runner's `--metrics-port` (docs/observability.md): a real runner, real calls through
 * PipelineClient, `/metrics` scraped and checked against the calls made; `/readyz` before and after
 * assignment, and through a broker outage (a throw-away second broker killed and started again).
 */
import assert from 'node:assert/strict';
import {after, before, describe, test} from 'node:test';
import {PipelineError, RunnerProcess, UnknownPipelineError} from '../../src/index.js';
import {createStack, fixturePipelines, uniqueName, type Stack} from '../helpers/harness.js';
import {secondBroker} from '../helpers/second-broker.js';

type Sample = {readonly name: string; readonly labels: Readonly<Record<string, string>>; readonly value: number};

/** The samples of a Prometheus text exposition (what a scraper reads). */
function parseMetrics(text: string): Sample[] {
	const samples: Sample[] = [];
	for (const line of text.split('\n')) {
		const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
		if (!match) {
			continue;
		}

		const labels: Record<string, string> = {};
		for (const pair of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
			labels[pair[1]!] = pair[2]!;
		}

		samples.push({name: match[1]!, labels, value: Number(match[3])});
	}

	return samples;
}

function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
	return samples.find(s => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

async function get(url: string): Promise<{status: number; text: string}> {
	const response = await fetch(url);
	return {status: response.status, text: await response.text()};
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	let last: unknown;
	while (Date.now() < deadline) {
		try {
			const found = await probe();
			if (found !== undefined) {
				return found;
			}
		} catch (error) {
			last = error;
		}

		await new Promise(resolve => setTimeout(resolve, 200));
	}

	throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

const metricsArgs = ['--metrics-port', '0', '--metrics-host', '127.0.0.1'];

async function baseUrl(runner: RunnerProcess): Promise<string> {
	const serving = await runner.waitFor('metrics.serving');
	return `http://127.0.0.1:${String(serving['port'])}`;
}

describe('runner metrics and probes', () => {
	let stack: Stack;
	let runner: RunnerProcess;
	let base: string;
	before(async () => {
		stack = await createStack('metrics', {runners: 0});
		runner = await stack.startRunner({extraArgs: ['--partitions', '4', ...metricsArgs], waitUntilAssigned: false});
		base = await baseUrl(runner);
	});
	after(async () => {
		await stack.close();
	});

	test('/readyz is 503 before the group is joined and 200 after; /healthz is 200', async () => {
		const early = await get(`${base}/readyz`);
		assert.equal(early.status, 503, early.text);
		assert.ok((JSON.parse(early.text) as {failing: string[]}).failing.includes('group_joined'), early.text);
		await runner.waitFor('runner.assigned');
		const ready = await until('readyz 200', async () => {
			const answer = await get(`${base}/readyz`);
			return answer.status === 200 ? answer : undefined;
		});
		assert.deepEqual(JSON.parse(ready.text), {
			ok: true,
			checks: {pipelines_loaded: true, connected: true, group_joined: true, not_stopping: true},
			failing: [],
		});
		assert.equal((await get(`${base}/healthz`)).status, 200);
		assert.equal((await get(`${base}/nothing`)).status, 404);
	});

	test('calls are counted by pipeline and outcome, their durations observed, lag returns to 0', async () => {
		const {client} = stack;
		for (let i = 0; i < 5; i++) {
			assert.equal(await client.invoke('echo', {value: i}), i);
		}

		for (let i = 0; i < 3; i++) {
			await assert.rejects(client.invoke('fail', {message: `bad ${i}`}), PipelineError);
		}

		await assert.rejects(client.invoke('no_such_pipeline', {}), UnknownPipelineError);
		await assert.rejects(client.invoke('no_such_pipeline', {}), UnknownPipelineError);
		await client.invoke('train', {epochs: 3});

		const samples = parseMetrics((await get(`${base}/metrics`)).text);
		const calls = (pipeline: string, outcome: string) => value(samples, 'mlbridge_runner_calls_total', {pipeline, outcome});
		assert.equal(calls('echo', 'ok'), 5);
		assert.equal(calls('fail', 'pipeline_error'), 3);
		assert.equal(calls('(unknown)', 'unknown_pipeline'), 2);
		assert.equal(calls('train', 'ok'), 1);
		// Histograms observe the calls that ran (an unknown pipeline never did).
		for (const [pipeline, count] of [['echo', 5], ['fail', 3], ['train', 1]] as const) {
			assert.equal(value(samples, 'mlbridge_runner_call_duration_seconds_count', {pipeline}), count, pipeline);
			assert.equal(value(samples, 'mlbridge_runner_queue_wait_seconds_count', {pipeline}), count, pipeline);
			assert.equal(value(samples, 'mlbridge_runner_call_duration_seconds_bucket', {pipeline, le: '+Inf'}), count, pipeline);
		}

		assert.equal(value(samples, 'mlbridge_runner_call_duration_seconds_count', {pipeline: '(unknown)'}), undefined);
		const trainRun = value(samples, 'mlbridge_runner_call_duration_seconds_sum', {pipeline: 'train'})!;
		assert.ok(trainRun >= 0.4 && trainRun < 5, `train ran ${trainRun} s (3 epochs of 0.15 s)`);
		assert.ok(value(samples, 'mlbridge_runner_progress_reports_total', {pipeline: 'train'})! >= 2);
		assert.equal(value(samples, 'mlbridge_runner_calls_in_flight'), 0);
		assert.equal(value(samples, 'mlbridge_runner_calls_queued'), 0);
		assert.equal(value(samples, 'mlbridge_runner_jobs_running'), 0);
		assert.equal(value(samples, 'mlbridge_runner_info', {group: stack.group}), 1);
		const tick = value(samples, 'mlbridge_runner_loop_last_tick_timestamp_seconds')!;
		assert.ok(Math.abs(Date.now() / 1000 - tick) < 10, `last tick ${tick}`);

		// Lag: every assigned request partition reported, all back to 0 once the offsets are stored.
		const lag = await until('lag 0 on every request partition', async () => {
			const found = parseMetrics((await get(`${base}/metrics`)).text)
				.filter(s => s.name === 'mlbridge_runner_consumer_lag' && s.labels['topic'] === stack.requestTopic);
			return found.length === 4 && found.every(s => s.value === 0) ? found : undefined;
		});
		assert.deepEqual(lag.map(s => s.labels['partition']).sort(), ['0', '1', '2', '3']);
	});
});

describe('runner readiness through a broker outage', () => {
	const broker = secondBroker({port: Number(process.env['MLBRIDGE_METRICS_TEST_BROKER_PORT'] ?? 19_392)});
	let runner: RunnerProcess | undefined;
	before(async () => {
		await broker.start();
	});
	after(async () => {
		await runner?.stop();
		// stop.sh --wipe stops and wipes, then exits 1 here too (as in the reliability tier): not this test's subject.
		await broker.stop(true).catch(() => undefined);
	});

	test('/readyz is 200 while connected, 503 while the broker is down, 200 again once it is back', async () => {
		const topic = uniqueName('metrics-outage');
		runner = await RunnerProcess.start({
			pipelines: [fixturePipelines],
			brokers: broker.brokers,
			requestTopic: topic,
			group: `${topic}.runners`,
			extraArgs: ['--partitions', '2', '--job-concurrency', '0', ...metricsArgs],
			env: {MLBRIDGE_CATALOG_TOPIC: `${topic}.catalog`},
			onLog() {}, // the outage makes librdkafka warn about every reconnect
		});
		const url = `${await baseUrl(runner)}/readyz`;
		const status = async (want: number) => until(`readyz ${want}`, async () => ((await get(url)).status === want ? want : undefined), 30_000);
		await status(200);
		await broker.kill9();
		const down = Date.now();
		await status(503);
		const failing = (JSON.parse((await get(url)).text) as {failing: string[]}).failing;
		assert.ok(failing.includes('connected'), failing.join());
		assert.ok(Date.now() - down < 10_000, `readyz went 503 after ${Date.now() - down} ms`);
		assert.equal((await get(url.replace('/readyz', '/healthz'))).status, 200); // alive: the loop goes on
		await broker.start();
		await status(200);
	});
});
