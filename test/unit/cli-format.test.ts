/**
 * The client commands' printing, without a broker: JSON of decoded values, typed errors, the job
 * status block and table, pipeline signatures, progress lines and the ETA.
 */
import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import type {CliJobStatus, CliPipeline} from '../../src/cli/cli-client.js';
import {cancelText} from '../../src/cli/cancel-command.js';
import {formatJobsTable, formatStatus} from '../../src/cli/job-format.js';
import {errorJson, formatDuration, formatError, formatTable, jsonText, toJsonValue} from '../../src/cli/output.js';
import {avroTypeText, formatPipelinesTable, signatureText} from '../../src/cli/pipelines-command.js';
import {EtaEstimator, formatBarLine, formatPlainLine} from '../../src/cli/progress-view.js';
import {cliJobStatus} from '../helpers/cli-job-status.js';
import {PipelineError, InvocationTimeoutError} from '../../src/index.js';

const t0 = Date.UTC(2026, 11, 4, 14, 0, 0);

function status(overrides: Partial<CliJobStatus> = {}): CliJobStatus {
	return cliJobStatus(t0, {
		heartbeatAtMs: t0 + 9000,
		updatedAtMs: t0 + 9000,
		progress: {current: 3, total: 10, message: 'epoch 3', atMs: t0 + 9000},
		...overrides,
	});
}

function pipelineError(): PipelineError {
	return new PipelineError(
		'req-1',
		'fail',
		{code: 'PIPELINE_ERROR', type: 'DataError', message: 'boom', traceback: 'Traceback (most recent call last):\n  File "p.py"\nDataError: boom\n', retryable: false, causes: [{type: 'KeyError', message: 'inner'}]},
		'host/7',
	);
}

describe('cli output: values as JSON', () => {
	test('bigints, bytes, dates and maps become JSON; safe bigints stay numbers', () => {
		const value = {
			big: 2n ** 70n,
			small: 5n,
			bytes: Uint8Array.from([1, 2, 3]),
			when: new Date(t0),
			map: new Map([['a', 1]]),
			list: [1, undefined, 'x'],
			gone: undefined,
		};
		assert.deepEqual(toJsonValue(value), {
			big: '1180591620717411303424',
			small: 5,
			bytes: 'AQID',
			when: '2026-12-04T14:00:00.000Z',
			map: {a: 1},
			list: [1, null, 'x'],
		});
		assert.equal(jsonText(undefined, false), 'null');
		assert.equal(jsonText({a: [1]}, true), '{\n  "a": [\n    1\n  ]\n}');
	});
});

describe('cli output: errors', () => {
	test('a typed error prints its class, code and message; the traceback only when verbose', () => {
		const quiet = formatError(pipelineError(), false);
		assert.match(quiet, /^PipelineError \[PIPELINE_ERROR\]: boom\n/);
		assert.match(quiet, /remote DataError, request req-1, runner host\/7/);
		assert.match(quiet, /--verbose prints the remote traceback/);
		assert.doesNotMatch(quiet, /Traceback/);
		const verbose = formatError(pipelineError(), true);
		assert.match(verbose, /Traceback \(most recent call last\):\n {2}File "p\.py"\nDataError: boom\n$/);
	});

	test('a local typed error has no traceback line', () => {
		const text = formatError(new InvocationTimeoutError('req-2', 'sleep', 500), false);
		assert.match(text, /^InvocationTimeoutError \[\w+\]: /);
		assert.doesNotMatch(text, /traceback/);
	});

	test('errorJson keeps the machine-readable fields', () => {
		const json = errorJson(pipelineError());
		assert.equal(json['name'], 'PipelineError');
		assert.equal(json['code'], 'PIPELINE_ERROR');
		assert.equal(json['message'], 'boom');
		assert.equal(json['requestId'], 'req-1');
		assert.equal(json['remoteType'], 'DataError');
		assert.match(String(json['remoteTraceback']), /DataError: boom/);
		assert.deepEqual(json['causes'], [{type: 'KeyError', message: 'inner'}]);
		assert.deepEqual(errorJson(new TypeError('bad')), {name: 'TypeError', message: 'bad'});
	});

	test('an untyped error prints its name and message', () => {
		assert.equal(formatError(new Error('socket hang up'), false), 'mlbridge: Error: socket hang up\n');
	});
});

