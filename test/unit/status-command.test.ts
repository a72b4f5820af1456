import assert from 'node:assert/strict';
import {test} from 'node:test';
import {formatGcResult} from '../../src/cli/gc-replies-command.js';
import {parseDuration} from '../../src/cli/operations-options.js';
import {formatStatus, partitionRanges} from '../../src/cli/status-command.js';
import {joinStatus, type RunnerMember} from '../../src/operations/cluster-status.js';
import type {RunnerPresence} from '../../src/presence/presence-view.js';

function presence(id: string, overrides: Partial<RunnerPresence> = {}): RunnerPresence {
	return {
		id,
		clientId: `mlbridge-runner-${id.replaceAll('/', '-')}`,
		host: id.split('/')[0]!,
		pid: 1,
		version: '0.1.0',
		group: 'g',
		requestTopic: 't',
		pipelines: ['a', 'b'],
		callPartitions: [0, 1, 2, 5],
		jobPartitions: [0],
		inFlight: 2,
		queued: 7,
		jobsRunning: 1,
		served: 42,
		startedAtMs: 0,
		updatedAtMs: 1000,
		intervalMs: 5000,
		metricsUrl: '',
		ageMs: 1500,
		live: true,
		...overrides,
	};
}

const member = (group: string, clientId: string): RunnerMember => ({group, memberId: `${clientId}-m`, clientId, host: '10.0.0.1', assignment: {}});

test('runners are joined with group members by client.id (call lane as is, job lane with -jobs)', () => {
	const a = presence('h/1/aa');
	const b = presence('h/2/bb', {live: false, ageMs: 60_000});
	const stranger = member('g', 'kafka-console-consumer');
	const status = joinStatus({requestTopic: 't', group: 'g'}, [b, a, presence('h/3/cc', {group: 'other'})], [
		member('g', a.clientId),
		member('g.jobs', `${a.clientId}-jobs`),
		stranger,
	], [{group: 'g', state: 'Stable'}], [
		{group: 'g', topic: 't', partition: 0, committed: 5, end: 8, lag: 3},
		{group: 'g', topic: 't', partition: 1, committed: 8, end: 8, lag: 0},
		{group: 'g.jobs', topic: 't.jobs', partition: 0, committed: -1, end: 2, lag: 2},
	], {topic: 't.dlq', exists: true, count: 4}, [], 99);
	assert.deepEqual(status.runners.map(r => [r.id, r.live, r.inCallGroup, r.inJobGroup]), [['h/1/aa', true, true, true], ['h/2/bb', false, false, false]]);
	assert.deepEqual(status.otherMembers, [stranger]);
	assert.deepEqual(status.totalLag, {g: 3, 'g.jobs': 2});

	const text = formatStatus(status);
	assert.match(text, /^group g on t: 1 runner live, 1 stale; dead letters 4\n/);
	assert.match(text, /h\/1\/aa\s+live\s+0\.1\.0\s+a,b\s+0-2,5\s+0\s+2\s+7\s+1\s+42\s+2s ago/);
	assert.match(text, /h\/2\/bb\s+STALE/);
	assert.match(text, /lag g on t: 3 {2}\[0:3 1:0\]/);
	assert.match(text, /other member of g: kafka-console-consumer from 10\.0\.0\.1/);
});

test('a live runner its group does not list is said so; no runner at all is said so', () => {
	const status = joinStatus({requestTopic: 't', group: 'g'}, [presence('h/1/aa')], [], [], [], {topic: 't.dlq', exists: false, count: 0}, ['topic t.jobs does not exist yet'], 0);
	const text = formatStatus(status);
	assert.match(text, /live, not in group/);
	assert.match(text, /dead letters 0 \(no dead-letter topic yet\)/);
	assert.match(text, /note: topic t\.jobs does not exist yet/);
	assert.match(formatStatus({...status, runners: []}), /no runner has announced itself/);
});

test('partition ranges', () => {
	assert.equal(partitionRanges([]), '-');
	assert.equal(partitionRanges([3, 0, 1, 2, 7, 9, 10]), '0-3,7,9-10');
});

test('durations for --idle', () => {
	assert.equal(parseDuration('0'), 0);
	assert.equal(parseDuration('250'), 250);
	assert.equal(parseDuration('90s'), 90_000);
	assert.equal(parseDuration('1.5h'), 5_400_000);
	assert.equal(parseDuration('2d'), 172_800_000);
	assert.throws(() => parseDuration('soon'), /duration/);
	assert.throws(() => parseDuration('-1s'), /duration/);
});

test('gc-replies output says what it would delete and why', () => {
	const topics = [
		{topic: 'r.c-1', action: 'delete' as const, reason: 'no reader; newest record older than 0 ms', readers: [], idleMs: 0, records: 3},
		{topic: 'r.c-2', action: 'keep' as const, reason: 'read by r.c-2', readers: ['r.c-2'], idleMs: 0, records: 1},
	];
	const dry = formatGcResult({prefix: 'r.', dryRun: true, topics, deleted: []});
	assert.match(dry, /r\.c-1\s+would delete\s+3/);
	assert.match(dry, /r\.c-2\s+keep\s+1\s+0ms\s+read by r\.c-2/);
	assert.match(dry, /would delete 1 of 2 reply topics\n$/);
	assert.match(formatGcResult({prefix: 'r.', dryRun: false, topics, deleted: ['r.c-1']}), /r\.c-1\s+deleted[\s\S]*deleted 1 of 2/);
	assert.equal(formatGcResult({prefix: 'r.', dryRun: false, topics: [], deleted: []}), 'no reply topics under r.\n');
});
