import type {OutgoingMessage} from './transport.js';

/** Sends one batch of messages grouped by topic; rejects as a whole. */
export type BatchSender = (batch: ReadonlyMap<string, OutgoingMessage[]>) => Promise<void>;

type Queued = {
	readonly topic: string;
	readonly message: OutgoingMessage;
	readonly resolve: () => void;
	readonly reject: (error: unknown) => void;
};

/**
 * kafkajs has no linger: every send() is one Produce request. Under load that caps throughput, so
 * messages queued while a batch is in flight (or within one event-loop turn) go out together in the
 * next request. A lone call pays no delay: it leaves on the next turn.
 */
export class SendBatcher {
	readonly #send: BatchSender;
	readonly #maxInFlight: number;
	readonly #maxBatch: number;
	readonly #maxBatchBytes: number;
	#queue: Queued[] = [];
	#inFlight = 0;
	#scheduled = false;

	/**
	 * `maxBatchBytes` keeps a batch under the broker's `max.message.bytes`: kafkajs packs the
	 * messages of one partition into one record batch, and the broker judges the batch, so two
	 * 500 KB requests together would be refused although each alone fits.
	 */
	constructor(send: BatchSender, options: {maxInFlight?: number; maxBatch?: number; maxBatchBytes?: number} = {}) {
		this.#send = send;
		this.#maxInFlight = options.maxInFlight ?? 8;
		this.#maxBatch = options.maxBatch ?? 500;
		this.#maxBatchBytes = options.maxBatchBytes ?? 900_000;
	}

	get queued(): number {
		return this.#queue.length;
	}

	enqueue(topic: string, message: OutgoingMessage): Promise<void> {
		return new Promise<void>((resolve, reject) => {
			this.#queue.push({topic, message, resolve, reject});
			this.#schedule();
		});
	}

	/** As `enqueue`, without a promise: `onFailure` is called with the batch's error. */
	post(topic: string, message: OutgoingMessage, onFailure: (error: unknown) => void): void {
		this.#queue.push({topic, message, resolve: noop, reject: onFailure});
		this.#schedule();
	}

	#schedule(): void {
		if (this.#scheduled || this.#inFlight >= this.#maxInFlight || this.#queue.length === 0) {
			return;
		}

		this.#scheduled = true;
		setImmediate(() => {
			this.#scheduled = false;
			this.#flush();
		});
	}

	#flush(): void {
		while (this.#inFlight < this.#maxInFlight && this.#queue.length > 0) {
			const items = this.#queue.splice(0, this.#batchLength());
			const byTopic = new Map<string, OutgoingMessage[]>();
			for (const item of items) {
				const list = byTopic.get(item.topic);
				if (list === undefined) {
					byTopic.set(item.topic, [item.message]);
				} else {
					list.push(item.message);
				}
			}

			this.#inFlight++;
			this.#send(byTopic).then(
				() => {
					for (const item of items) {
						item.resolve();
					}
				},
				(error: unknown) => {
					for (const item of items) {
						item.reject(error);
					}
				},
			).finally(() => {
				this.#inFlight--;
				this.#schedule();
			});
		}
	}

	/** How many queued messages fit in the next batch: at least one, whatever its size. */
	#batchLength(): number {
		let bytes = 0;
		let count = 0;
		for (const item of this.#queue) {
			bytes += item.message.value.length;
			if (count >= this.#maxBatch || (count > 0 && bytes > this.#maxBatchBytes)) {
				break;
			}

			count++;
		}

		return count;
	}

	/** Fail everything not yet handed to Kafka. */
	rejectQueued(error: unknown): void {
		const items = this.#queue;
		this.#queue = [];
		for (const item of items) {
			item.reject(error);
		}
	}
}

function noop(): void {}
