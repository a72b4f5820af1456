import {createRequire} from 'node:module';

/** The part of kafkajs's internal RequestQueue (one per broker connection) this module touches. */
type RequestQueueInternals = {
	pending: unknown[];
	throttledUntil: number;
	throttleCheckTimeoutId: ReturnType<typeof setTimeout> | null;
	checkPendingRequests(): void;
	scheduleCheckPendingRequests(): void;
};

/** kafkajs re-checks a throttled or over-full queue this often (its CHECK_PENDING_REQUESTS_INTERVAL). */
const recheckMs = 10;
let applied = false;

/**
 * kafkajs 2.2.4 re-arms `setTimeout(checkPendingRequests, throttledUntil - now)` after every check
 * even when nothing is pending and nothing is throttled: a negative delay, so every broker
 * connection spins a 1 ms timer loop for as long as it is open (tulios/kafkajs#1556, #1704; the
 * fixes were never released). Measured here: a connected client used 70–80 ms of CPU per second
 * doing nothing, and every one of those ticks also runs while calls are in flight.
 *
 * The replacement schedules a check only while requests are pending: throttled ones when the
 * throttle ends, ones held back by the in-flight limit every 10 ms as before (a fulfilled or timed
 * out request also checks the queue, as kafkajs already does). Patched once per process, on the
 * shared prototype, so it also covers other kafkajs clients of the same process; skipped if a
 * kafkajs release changes the internals it relies on.
 */
export function applyKafkajsIdleFix(): void {
	if (applied) {
		return;
	}

	applied = true;
	let RequestQueue: {prototype: RequestQueueInternals} | undefined;
	try {
		RequestQueue = createRequire(import.meta.url)('kafkajs/src/network/requestQueue/index.js') as {prototype: RequestQueueInternals};
	} catch {
		return;
	}

	if (typeof RequestQueue?.prototype?.scheduleCheckPendingRequests !== 'function' || typeof RequestQueue.prototype.checkPendingRequests !== 'function') {
		return;
	}

	RequestQueue.prototype.scheduleCheckPendingRequests = function (this: RequestQueueInternals) {
		if (this.throttleCheckTimeoutId || this.pending.length === 0) {
			return;
		}

		const untilUnthrottled = this.throttledUntil - Date.now();
		this.throttleCheckTimeoutId = setTimeout(() => {
			this.throttleCheckTimeoutId = null;
			this.checkPendingRequests();
		}, untilUnthrottled > 0 ? untilUnthrottled : recheckMs);
	};
}
