/**
 * The dashboard's reading of runner metrics: the Prometheus text parser on a page shaped like the
 * runner's (prometheus_client output), counters per pipeline, rates between scrapes (with a
 * counter reset), runners summed, and quantiles from bucket deltas like histogram_quantile().
 */
import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {bucketQuantile, callPoint, counterDelta, runnerCounters, sumDeltas} from '../../src/dashboard/call-metrics.js';
import {parsePrometheusText} from '../../src/dashboard/prometheus-text.js';

const bounds = ['0.001', '0.0025', '0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1.0', '2.5', '5.0', '10.0', '30.0', '60.0', '300.0', '900.0', '1800.0', '3600.0', '7200.0', '14400.0', '+Inf'];

/** A /metrics page as prometheus_client writes it: `echo` with `ok` and `pipeline_error` calls. */
function page(ok: number, failed: number, perBucket: Readonly<Record<string, number>>): string {
	let cumulative = 0;
	const buckets = bounds.map(le => {
		cumulative += perBucket[le] ?? 0;
		return `mlbridge_runner_call_duration_seconds_bucket{le="${le}",pipeline="echo"} ${cumulative.toFixed(1)}`;
	});
	return [
		'# HELP mlbridge_runner_calls_total Calls answered, by pipeline and outcome',
		'# TYPE mlbridge_runner_calls_total counter',
		`mlbridge_runner_calls_total{outcome="ok",pipeline="echo"} ${ok.toFixed(1)}`,
		`mlbridge_runner_calls_total{outcome="pipeline_error",pipeline="echo"} ${failed.toFixed(1)}`,
		'# HELP mlbridge_runner_calls_created Calls answered, by pipeline and outcome',
		'# TYPE mlbridge_runner_calls_created gauge',
		'mlbridge_runner_calls_created{outcome="ok",pipeline="echo"} 1.7648e+09',
		'# HELP mlbridge_runner_call_duration_seconds Run time',
		'# TYPE mlbridge_runner_call_duration_seconds histogram',
		...buckets,
		`mlbridge_runner_call_duration_seconds_count{pipeline="echo"} ${cumulative.toFixed(1)}`,
		'mlbridge_runner_call_duration_seconds_sum{pipeline="echo"} 0.123',
		'# HELP mlbridge_runner_info Runner identity',
		'# TYPE mlbridge_runner_info gauge',
		'mlbridge_runner_info{group="g",runner="host/1/ab",version="0.1.0"} 1.0',
		'mlbridge_runner_calls_in_flight 3.0',
		'',
	].join('\n');
}

describe('the Prometheus text format', () => {
	test('samples with labels, escapes, special values and timestamps; comments and junk skipped', () => {
		const samples = parsePrometheusText([
			'# HELP x a help text with "quotes"',
			'plain 1.5',
			'with_ts{a="1"} 2 1712345678000',
			'escaped{path="C:\\\\dir",quote="say \\"hi\\"",nl="a\\nb",}  3e2',
			'inf{le="+Inf"} +Inf',
			'nan NaN',
			'neg -Inf',
			'{not="a metric"} 1',
			'broken{a="1" 2',
			'novalue{a="1"}',
			'   ',
		].join('\n'));
		assert.deepEqual(samples.slice(0, 4), [
			{name: 'plain', labels: {}, value: 1.5},
			{name: 'with_ts', labels: {a: '1'}, value: 2},
			{name: 'escaped', labels: {path: 'C:\\dir', quote: 'say "hi"', nl: 'a\nb'}, value: 300},
			{name: 'inf', labels: {le: '+Inf'}, value: Number.POSITIVE_INFINITY},
		]);
		assert.ok(Number.isNaN(samples[4]!.value));
		assert.equal(samples[5]!.value, Number.NEGATIVE_INFINITY);
		assert.equal(samples.length, 6);
	});

	test('a runner page gives counters per pipeline: outcomes and cumulative buckets in order', () => {
		const counters = runnerCounters(parsePrometheusText(page(90, 10, {'0.005': 40, '0.01': 50, '0.25': 10})));
		assert.deepEqual([...counters.keys()], ['echo']);
		const echo = counters.get('echo')!;
		assert.deepEqual(echo.outcomes, {ok: 90, pipeline_error: 10});
		assert.equal(echo.buckets.length, bounds.length);
		assert.deepEqual(echo.buckets.slice(0, 4), [[0.001, 0], [0.0025, 0], [0.005, 40], [0.01, 90]]);
		assert.deepEqual(echo.buckets.at(-1), [Number.POSITIVE_INFINITY, 100]);
	});
});

