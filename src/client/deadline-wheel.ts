/**
 * Expires entries at their deadlines with one timer for all of them, not one per call: 100,000
 * pending calls cost 100,000 Set entries, not 100,000 timers. Entries fire up to `resolutionMs`
 * late, never early.
 *
 * Deadlines are wall-clock times (the runner checks the same ones), but timers run on the
 * monotonic clock. When the wall clock steps forward (NTP, a resumed VM: a clean-clone CI run saw
 * one of ~37 s), a timer armed for the old distance would leave already-expired calls pending for
 * that long; the timer never sleeps longer than `maxSleepMs`, so they expire within it.
 */
export class DeadlineWheel<K> {
	readonly #resolutionMs: number;
	readonly #onExpire: (key: K) => void;
	readonly #buckets = new Map<number, Set<K>>();
	#timer: NodeJS.Timeout | undefined;
	#nextTick = Number.POSITIVE_INFINITY;

	readonly #maxSleepMs: number;

	constructor(onExpire: (key: K) => void, resolutionMs = 10, maxSleepMs = 1000) {
		this.#onExpire = onExpire;
		this.#resolutionMs = resolutionMs;
		this.#maxSleepMs = maxSleepMs;
	}

	get size(): number {
		let total = 0;
		for (const bucket of this.#buckets.values()) {
			total += bucket.size;
		}

		return total;
	}

	/** Returns the handle to pass to remove(). */
	add(key: K, deadlineMs: number): number {
		const tick = Math.ceil(deadlineMs / this.#resolutionMs);
		let bucket = this.#buckets.get(tick);
		if (bucket === undefined) {
			bucket = new Set();
			this.#buckets.set(tick, bucket);
		}

		bucket.add(key);
		if (tick < this.#nextTick) {
			this.#arm(tick);
		}

		return tick;
	}

	remove(key: K, handle: number): void {
		const bucket = this.#buckets.get(handle);
		if (bucket?.delete(key) && bucket.size === 0) {
			this.#buckets.delete(handle);
			if (this.#buckets.size === 0) {
				this.clear();
			}
		}
	}

	clear(): void {
		this.#buckets.clear();
		if (this.#timer !== undefined) {
			clearTimeout(this.#timer);
			this.#timer = undefined;
		}

		this.#nextTick = Number.POSITIVE_INFINITY;
	}

	#arm(tick: number): void {
		if (this.#timer !== undefined) {
			clearTimeout(this.#timer);
		}

		this.#nextTick = tick;
		const delay = Math.min(this.#maxSleepMs, Math.max(0, tick * this.#resolutionMs - Date.now()));
		this.#timer = setTimeout(() => {
			this.#fire();
		}, delay);
		// Pending calls keep the process alive through the reply consumer, not through this timer.
		this.#timer.unref();
	}

	#fire(): void {
		this.#timer = undefined;
		this.#nextTick = Number.POSITIVE_INFINITY;
		const nowTick = Math.floor(Date.now() / this.#resolutionMs);
		let earliest = Number.POSITIVE_INFINITY;
		for (const [tick, bucket] of this.#buckets) {
			if (tick <= nowTick) {
				this.#buckets.delete(tick);
				for (const key of bucket) {
					this.#onExpire(key);
				}
			} else if (tick < earliest) {
				earliest = tick;
			}
		}

		// `earliest < #nextTick` fails only when an expiry callback already armed the timer sooner.
		if (earliest !== Number.POSITIVE_INFINITY && earliest < this.#nextTick) {
			this.#arm(earliest);
		}
	}
}
