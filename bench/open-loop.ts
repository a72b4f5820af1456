/**
 * The open-loop driver: calls sent on a fixed schedule whatever the replies do, each timed from its
 * intended send time (so a stalled system is charged for the calls it delays, not just the ones it
 * answers; no coordinated omission).
 */
import * as hdr from 'hdr-histogram-js';
import type {System} from './systems.js';

/**
 * How the sender waits between sends:
 * - `timer`: sleep on a timer (Node's have ~1 ms resolution) and send every call whose time has
 *   come on each wake-up. Calls due within the same millisecond leave together; their wait counts.
 * - `spin`: `setImmediate` whenever the next call is less than 1 ms away: exact send times, but
 *   below 1 ms between calls the client burns a whole core doing nothing, a core the broker and the
 *   runner lack on a 2-core machine (how the bench paced until the fourth pass, see README.md).
 */
export type Pacing = 'timer' | 'spin';

export type OpenLoopResult = {rate: number; actual: number; p50: number; p99: number; max: number; errors: number; histogram?: hdr.Histogram};

/**
 * Open loop at `rate` calls/s of `size` bytes for `seconds`. Latencies in ms. With `keep`, the
 * histogram (µs) is returned too, for pooling rounds; the caller destroys it.
 */
export async function openLoop(system: System, rate: number, seconds: number, pacing: Pacing = 'timer', size = 100, keep = false): Promise<OpenLoopResult> {
	const h = hdr.build({lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: 3});
	const total = Math.max(1, Math.round(rate * seconds));
	const start = performance.now();
	const interval = 1000 / rate;
	const inflight: Array<Promise<void>> = [];
	let sent = 0;
	let errors = 0;
	while (sent < total) {
		const now = performance.now();
		while (sent < total && start + sent * interval <= now) {
			const intended = start + sent * interval;
			inflight.push(system.call(size).then(
				() => h.recordValue(Math.max(1, (performance.now() - intended) * 1000)),
				() => void errors++,
			));
			sent++;
		}

		const next = start + sent * interval - performance.now();
		await new Promise<void>(resolve => {
			if (pacing === 'spin' && next <= 1) setImmediate(resolve);
			else setTimeout(resolve, Math.max(0, Math.floor(next)));
		});
	}

	await Promise.all(inflight);
	const actual = total / ((performance.now() - start) / 1000);
	const out = {rate, actual, p50: h.getValueAtPercentile(50) / 1000, p99: h.getValueAtPercentile(99) / 1000, max: h.maxValue / 1000, errors};
	if (keep) return {...out, histogram: h};
	h.destroy();
	return out;
}