describe('rates and quantiles', () => {
	test('histogram_quantile: linear inside the bucket, from 0 in the first, the top finite bound in +Inf', () => {
		const buckets = [[0.005, 40], [0.01, 90], [0.25, 100], [Number.POSITIVE_INFINITY, 100]] as const;
		assert.ok(Math.abs(bucketQuantile(0.5, buckets)! - (0.005 + (0.005 * 10) / 50)) < 1e-12);
		assert.ok(Math.abs(bucketQuantile(0.99, buckets)! - (0.01 + (0.24 * 9) / 10)) < 1e-12);
		assert.equal(bucketQuantile(0.2, buckets), 0.0025);
		assert.equal(bucketQuantile(0.5, [[1, 0], [Number.POSITIVE_INFINITY, 4]]), 1);
		assert.equal(bucketQuantile(0.5, [[1, 0], [Number.POSITIVE_INFINITY, 0]]), null);
		assert.equal(bucketQuantile(0.5, []), null);
	});

	test('between two scrapes: calls and errors per second, quantiles of that interval only', () => {
		const before = runnerCounters(parsePrometheusText(page(90, 10, {'0.005': 100})));
		// 50 more calls in 5 s, all slow (0.1-0.25 s): the early fast ones must not pull p50 down.
		const after = runnerCounters(parsePrometheusText(page(135, 15, {'0.005': 100, '0.25': 50})));
		const delta = counterDelta(before, after, 5).get('echo')!;
		assert.equal(delta.calls, 50);
		assert.equal(delta.errors, 5);
		assert.equal(delta.callsPerSecond, 10);
		assert.equal(delta.errorsPerSecond, 1);
		const point = callPoint(delta);
		assert.ok(Math.abs(point.p50Ms! - 175) < 1e-9, `p50 ${point.p50Ms}`);
		assert.ok(Math.abs(point.p99Ms! - 248.5) < 1e-9, `p99 ${point.p99Ms}`);
		// Nothing new: zero calls per second and no quantile (a gap in the chart, not a zero).
		const idle = callPoint(counterDelta(after, after, 5).get('echo')!);
		assert.deepEqual(idle, {callsPerSecond: 0, errorsPerSecond: 0, p50Ms: null, p99Ms: null});
		// The first scrape of a runner gives no rate.
		assert.equal(counterDelta(undefined, after, 5).size, 0);
	});

	test('a runner that restarted (counters went down) counts what it counted since', () => {
		const before = runnerCounters(parsePrometheusText(page(900, 100, {'0.005': 1000})));
		const after = runnerCounters(parsePrometheusText(page(20, 0, {'0.01': 20})));
		const delta = counterDelta(before, after, 2).get('echo')!;
		assert.equal(delta.calls, 20);
		assert.equal(delta.callsPerSecond, 10);
		assert.ok(Math.abs(callPoint(delta).p50Ms! - 7.5) < 1e-9);
	});

	test('runners add up: rates summed, buckets summed bound by bound', () => {
		const a = counterDelta(runnerCounters(parsePrometheusText(page(0, 0, {}))), runnerCounters(parsePrometheusText(page(10, 0, {'0.005': 10}))), 1);
		const b = counterDelta(runnerCounters(parsePrometheusText(page(0, 0, {}))), runnerCounters(parsePrometheusText(page(30, 0, {'0.25': 30}))), 2);
		const total = sumDeltas([a, b]).get('echo')!;
		assert.equal(total.calls, 40);
		assert.equal(total.callsPerSecond, 10 + 15);
		// 10 fast + 30 slow: p50 falls among the slow ones.
		const point = callPoint(total);
		assert.ok(point.p50Ms! > 100 && point.p50Ms! < 250, `p50 ${point.p50Ms}`);
		assert.ok(point.p99Ms! > point.p50Ms!);
	});
});
