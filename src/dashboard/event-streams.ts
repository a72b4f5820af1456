import type {IncomingMessage, ServerResponse} from 'node:http';
import type {JobStatus} from '../index.js';
import type {DashboardClient} from './dashboard-client.js';
import type {JobFeed} from './job-feed.js';
import type {MetricsFeed} from './metrics-feed.js';
import type {RunnerFeed} from './runner-feed.js';

/** Where the pushed events come from. */
export type EventFeeds = {
	readonly jobs: JobFeed;
	readonly runners: RunnerFeed;
	readonly metrics: MetricsFeed;
};

/** A comment line every so often keeps proxies from closing an idle stream. */
const keepAliveMs = 15_000;

/**
 * The pages' server-sent events: `hello` (which server instance: a page that sees another one
 * after reconnecting reloads its state), `job` (a job's new status, from the feed), `runners`
 * (runners, groups, members, lag and its history, every few seconds), `metrics` (calls per
 * second and run time per pipeline, after each scrape of the runners), and with `?job=ID` also `progress` (every progress report of that job, from its handle, in order).
 */
export class EventStreams {
	readonly #client: DashboardClient;
	readonly #feeds: EventFeeds;
	readonly #hello: () => unknown;
	readonly #open = new Set<() => void>();
	readonly #senders = new Set<(event: string, data: unknown) => void>();
	/** The last `feed` event: a page that connects learns at once whether the broker answers. */
	#feedState: unknown = {ok: true};

	constructor(client: DashboardClient, feeds: EventFeeds, hello: () => unknown) {
		this.#client = client;
		this.#feeds = feeds;
		this.#hello = hello;
	}

	get size(): number {
		return this.#open.size;
	}

	open(request: IncomingMessage, response: ServerResponse, jobId: string | undefined): void {
		response.writeHead(200, {
			'Content-Type': 'text/event-stream; charset=utf-8',
			'Cache-Control': 'no-store',
			Connection: 'keep-alive',
			'X-Accel-Buffering': 'no',
		});
		const send = (event: string, data: unknown): void => {
			if (response.writableEnded) {
				return;
			}

			response.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
		};

		// A dropped connection is retried by the browser after this long.
		response.write('retry: 1000\n\n');
		send('hello', this.#hello());
		send('feed', this.#feedState);
		this.#senders.add(send);
		const unsubscribeJobs = this.#feeds.jobs.subscribe((status: JobStatus) => {
			send('job', status);
		});
		const unsubscribeRunners = this.#feeds.runners.subscribe(update => {
			send('runners', update);
		});
		const unsubscribeMetrics = this.#feeds.metrics.subscribe(update => {
			send('metrics', update);
		});
		const keepAlive = setInterval(() => {
			if (!response.writableEnded) {
				response.write(': keep-alive\n\n');
			}
		}, keepAliveMs);
		keepAlive.unref();
		let iterator: AsyncIterator<unknown> | undefined;
		let closed = false;
		const close = (): void => {
			if (closed) {
				return;
			}

			closed = true;
			this.#open.delete(close);
			this.#senders.delete(send);
			unsubscribeJobs();
			unsubscribeRunners();
			unsubscribeMetrics();
			clearInterval(keepAlive);
			void iterator?.return?.();
			response.end();
		};

		this.#open.add(close);
		request.on('close', close);
		if (jobId !== undefined) {
			void this.#followProgress(jobId, send, it => {
				iterator = it;
				return closed;
			});
		}
	}

	/** `feed`: whether the job feed's last read of the job state worked, to every page. */
	feedRead(error: unknown): void {
		const state = error === undefined ? {ok: true} : {ok: false, message: String((error as Error).message ?? error)};
		if (JSON.stringify(state) === JSON.stringify(this.#feedState)) {
			return;
		}

		this.#feedState = state;
		for (const send of this.#senders) {
			send('feed', state);
		}
	}

	closeAll(): void {
		for (const close of [...this.#open]) {
			close();
		}
	}

	async #followProgress(jobId: string, send: (event: string, data: unknown) => void, started: (iterator: AsyncIterator<unknown>) => boolean): Promise<void> {
		try {
			const job = await this.#client.job(jobId);
			const iterator = job.progress[Symbol.asyncIterator]();
			if (started(iterator)) {
				await iterator.return?.();
				return;
			}

			for (;;) {
				const next = await iterator.next();
				if (next.done === true) {
					break;
				}

				send('progress', next.value);
			}
		} catch (error) {
			send('progress-error', {message: String((error as Error).message ?? error)});
		}
	}
}
