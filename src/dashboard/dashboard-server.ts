import {randomBytes} from 'node:crypto';
import {readFile} from 'node:fs/promises';
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http';
import type {AddressInfo} from 'node:net';
import path from 'node:path';
import {packageRoot} from '../runner/package-paths.js';
import {checkBind, hostAllowed, requestToken, tokenMatches} from './access.js';
import type {ClusterView} from './cluster-view.js';
import {ApiError, DashboardApi} from './dashboard-api.js';
import type {DashboardClient} from './dashboard-client.js';
import {EventStreams} from './event-streams.js';
import {JobFeed} from './job-feed.js';
import {MetricsFeed} from './metrics-feed.js';
import {RunnerFeed} from './runner-feed.js';

/** The page's files, shipped in the package (package.json `files`), served as they are. */
export const assetsDir = path.join(packageRoot, 'src', 'dashboard', 'assets');

/** The page's own files: a flat folder of modules, served by extension; any other name is 404. */
const assetTypes: Readonly<Record<string, string>> = {
	html: 'text/html; charset=utf-8',
	js: 'text/javascript; charset=utf-8',
	css: 'text/css; charset=utf-8',
};
const assetName = /^[a-z][a-z0-9-]*\.(html|js|css)$/;

export type DashboardServerOptions = {
	readonly client: DashboardClient;
	/** Consumer groups, lag, dead letters; without it those pages say so. */
	readonly cluster?: ClusterView;
	/**
	 * @default 127.0.0.1
	 */
	readonly host?: string;
	/**
	 * 0: a free port.
	 * @default 8080
	 */
	readonly port?: number;
	/** Required on every API call when set; required to bind beyond loopback. */
	readonly token?: string;
	/** Shown on the page. */
	readonly info?: Readonly<Record<string, string | number>>;
	/**
	 * How often the job feed reads the client's index while pages listen.
	 * @default 500
	 */
	readonly feedIntervalMs?: number;
	/**
	 * How often runner groups and lag are read (and pushed) while pages listen.
	 * @default 5000
	 */
	readonly runnersIntervalMs?: number;
	/**
	 * How often each live runner's /metrics is scraped for the charts.
	 * @default 5000
	 */
	readonly metricsIntervalMs?: number;
};

/** The dashboard: the page, its JSON API under /api, and live updates as server-sent events. */
export class DashboardServer {
	readonly #options: DashboardServerOptions;
	readonly #api: DashboardApi;
	readonly #feed: JobFeed;
	readonly #runners: RunnerFeed;
	readonly #metrics: MetricsFeed;
	readonly #streams: EventStreams;
	readonly #server: Server;
	/** Tells a page that reconnects whether it talks to the same server (else it reloads everything). */
	readonly instance = randomBytes(6).toString('hex');
	readonly startedAtMs = Date.now();

