import assert from 'node:assert/strict';
import {createRequire} from 'node:module';
import {test} from 'node:test';
import {setTimeout as sleep} from 'node:timers/promises';
import {applyKafkajsIdleFix} from '../../src/transport/kafkajs-idle-fix.js';

// kafkajs's own RequestQueue, driven through its real checkPendingRequests (no socket involved).
const RequestQueue = createRequire(import.meta.url)('kafkajs/src/network/requestQueue/index.js') as new (options: Record<string, unknown>) => {
	pending: unknown[];
	inflight: Map<number, unknown>;
	throttledUntil: number;
	throttleCheckTimeoutId: unknown;
	checkPendingRequests(): void;
	destroy(): void;
};

function queue() {
	const logger = {debug() {}, info() {}, warn() {}, error() {}};
	const q = new RequestQueue({
		instrumentationEmitter: {emit() {}}, maxInFlightRequests: 1, requestTimeout: 30_000, enforceRequestTimeout: false,
		clientId: 'test', broker: 'localhost:0', logger, isConnected: () => true,
	});
	let checks = 0;
	const original = q.checkPendingRequests.bind(q);
	q.checkPendingRequests = () => {
		checks++;
		original();
	};

	return {q, checks: () => checks};
}

test('an idle connection arms no timer (kafkajs 2.2.4 spun a 1 ms loop per connection)', async () => {
	applyKafkajsIdleFix();
	const {q, checks} = queue();
	try {
		q.checkPendingRequests();
		assert.equal(q.throttleCheckTimeoutId, null);
		await sleep(30);
		assert.equal(checks(), 1, 'no check ran after the first');
	} finally {
		q.destroy(); // without the fix, stops the loop so that a failure does not hang the run
	}
});

test('pending requests while throttled are checked when the throttle ends, then the timer stops', async () => {
	applyKafkajsIdleFix();
	const {q, checks} = queue();
	try {
		let sent = 0;
		q.throttledUntil = Date.now() + 40;
		q.pending.push({send: () => sent++, expectResponse: true, correlationId: 1, pendingDuration: 0});
		q.checkPendingRequests();
		assert.notEqual(q.throttleCheckTimeoutId, null);
		assert.equal(sent, 0);
		await sleep(80);
		assert.equal(sent, 1, 'sent once the throttle ended');
		assert.equal(q.pending.length, 0);
		const after = checks();
		await sleep(30);
		assert.equal(checks(), after, 'no timer loop once the queue is empty');
	} finally {
		q.destroy();
	}
});
