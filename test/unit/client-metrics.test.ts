/**
 * client.metrics() over a fake transport (every way a call ends is counted once, with its outcome),
 * the histogram's buckets, and the prom-client adapter's text output.
 */
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {Registry} from 'prom-client';
import {
	createLogger,
	latencyBucketsSeconds,
	MissingPeerDependencyError,
	PipelineClient,
	type ClientMetricsSnapshot,
	type ClientOptions,
} from '../../src/index.js';
import {LatencyHistogram} from '../../src/observability/histogram.js';
import {clientMetricNames, mergeSnapshots, registerClientMetrics} from '../../src/observability/prometheus-adapter.js';
import {FakeTransport, okReply, type FakeBehaviour} from '../helpers/fake-transport.js';
import type {ReplyEnvelope} from '../../src/codec/index.js';

function errorReply(code: string, type: string, message: string): Omit<ReplyEnvelope, 'id'> {
	return {
		status: 'ERROR', result: Buffer.alloc(0), resultSchema: '', progress: null, runner: 'fake',
		error: {code, type, message, traceback: '', retryable: false, causes: []},
		timings: {receivedAtMs: 0, startedAtMs: 0, finishedAtMs: 0},
	};
}

const connectionError = Object.assign(new Error('Connection error: connect ECONNREFUSED'), {name: 'KafkaJSConnectionError'});

async function connect(behaviour: FakeBehaviour, options: ClientOptions = {}): Promise<PipelineClient> {
	return PipelineClient.connect({brokers: ['fake:1'], logger: createLogger('silent'), ...options}, async () => new FakeTransport(behaviour));
}

/** Answers by pipeline name: "ok" echoes, "boom" fails remotely, "silent" never answers. */
const behaviour: FakeBehaviour = {
	answer(request, args) {
		if (request.pipeline === 'boom') return [errorReply('PIPELINE_ERROR', 'ValueError', 'no')];
		if (request.pipeline === 'silent') return undefined;
		return [okReply(args)];
	},
};

test('the histogram counts a value equal to a bound in that bound\'s bucket, cumulatively, +Inf last', () => {
	const histogram = new LatencyHistogram();
	for (const seconds of [0.0004, 0.001, 0.0011, 0.3, 20_000]) histogram.observe(seconds);
	const {buckets, sum, count} = histogram.snapshot();
	assert.equal(buckets.length, latencyBucketsSeconds.length + 1);
	const at = (le: number) => buckets.find(b => b.le === le)?.count;
	assert.equal(at(0.001), 2);
	assert.equal(at(0.0025), 3);
	assert.equal(at(0.25), 3);
	assert.equal(at(0.5), 4);
	assert.equal(at(14_400), 4);
	assert.equal(at(Infinity), 5);
	assert.equal(count, 5);
	assert.ok(Math.abs(sum - 20_000.3025) < 1e-9);
});

test('every way a call ends is counted once by pipeline and outcome; durations only for calls sent', async () => {
	// The deadline wheel's timer does not keep a process alive; this does, while calls time out.
	const alive = setInterval(() => undefined, 1000);
	const client = await connect(behaviour);
	await client.invoke('ok', {a: 1});
	await client.invoke('ok', {a: 2});
	await assert.rejects(client.invoke('boom', {}));
	await assert.rejects(client.invoke('silent', {}, {timeoutMs: 30}));
	const controller = new AbortController();
	const aborted = client.invoke('silent', {}, {signal: controller.signal});
	const pendingNow = client.metrics().pendingCalls;
	controller.abort();
	await assert.rejects(aborted);
	await assert.rejects(client.invoke('ok', {}, {timeoutMs: -1}), TypeError); // a programming error: not an outcome
	const stillPending = client.invoke('silent', {}, {timeoutMs: 60_000});
	await client.close();
	await assert.rejects(stillPending);
	await assert.rejects(client.invoke('ok', {})); // closed: refused before sending

	const metrics = client.metrics();
	assert.equal(pendingNow, 1);
	assert.equal(metrics.pendingCalls, 0);
	assert.deepEqual(metrics.pipelines['ok']?.calls, {ok: 2, client_closed: 1});
	assert.deepEqual(metrics.pipelines['boom']?.calls, {pipeline_error: 1});
	assert.deepEqual(metrics.pipelines['silent']?.calls, {invocation_timeout: 1, cancelled: 1, client_closed: 1});
	assert.equal(metrics.pipelines['ok']?.duration.count, 2, 'the refused call has no duration');
	assert.equal(metrics.pipelines['silent']?.duration.count, 3);
	const timeoutSum = metrics.pipelines['silent']!.duration.sum;
	assert.ok(timeoutSum >= 0.03, `the timed-out call took at least its 30 ms (sum ${timeoutSum})`);
	assert.equal(metrics.brokerWaits, 0);
	assert.equal(metrics.pipelines['ok']?.retries, 0);
	assert.doesNotThrow(() => JSON.stringify(metrics));
	clearInterval(alive);
});