describe('cli output: tables and times', () => {
	test('columns pad to the widest cell, the last one is not padded', () => {
		assert.equal(formatTable(['A', 'BB'], [['xxx', 'y'], ['z', 'long']]), 'A    BB\nxxx  y\nz    long\n');
	});

	test('durations', () => {
		assert.equal(formatDuration(850), '850ms');
		assert.equal(formatDuration(42_000), '42s');
		assert.equal(formatDuration(185_000), '3m 05s');
		assert.equal(formatDuration(7_380_000), '2h 03m');
		assert.equal(formatDuration(-1), '?');
	});
});

describe('cli output: jobs', () => {
	test('the status block of a running job', () => {
		const text = formatStatus(status(), t0 + 10_000);
		assert.match(text, /^job {8}job-1\n/);
		assert.match(text, /\nstate {6}RUNNING, attempt 1 of 3\n/);
		assert.match(text, /\nsubmitted {2}2026-12-04 14:00:00 UTC \(10s ago\) by c-abc\n/);
		assert.match(text, /\nheartbeat {2}1s ago\n/);
		assert.match(text, /\nprogress {3}3\/10 \(30%\): epoch 3\n/);
		assert.doesNotMatch(text, /finished/);
	});

	test('the status block of a queued job shows no start, runner or attempt', () => {
		const text = formatStatus(status({state: 'QUEUED', attempt: 0, runner: '', startedAtMs: 0, heartbeatAtMs: 0, progress: undefined}), t0 + 10_000);
		assert.match(text, /\nstate {6}QUEUED\n/);
		assert.doesNotMatch(text, /started|runner|heartbeat|progress/);
	});

	test('the status block of a failed job names its error and run time', () => {
		const text = formatStatus(
			status({state: 'FAILED', finishedAtMs: t0 + 61_000, error: {code: 'PIPELINE_ERROR', type: 'DataError', message: 'boom', traceback: '', retryable: false, causes: []}}),
			t0 + 100_000,
		);
		assert.match(text, /\nfinished {3}2026-12-04 14:01:01 UTC \(ran 1m 00s\)\n/);
		assert.match(text, /\nerror {6}PIPELINE_ERROR: DataError: boom\n/);
	});

	test('the jobs table', () => {
		const text = formatJobsTable(
			[status(), status({id: 'job-0', state: 'SUCCEEDED', finishedAtMs: t0 + 5000, progress: {current: 10, total: 10, message: 'done', atMs: t0 + 5000}})],
			t0 + 10_000,
		);
		const lines = text.trimEnd().split('\n');
		assert.equal(lines.length, 3);
		assert.match(lines[0]!, /^ID +PIPELINE +STATE +ATTEMPT +SUBMITTED \(UTC\) +RAN +PROGRESS$/);
		assert.match(lines[1]!, /^job-1 +train +RUNNING +1\/3 +2026-12-04 14:00:00 +9s +3\/10 \(30%\): epoch 3$/);
		assert.match(lines[2]!, /^job-0 +train +SUCCEEDED +1\/3 +2026-12-04 14:00:00 +4s +10\/10 \(100%\): done$/);
		assert.equal(formatJobsTable([], t0), 'no jobs\n');
	});

	test('what a cancel did', () => {
		assert.equal(cancelText(status({state: 'CANCELLED'})), 'job job-1: CANCELLED');
		assert.match(cancelText(status({state: 'CANCEL_REQUESTED'})), /CANCEL_REQUESTED; the runner holding it stops it/);
		assert.equal(cancelText(status({state: 'SUCCEEDED'})), 'job job-1 had already ended (SUCCEEDED, attempt 1 of 3): nothing changed');
	});
});

