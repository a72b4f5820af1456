import assert from 'node:assert/strict';
import {test} from 'node:test';
import {DeadlineWheel} from '../../src/client/deadline-wheel.js';

const sleep = async (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

test('expires entries at their deadline, never early, in deadline order', async () => {
	const expired: Array<[string, number]> = [];
	const wheel = new DeadlineWheel<string>(key => expired.push([key, Date.now()]), 5);
	const now = Date.now();
	wheel.add('late', now + 80);
	wheel.add('early', now + 20);
	wheel.add('middle', now + 50);
	await sleep(150);
	assert.deepEqual(expired.map(([key]) => key), ['early', 'middle', 'late']);
	const [, earlyAt] = expired[0]!;
	assert.ok(earlyAt >= now + 20, 'fired early');
	assert.equal(wheel.size, 0);
});

test('removed entries never fire; an emptied wheel holds no timer', async () => {
	const expired: string[] = [];
	const wheel = new DeadlineWheel<string>(key => expired.push(key), 5);
	const handle = wheel.add('gone', Date.now() + 20);
	wheel.add('kept', Date.now() + 20);
	wheel.remove('gone', handle);
	await sleep(60);
	assert.deepEqual(expired, ['kept']);
});

test('100,000 entries use one timer and all expire', async () => {
	let expired = 0;
	const wheel = new DeadlineWheel<number>(() => expired++, 10);
	const start = Date.now();
	for (let i = 0; i < 100_000; i++) {
		wheel.add(i, start + 30 + (i % 50));
	}

	assert.equal(wheel.size, 100_000);
	await sleep(200);
	assert.equal(expired, 100_000);
	assert.equal(wheel.size, 0);
});

test('a wall-clock step forward expires what it passed within maxSleepMs, not at the old distance', async t => {
	const expired: string[] = [];
	const wheel = new DeadlineWheel<string>(key => expired.push(key), 5, 50);
	const realNow = Date.now.bind(Date);
	wheel.add('in-a-minute', realNow() + 60_000);
	wheel.add('in-two-minutes', realNow() + 120_000);
	// The wall clock jumps 90 s ahead (a resumed VM); the armed timer knows nothing of it.
	t.mock.method(Date, 'now', () => realNow() + 90_000);
	await sleep(200);
	assert.deepEqual(expired, ['in-a-minute']);
	assert.equal(wheel.size, 1, 'the later deadline is still pending');
	wheel.clear();
});
