import type {ReplyEnvelope} from '../codec/envelopes.js';
import type {TypedSchema} from '../contract/typed-codec.js';
import type {RecordHeaders} from '../transport/transport.js';
import {DeadlineWheel} from './deadline-wheel.js';

/** A call waiting for its reply. */
export type PendingCall = {
	readonly id: string;
	readonly pipeline: string;
	readonly timeoutMs: number;
	readonly resolve: (value: unknown) => void;
	readonly reject: (error: Error) => void;
	readonly onProgress: ((progress: InvocationProgress) => void) | undefined;
	/** Undoes the AbortSignal listener. */
	readonly detach: () => void;
	wheelHandle: number | undefined;
	/** The schema a typed result is read as (the pinned or catalogue one); undefined: as written. */
	readonly resultReader?: TypedSchema | undefined;
	/** The trace id of a traced, sampled call: for log lines about it. */
	readonly traceId?: string | undefined;
	/** The final reply, with its record headers, just before the call settles from it. */
	readonly onReply?: (reply: ReplyEnvelope, headers: RecordHeaders | undefined) => void;
};

/** A progress report sent by a long-running pipeline. */
export type InvocationProgress = {
	readonly requestId: string;
	readonly current: number;
	readonly total: number | undefined;
	readonly message: string;
};

/**
 * The correlation table: request id → pending promise. Every entry leaves exactly once — by reply,
 * timeout, abort or close — so a promise is settled once and a late or duplicate reply finds nothing.
 */
export class PendingCalls {
	readonly #calls = new Map<string, PendingCall>();
	readonly #wheel: DeadlineWheel<string>;

	constructor(onTimeout: (call: PendingCall) => void, resolutionMs?: number) {
		this.#wheel = new DeadlineWheel(id => {
			const call = this.#calls.get(id);
			if (call !== undefined) {
				call.wheelHandle = undefined;
				this.#release(call);
				onTimeout(call);
			}
		}, resolutionMs);
	}

	get size(): number {
		return this.#calls.size;
	}

	add(call: PendingCall, deadlineMs: number | undefined): void {
		this.#calls.set(call.id, call);
		if (deadlineMs !== undefined) {
			call.wheelHandle = this.#wheel.add(call.id, deadlineMs);
		}
	}

	peek(id: string): PendingCall | undefined {
		return this.#calls.get(id);
	}

	/** Remove and return the call, or undefined when it already settled. */
	take(id: string): PendingCall | undefined {
		const call = this.#calls.get(id);
		if (call !== undefined) {
			this.#release(call);
		}

		return call;
	}

	takeAll(): PendingCall[] {
		const calls = [...this.#calls.values()];
		for (const call of calls) {
			this.#release(call);
		}

		this.#wheel.clear();
		return calls;
	}

	#release(call: PendingCall): void {
		this.#calls.delete(call.id);
		if (call.wheelHandle !== undefined) {
			this.#wheel.remove(call.id, call.wheelHandle);
			call.wheelHandle = undefined;
		}

		call.detach();
	}
}