describe('cli output: pipelines', () => {
	const typed: CliPipeline = {
		name: 'train_model',
		version: 2,
		versions: [1, 2],
		doc: 'Train a model.\nLonger text.',
		typed: true,
		argsSchema: {
			type: 'record',
			name: 'train_model_args',
			fields: [
				{name: 'dataset', type: 'string'},
				{name: 'epochs', type: 'long', default: 5},
				{name: 'tags', type: {type: 'array', items: 'string'}},
				{name: 'config', type: ['null', 'ml.Config']},
				{name: 'at', type: {type: 'long', logicalType: 'timestamp-millis'}},
			],
		},
		resultSchema: {type: 'record', name: 'ml.Model', fields: []},
		timeoutMs: undefined,
		runner: 'r',
		lane: 'JOB',
	};

	test('Avro types read as a reader writes them', () => {
		assert.equal(avroTypeText({type: 'map', values: ['null', 'double']}), 'map<null | double>');
		assert.equal(avroTypeText({type: 'enum', name: 'a.b.Mode', symbols: ['X']}), 'Mode');
	});

	test('a typed signature; untyped pipelines say so', () => {
		assert.equal(signatureText(typed), '(dataset: string, epochs: long = 5, tags: array<string>, config: null | Config, at: timestamp-millis) -> Model');
		assert.equal(signatureText({...typed, typed: false, argsSchema: undefined, resultSchema: undefined}), '(untyped)');
	});

	test('the table shows name, lane, version, signature and the first line of the doc', () => {
		const text = formatPipelinesTable([typed, {...typed, name: 'echo', lane: 'CALL', version: 1, doc: '', typed: false, argsSchema: undefined, resultSchema: undefined}]);
		const lines = text.trimEnd().split('\n');
		assert.match(lines[0]!, /^NAME +LANE +VERSION +SIGNATURE +DOC$/);
		assert.match(lines[1]!, /^train_model +JOB +2 +\(dataset: string.*-> Model +Train a model\.$/);
		assert.match(lines[2]!, /^echo +CALL +1 +\(untyped\)$/);
		assert.match(formatPipelinesTable([]), /no pipelines in the catalogue/);
	});
});

describe('cli output: progress', () => {
	test('the ETA comes from the rate between the first and the newest report', () => {
		const eta = new EtaEstimator();
		assert.equal(eta.remainingMs(10), undefined);
		eta.observe({current: 2, total: 10, message: '', atMs: 1000});
		assert.equal(eta.remainingMs(10), undefined, 'one report gives no rate');
		eta.observe({current: 4, total: 10, message: '', atMs: 3000});
		assert.equal(eta.remainingMs(10), 6000);
		assert.equal(eta.remainingMs(undefined), undefined);
		eta.observe({current: 10, total: 10, message: '', atMs: 9000});
		assert.equal(eta.remainingMs(10), 0);
	});

	test('a known start (attempt 1 began at 0) gives an ETA from the first report', () => {
		const eta = new EtaEstimator({current: 0, atMs: 0});
		eta.observe({current: 1, total: 4, message: '', atMs: 1000});
		assert.equal(eta.remainingMs(4), 3000);
	});

	test('plain lines for scripts', () => {
		assert.equal(formatPlainLine({current: 3, total: 10, message: 'epoch 3', atMs: 0}, 65_000), 'progress 3/10 (30%), ETA 1m 05s: epoch 3');
		assert.equal(formatPlainLine({current: 7, total: undefined, message: '', atMs: 0}, undefined), 'progress 7');
		assert.equal(formatPlainLine({current: 9, total: 10, message: '', atMs: 0}, 400), 'progress 9/10 (90%), ETA <1s');
		assert.equal(formatPlainLine({current: 10, total: 10, message: '', atMs: 0}, 0), 'progress 10/10 (100%), ETA 0s');
	});

	test('the bar line fits the terminal', () => {
		const line = formatBarLine({current: 3, total: 10, message: 'epoch 3 '.repeat(20), atMs: 0}, 5000, '[###---]', 60);
		assert.ok(line.startsWith('[###---]  30% 3/10 | ETA 5s | epoch 3'), line);
		assert.equal(line.length, 59);
		assert.equal(formatBarLine({current: 5, total: undefined, message: 'rows', atMs: 0}, undefined, '', 80), '5 | ETA -- | rows');
	});
});
