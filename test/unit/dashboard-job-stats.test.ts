/** The pipelines page's "jobs over time": ended per minute, outcomes and run-time quantiles. */
import assert from 'node:assert/strict';
import {test} from 'node:test';
import type {JobStatus} from '../../src/index.js';
import {jobStats, quantile} from '../../src/dashboard/job-stats.js';

const now = Date.UTC(2026, 11, 4, 15, 0, 0);

function job(id: string, overrides: Partial<JobStatus>): JobStatus {
	return {
		id, pipeline: 'train', state: 'SUCCEEDED', attempt: 1, maxAttempts: 3, runner: 'r', submittedBy: 'c',
		submittedAtMs: now - 3_600_000, startedAtMs: 0, heartbeatAtMs: 0, finishedAtMs: 0, updatedAtMs: now,
		progress: undefined, error: undefined, hasCheckpoint: false, ...overrides,
	};
}

test('nearest-rank quantiles', () => {
	assert.equal(quantile([], 0.5), null);
	assert.equal(quantile([7], 0.99), 7);
	const hundred = Array.from({length: 100}, (_, i) => i + 1);
	assert.equal(quantile(hundred, 0.5), 50);
	assert.equal(quantile(hundred, 0.99), 99);
});

test('jobs ended in the window are counted per minute and by outcome; older ones are left out', () => {
	const stats = jobStats([
		job('a', {startedAtMs: now - 90_000, finishedAtMs: now - 30_000}), // last minute, ran 60 s
		job('b', {state: 'FAILED', startedAtMs: now - 125_000, finishedAtMs: now - 120_000}), // two minutes ago, ran 5 s
		job('c', {state: 'CANCELLED', startedAtMs: now - 151_000, finishedAtMs: now - 150_000}), // two and a half minutes ago, ran 1 s
		job('old', {startedAtMs: now - 3_000_000, finishedAtMs: now - 2_900_000}), // before the window
		job('r', {state: 'RUNNING', startedAtMs: now - 1000}),
		job('q', {state: 'QUEUED', pipeline: 'eval'}),
	], now, 30);
	assert.deepEqual(stats.pipelines.map(p => p.pipeline), ['eval', 'train']);
	const train = stats.pipelines[1]!;
	assert.equal(train.finishedPerMinute.length, 30);
	assert.equal(train.finishedPerMinute[29], 1);
	assert.equal(train.finishedPerMinute[28], 1);
	assert.equal(train.finishedPerMinute[27], 1);
	assert.equal(train.finishedPerMinute.reduce((a, b) => a + b), 3);
	assert.deepEqual([train.succeeded, train.failed, train.cancelled, train.running, train.queued], [1, 1, 1, 1, 0]);
	assert.equal(train.p50Ms, 5000);
	assert.equal(train.p99Ms, 60_000);
	assert.equal(stats.pipelines[0]!.queued, 1);
	assert.equal(stats.pipelines[0]!.p50Ms, null);
});
