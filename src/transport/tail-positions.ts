/**
 * How far a tail has read each partition of its topic, and who waits for it to reach given end
 * offsets. Positions come from the ends of fetched batches, not from records: a partition whose
 * last offsets are transaction markers or compacted away is still read "to its end".
 */
export class TailPositions {
	/** partition → next offset to read. */
	readonly #next = new Map<number, bigint>();
	readonly #waiters = new Set<() => void>();

	/** A batch of `partition` was handed over up to `lastOffset` (inclusive). */
	advance(partition: number, lastOffset: bigint): void {
		const next = lastOffset + 1n;
		if (next <= (this.#next.get(partition) ?? 0n)) {
			return;
		}

		this.#next.set(partition, next);
		for (const waiter of [...this.#waiters]) {
			waiter();
		}
	}

	/** Whether every partition in `ends` (partition → end offset, exclusive) has been read to it. */
	reached(ends: ReadonlyMap<number, bigint>): boolean {
		for (const [partition, end] of ends) {
			if ((this.#next.get(partition) ?? 0n) < end) {
				return false;
			}
		}

		return true;
	}

	/** Resolves true once `reached(ends)`, false after `timeoutMs` (`Infinity`: never false). */
	async waitFor(ends: ReadonlyMap<number, bigint>, timeoutMs: number): Promise<boolean> {
		if (this.reached(ends)) {
			return true;
		}

		return new Promise<boolean>(resolve => {
			let timer: NodeJS.Timeout | undefined;
			const check = (): void => {
				if (this.reached(ends)) {
					settle(true);
				}
			};

			const settle = (outcome: boolean): void => {
				clearTimeout(timer);
				this.#waiters.delete(check);
				resolve(outcome);
			};

			this.#waiters.add(check);
			if (Number.isFinite(timeoutMs)) {
				timer = setTimeout(() => settle(false), Math.max(0, timeoutMs));
			}
		});
	}
}