	private constructor(options: DashboardServerOptions) {
		this.#options = options;
		this.#runners = new RunnerFeed(options.cluster, options.runnersIntervalMs);
		const {cluster} = options;
		this.#metrics = new MetricsFeed({
			targets: async () => {
				if (cluster === undefined) {
					return [];
				}

				const presence = await cluster.presence();
				return presence.runners.filter(r => r.live && r.metricsUrl !== '').map(r => ({runner: r.id, url: r.metricsUrl}));
			},
			jobStats: async () => this.#api.jobStats(),
			...(options.metricsIntervalMs === undefined ? {} : {intervalMs: options.metricsIntervalMs}),
		});
		this.#api = new DashboardApi(options.client, cluster, this.#runners, this.#metrics);
		this.#feed = new JobFeed({
			client: options.client,
			...(cluster === undefined ? {} : {changes: cluster}),
			...(options.feedIntervalMs === undefined ? {} : {intervalMs: options.feedIntervalMs}),
			onRead: error => {
				this.#streams.feedRead(error);
			},
		});
		this.#streams = new EventStreams(options.client, {jobs: this.#feed, runners: this.#runners, metrics: this.#metrics}, () => ({instance: this.instance, startedAtMs: this.startedAtMs}));
		this.#server = createServer((request, response) => {
			this.#handle(request, response).catch((error: unknown) => {
				sendError(response, error);
			});
		});
	}

	/** Listen; rejects with DashboardAccessError beyond loopback without a token. */
	static async start(options: DashboardServerOptions): Promise<DashboardServer> {
		const host = options.host ?? '127.0.0.1';
		checkBind(host, options.token);
		const server = new DashboardServer(options);
		await new Promise<void>((resolve, reject) => {
			server.#server.once('error', reject);
			server.#server.listen(options.port ?? 8080, host, () => {
				server.#server.off('error', reject);
				resolve();
			});
		});
		return server;
	}

	get url(): string {
		const address = this.#server.address() as AddressInfo;
		const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
		return `http://${host}:${address.port}/`;
	}

	get port(): number {
		return (this.#server.address() as AddressInfo).port;
	}

	/** Stop listening and end every event stream (the client is the caller's to close). */
	async close(): Promise<void> {
		this.#streams.closeAll();
		this.#feed.stop();
		this.#runners.stop();
		this.#metrics.stop();
		this.#server.closeAllConnections();
		await new Promise<void>(resolve => {
			this.#server.close(() => resolve());
		});
	}

	async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
		const url = new URL(request.url ?? '/', 'http://dashboard');
		const {pathname} = url;
		response.setHeader('X-Content-Type-Options', 'nosniff');
		if (!hostAllowed(request.headers.host, this.#options.token)) {
			sendJson(response, 403, {error: {code: 'HOST_NOT_ALLOWED', message: 'without a token this dashboard answers only to a loopback Host (localhost, 127.0.0.1, [::1])'}});
			return;
		}

		if (!pathname.startsWith('/api/')) {
			await this.#asset(request, response, pathname);
			return;
		}

		response.setHeader('Cache-Control', 'no-store');
		if (!tokenMatches(this.#options.token, requestToken(request, url))) {
			sendJson(response, 401, {error: {code: 'UNAUTHORIZED', message: 'this dashboard needs its access token (Authorization: Bearer T)'}});
			return;
		}

		const method = request.method ?? 'GET';
		const jobMatch = /^\/api\/jobs\/([^/]+)(\/cancel)?$/.exec(pathname);
		if (jobMatch?.[2] !== undefined) {
			if (method !== 'POST') {
				throw new ApiError(405, 'METHOD_NOT_ALLOWED', `${method} ${pathname}: cancel is a POST`);
			}

			// A JSON content type makes a cross-site form post impossible without a CORS preflight.
			if (!(request.headers['content-type'] ?? '').startsWith('application/json')) {
				throw new ApiError(415, 'JSON_REQUIRED', 'POST with Content-Type: application/json');
			}

			sendJson(response, 200, await this.#api.cancel(decodeURIComponent(jobMatch[1]!)));
			return;
		}

		if (method !== 'GET') {
			throw new ApiError(405, 'METHOD_NOT_ALLOWED', `${method} ${pathname}`);
		}

		if (jobMatch !== null && jobMatch[2] === undefined) {
			sendJson(response, 200, await this.#api.job(decodeURIComponent(jobMatch[1]!)));
			return;
		}

		switch (pathname) {
			case '/api/info': {
				sendJson(response, 200, {instance: this.instance, startedAtMs: this.startedAtMs, tokenRequired: this.#options.token !== undefined, ...this.#options.info});
				return;
			}

			case '/api/jobs': {
				sendJson(response, 200, await this.#api.jobs(url.searchParams));
				return;
			}

			case '/api/pipelines': {
				sendJson(response, 200, await this.#api.pipelines());
				return;
			}

			case '/api/runners': {
				sendJson(response, 200, await this.#api.runners());
				return;
			}

			case '/api/metrics': {
				sendJson(response, 200, await this.#api.metrics());
				return;
			}

			case '/api/job-stats': {
				sendJson(response, 200, await this.#api.jobStats());
				return;
			}

			case '/api/dead-letters': {
				sendJson(response, 200, await this.#api.deadLetters());
				return;
			}

			case '/api/events': {
				this.#streams.open(request, response, url.searchParams.get('job') ?? undefined);
				return;
			}

			default: {
				throw new ApiError(404, 'NOT_FOUND', `no API at ${pathname}`);
			}
		}
	}

	async #asset(request: IncomingMessage, response: ServerResponse, pathname: string): Promise<void> {
		const name = pathname === '/' ? 'index.html' : pathname.replace(/^\/assets\//, '');
		const match = assetName.exec(name);
		const body = match === null || (request.method !== 'GET' && request.method !== 'HEAD') ? undefined : await readFile(path.join(assetsDir, name)).catch(() => undefined);
		if (match === null || body === undefined) {
			response.writeHead(404, {'Content-Type': 'text/plain; charset=utf-8'}).end('not found\n');
			return;
		}

		const type = assetTypes[match[1]!]!;
		response.writeHead(200, {
			'Content-Type': type,
			'Content-Length': body.length,
			'Cache-Control': 'no-cache',
			'Content-Security-Policy': "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'",
			'Referrer-Policy': 'no-referrer',
		});
		response.end(request.method === 'HEAD' ? undefined : body);
	}
}

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
	const text = JSON.stringify(body);
	response.writeHead(status, {'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text)});
	response.end(text);
}

/** An ApiError as its status; a typed client error by its code (JOB_NOT_FOUND: 404); else 502. */
function sendError(response: ServerResponse, error: unknown): void {
	if (response.headersSent) {
		response.end();
		return;
	}

	const {code, name, message} = error as {code?: unknown; name?: unknown; message?: unknown};
	let status = 502;
	if (error instanceof ApiError) {
		status = error.status;
	} else if (code === 'JOB_NOT_FOUND') {
		status = 404;
	} else if (error instanceof TypeError) {
		status = 400;
	}

	sendJson(response, status, {error: {code: typeof code === 'string' ? code : 'ERROR', name: typeof name === 'string' ? name : 'Error', message: String(message ?? error)}});
}
