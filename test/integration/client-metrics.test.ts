/**
 * client.metrics() and its prom-client export against a real broker and runner: the client's
 * counts by pipeline and outcome match the calls made and the runner's own /metrics; the
 * round-trip histogram holds every call sent, no shorter than the runner's run time.
 */
import assert from 'node:assert/strict';
import {after, before, test} from 'node:test';
import {Registry} from 'prom-client';
import {InvocationTimeoutError, PipelineError} from '../../src/index.js';
import {registerClientMetrics} from '../../src/observability/prometheus-adapter.js';
import {createStack, type Stack} from '../helpers/harness.js';

let stack: Stack;
let runnerMetrics: string;

before(async () => {
	stack = await createStack('client-metrics', {runners: 0});
	const runner = await stack.startRunner({extraArgs: ['--partitions', '4', '--metrics-port', '0', '--metrics-host', '127.0.0.1']});
	const serving = await runner.waitFor('metrics.serving');
	runnerMetrics = `http://127.0.0.1:${String(serving['port'])}/metrics`;
});

after(async () => {
	await stack?.close();
});

/** A sample's value in Prometheus text, or undefined. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
	for (const line of text.split('\n')) {
		const match = /^([\w:]+)(?:\{(.*)\})? (\S+)$/.exec(line);
		if (match?.[1] !== name) continue;
		const have = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map(m => [m[1]!, m[2]!]));
		if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(match[3]);
	}

	return undefined;
}

test('counts by pipeline and outcome match the calls made, and the runner\'s own counts', {timeout: 60_000}, async () => {
	const {client} = stack;
	const registry = new Registry();
	await registerClientMetrics(client, {registry});
	await Promise.all(Array.from({length: 20}, async (_, i) => client.invoke('echo', {value: i})));
	for (let i = 0; i < 3; i++) {
		await assert.rejects(client.invoke('fail', {message: 'no'}), PipelineError);
	}

	await assert.rejects(client.invoke('sleep', {seconds: 1.5}, {timeoutMs: 200}), InvocationTimeoutError);
	await client.invoke('sleep', {seconds: 0.2, value: 'slow'});

	const metrics = client.metrics();
	assert.deepEqual(metrics.pipelines['echo']?.calls, {ok: 20});
	assert.deepEqual(metrics.pipelines['fail']?.calls, {pipeline_error: 3});
	assert.deepEqual(metrics.pipelines['sleep']?.calls, {invocation_timeout: 1, ok: 1});
	assert.equal(metrics.pipelines['echo']?.duration.count, 20);
	assert.equal(metrics.pendingCalls, 0);
	assert.equal(metrics.brokerWaits, 0);
	// The 0.2 s sleep and the 0.2 s timeout: both round trips ≥ 0.2 s, so the 0.1 s bucket holds neither.
	const sleep = metrics.pipelines['sleep']!.duration;
	assert.equal(sleep.count, 2);
	assert.equal(sleep.buckets.find(b => b.le === 0.1)?.count, 0);
	assert.ok(sleep.sum >= 0.4);

	const text = await registry.metrics();
	assert.equal(sample(text, 'mlbridge_client_calls_total', {pipeline: 'echo', outcome: 'ok'}), 20);
	assert.equal(sample(text, 'mlbridge_client_calls_total', {pipeline: 'fail', outcome: 'pipeline_error'}), 3);
	assert.equal(sample(text, 'mlbridge_client_call_duration_seconds_count', {pipeline: 'echo'}), 20);

	// The runner answered the same calls (its count of the timed-out sleep arrives when it finishes).
	const runner = await (await fetch(runnerMetrics)).text();
	assert.equal(sample(runner, 'mlbridge_runner_calls_total', {pipeline: 'echo', outcome: 'ok'}), 20);
	assert.equal(sample(runner, 'mlbridge_runner_calls_total', {pipeline: 'fail', outcome: 'pipeline_error'}), 3);
});