test('retries and broker-down waits: one wait per call, one retry per re-send', async () => {
	const client = await connect({...behaviour, failSend: attempt => (attempt <= 3 ? connectionError : undefined)});
	assert.deepEqual(await client.invoke('ok', {v: 1}, {timeoutMs: 10_000}), {v: 1});
	const metrics = client.metrics();
	assert.equal(metrics.brokerWaits, 1);
	assert.equal(metrics.pipelines['ok']?.retries, 3);
	assert.deepEqual(metrics.pipelines['ok']?.calls, {ok: 1});
	await client.close();
});

test('"fail": the unreachable broker is the outcome, nothing waited', async () => {
	const client = await connect({failSend: () => connectionError}, {whenBrokerDown: 'fail'});
	await assert.rejects(client.invoke('ok', {}));
	assert.deepEqual(client.metrics().pipelines['ok']?.calls, {broker_unreachable: 1});
	assert.equal(client.metrics().brokerWaits, 0);
	await client.close();
});

test('submit() counts a job once; a handle on an existing job id is not a submission', async () => {
	const client = await connect({});
	await client.submit('train', {}, {jobId: 'j-1'});
	await client.submit('train', {}, {jobId: 'j-1'});
	assert.equal(client.metrics().pipelines['train']?.jobsSubmitted, 1);
	await client.close();
});

test('prom-client: the client\'s series, read at scrape time, under the documented names', async () => {
	const client = await connect(behaviour);
	const registry = new Registry();
	const registration = await registerClientMetrics(client, {registry});
	await client.invoke('ok', {});
	await client.invoke('ok', {});
	await assert.rejects(client.invoke('boom', {}));
	const text = await registry.metrics();
	assert.match(text, /^mlbridge_client_calls_total\{pipeline="ok",outcome="ok"\} 2$/m);
	assert.match(text, /^mlbridge_client_calls_total\{pipeline="boom",outcome="pipeline_error"\} 1$/m);
	assert.match(text, /^# TYPE mlbridge_client_call_duration_seconds histogram$/m);
	assert.match(text, /^mlbridge_client_call_duration_seconds_bucket\{le="14400",pipeline="ok"\} 2$/m);
	assert.match(text, /^mlbridge_client_call_duration_seconds_bucket\{le="\+Inf",pipeline="ok"\} 2$/m);
	assert.match(text, /^mlbridge_client_call_duration_seconds_count\{pipeline="ok"\} 2$/m);
	assert.match(text, /^mlbridge_client_call_duration_seconds_sum\{pipeline="ok"\} [\d.e-]+$/m);
	assert.match(text, /^mlbridge_client_pending_calls 0$/m);
	assert.match(text, /^mlbridge_client_broker_waits_total 0$/m);
	assert.match(text, /^mlbridge_client_retries_total\{pipeline="ok"\} 0$/m);
	// Counts follow the client between scrapes.
	await client.invoke('ok', {});
	assert.match(await registry.metrics(), /^mlbridge_client_calls_total\{pipeline="ok",outcome="ok"\} 3$/m);
	const json = await registry.getMetricsAsJSON();
	assert.ok(json.some(metric => metric.name === clientMetricNames.duration && metric.values.length === (latencyBucketsSeconds.length + 3) * 2));
	registration.unregister();
	assert.equal((await registry.metrics()).trim(), '');
	await client.close();
});

test('prom-client: several clients add up', async () => {
	const a: ClientMetricsSnapshot = {pendingCalls: 1, brokerWaits: 2, pipelines: {p: {calls: {ok: 1}, retries: 1, jobsSubmitted: 0, duration: histogramOf([0.002])}}};
	const b: ClientMetricsSnapshot = {pendingCalls: 3, brokerWaits: 0, pipelines: {p: {calls: {ok: 2, cancelled: 1}, retries: 0, jobsSubmitted: 1, duration: histogramOf([0.002, 7])}}};
	const merged = mergeSnapshots([a, b]);
	assert.equal(merged.pendingCalls, 4);
	assert.equal(merged.brokerWaits, 2);
	assert.deepEqual(merged.pipelines['p']?.calls, {ok: 3, cancelled: 1});
	assert.equal(merged.pipelines['p']?.duration.count, 3);
	assert.equal(merged.pipelines['p']?.duration.buckets.find(bucket => bucket.le === 0.0025)?.count, 2);
	assert.equal(merged.pipelines['p']?.jobsSubmitted, 1);
	const registry = new Registry();
	await registerClientMetrics([{metrics: () => a}, {metrics: () => b}], {registry});
	assert.match(await registry.metrics(), /^mlbridge_client_pending_calls 4$/m);
});

test('prom-client missing: MissingPeerDependencyError naming the package', async () => {
	const notFound = Object.assign(new Error("Cannot find package 'prom-client'"), {code: 'ERR_MODULE_NOT_FOUND'});
	await assert.rejects(registerClientMetrics({metrics: () => mergeSnapshots([])}, {}, async () => Promise.reject(notFound)), (error: unknown) => {
		assert.ok(error instanceof MissingPeerDependencyError);
		assert.equal(error.packageName, 'prom-client');
		assert.equal(error.code, 'MISSING_PEER_DEPENDENCY');
		assert.match(error.message, /npm install prom-client/);
		return true;
	});
});

function histogramOf(values: number[]) {
	const histogram = new LatencyHistogram();
	for (const value of values) histogram.observe(value);
	return histogram.snapshot();
}
