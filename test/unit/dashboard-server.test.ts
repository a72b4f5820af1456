/**
 * The dashboard's server against a fake client and a fake cluster view: its JSON API (pagination,
 * filters, job detail, cancel), the access token, the event stream and the page's own files. The
 * real client, broker, runner and browser are in test/browser/.
 */
import assert from 'node:assert/strict';
import {createServer} from 'node:http';
import type {AddressInfo} from 'node:net';
import {after, before, describe, test} from 'node:test';
import {JobNotFoundError, type JobFilter, type JobProgressEvent, type JobStatus, type PipelineDescription} from '../../src/index.js';
import {checkBind, DashboardAccessError, hostAllowed, isLoopback, tokenMatches} from '../../src/dashboard/access.js';
import type {ClusterView, DeadLettersView, JobChangeHandlers, PresenceView, RunnersView} from '../../src/dashboard/cluster-view.js';
import type {RunnerPresence} from '../../src/presence/presence-view.js';
import type {DashboardClient, DashboardJob} from '../../src/dashboard/dashboard-client.js';
import {DashboardServer} from '../../src/dashboard/dashboard-server.js';

const t0 = Date.UTC(2026, 11, 4, 14, 0, 0);

function status(id: string, overrides: Partial<JobStatus> = {}): JobStatus {
	return {
		id,
		pipeline: 'train_steps',
		state: 'QUEUED',
		attempt: 0,
		maxAttempts: 3,
		runner: '',
		submittedBy: 'c-test',
		submittedAtMs: t0,
		startedAtMs: 0,
		heartbeatAtMs: 0,
		finishedAtMs: 0,
		updatedAtMs: t0,
		progress: undefined,
		error: undefined,
		hasCheckpoint: false,
		...overrides,
	};
}

type FakeClient = DashboardClient & {
	readonly statuses: Map<string, JobStatus>;
	readonly cancelled: string[];
	readonly results: Map<string, unknown>;
	/** Arguments per job; a job without an entry gets a handle without args() (an older client). */
	readonly args: Map<string, unknown>;
	/** Progress a handle's iterator yields, per job; ends when the array is exhausted. */
	readonly progress: Map<string, JobProgressEvent[]>;
	jobsCalls: number;
};

function fakeClient(): FakeClient {
	const statuses = new Map<string, JobStatus>();
	const cancelled: string[] = [];
	const results = new Map<string, unknown>();
	const args = new Map<string, unknown>();
	const progress = new Map<string, JobProgressEvent[]>();
	const client: FakeClient = {
		statuses,
		cancelled,
		results,
		args,
		progress,
		jobsCalls: 0,
		async listPipelines(): Promise<readonly PipelineDescription[]> {
			return [{
				name: 'train_steps',
				version: 2,
				versions: [1, 2],
				doc: 'A training loop.',
				typed: true,
				argsSchema: {type: 'record', name: 'Args', fields: [{name: 'steps', type: 'long'}, {name: 'step_seconds', type: 'double', default: 0.05}]},
				resultSchema: {type: 'map', values: 'long'},
				timeoutMs: undefined,
				runner: 'host/1/abc',
				lane: 'JOB',
			}];
		},
		async job(id: string): Promise<DashboardJob> {
			const known = statuses.get(id);
			if (known === undefined) {
				throw new JobNotFoundError(id);
			}

			return {
				id,
				pipeline: known.pipeline,
				...(args.has(id) ? {async args() {
					return args.get(id);
				}} : {}),
				async result() {
					return results.get(id);
				},
				async status() {
					return statuses.get(id)!;
				},
				progress: {
					async *[Symbol.asyncIterator]() {
						for (const event of progress.get(id) ?? []) {
							await new Promise(resolve => setTimeout(resolve, 20));
							yield event;
						}
					},
				},
			};
		},
		async jobs(filter: JobFilter = {}): Promise<readonly JobStatus[]> {
			client.jobsCalls++;
			return [...statuses.values()]
				.sort((a, b) => b.submittedAtMs - a.submittedAtMs || (a.id < b.id ? -1 : 1))
				.slice(0, filter.limit ?? 100);
		},
		async cancel(id: string): Promise<JobStatus> {
			cancelled.push(id);
			const next = {...statuses.get(id)!, state: 'CANCEL_REQUESTED' as const, updatedAtMs: Date.now()};
			statuses.set(id, next);
			return next;
		},
	};
	return client;
}

const runnersView: RunnersView = {
	groups: [{group: 'mlbridge-runners', state: 'Stable', protocol: 'cooperative-sticky'}],
	members: [{group: 'mlbridge-runners', memberId: 'm-1', clientId: 'runner-1', host: '10.0.0.5', assignment: {'ml.pipeline.input': [0, 1]}}],
	lag: [{group: 'mlbridge-runners', topic: 'ml.pipeline.input', partition: 0, committed: 10, end: 15, lag: 5}],
	problems: [],
};
const deadLettersView: DeadLettersView = {
	topic: 'ml.pipeline.input.dlq',
	exists: true,
	total: 3,
	byReason: {'bad-magic': 2, 'frame-too-short': 1},
	latest: [{partition: 0, offset: '2', timestampMs: t0, reason: 'bad-magic', headers: {'mlbridge.dlq.reason': 'bad-magic'}}],
};
function presence(id: string, overrides: Partial<RunnerPresence> = {}): RunnerPresence {
	const now = Date.now();
	return {
		id,
		clientId: `client-${id}`,
		host: 'gpu-box',
		pid: 42,
		version: '0.1.0',
		group: 'mlbridge-runners',
		requestTopic: 'ml.pipeline.input',
		pipelines: ['echo', 'train_steps'],
		callPartitions: [0, 1],
		jobPartitions: [0],
		inFlight: 2,
		queued: 1,
		jobsRunning: 1,
		served: 120,
		startedAtMs: now - 60_000,
		updatedAtMs: now - 1000,
		intervalMs: 5000,
		metricsUrl: '',
		ageMs: 1000,
		live: true,
		...overrides,
	};
}

/** runner-1 publishes no presence (an older runner); host/7/abc does, and is in both groups. */
const presenceView: PresenceView = {topic: 'ml.pipeline.input.runners', available: true, runners: [presence('host/7/abc', {clientId: 'runner-7'})]};
const fakeCluster: ClusterView = {
	async runners() {
		return {
			...runnersView,
			members: [
				...runnersView.members,
				{group: 'mlbridge-runners', memberId: 'm-7', clientId: 'runner-7', host: '10.0.0.7', assignment: {'ml.pipeline.input': [2]}},
				{group: 'mlbridge-runners.jobs', memberId: 'm-7j', clientId: 'runner-7-jobs', host: '10.0.0.7', assignment: {'ml.pipeline.input.jobs': [0]}},
			],
		};
	},
	async presence() {
		return presenceView;
	},
	watchJobs() {
		return () => undefined;
	},
	async deadLetters() {
		return deadLettersView;
	},
	async close() {},
};

async function get(server: DashboardServer, path: string, headers: Record<string, string> = {}): Promise<{status: number; body: any}> {
	const response = await fetch(new URL(path, server.url), {headers});
	const text = await response.text();
	return {status: response.status, body: response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text};
}

/** Reads an event stream until `count` events of `kind` arrived (or the time is up). */
async function readEvents(url: string, kind: string, count: number, act: () => void, timeoutMs = 5000): Promise<Array<{event: string; data: any}>> {
	const controller = new AbortController();
	const timer = setTimeout(() => controller.abort(), timeoutMs);
	const response = await fetch(url, {signal: controller.signal});
	assert.equal(response.headers.get('content-type'), 'text/event-stream; charset=utf-8');
	const events: Array<{event: string; data: any}> = [];
	const decoder = new TextDecoder();
	let buffer = '';
	let acted = false;
	try {
		for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
			buffer += decoder.decode(chunk, {stream: true});
			let end: number;
			while ((end = buffer.indexOf('\n\n')) >= 0) {
				const block = buffer.slice(0, end);
				buffer = buffer.slice(end + 2);
				const event = /^event: (.*)$/m.exec(block)?.[1];
				const data = /^data: (.*)$/m.exec(block)?.[1];
				if (event !== undefined && data !== undefined) {
					events.push({event, data: JSON.parse(data)});
				}
			}

			if (!acted && events.some(e => e.event === 'hello')) {
				acted = true;
				act();
			}

			if (events.filter(e => e.event === kind).length >= count) {
				break;
			}
		}
	} catch (error) {
		if (!controller.signal.aborted) {
			throw error;
		}
	} finally {
		clearTimeout(timer);
		controller.abort();
	}

	return events;
}

describe('the jobs API', () => {
	let client: FakeClient;
	let server: DashboardServer;
	before(async () => {
		client = fakeClient();
		// 10,000 jobs: one a second, every third a different pipeline, states in turn.
		const states = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'] as const;
		for (let i = 0; i < 10_000; i++) {
			const id = `job-${String(i).padStart(5, '0')}`;
			client.statuses.set(id, status(id, {submittedAtMs: t0 + i * 1000, pipeline: i % 3 === 0 ? 'evaluate' : 'train_steps', state: states[i % 5]!}));
		}

		server = await DashboardServer.start({client, cluster: fakeCluster, port: 0});
	});
	after(async () => server.close());

	test('pages hold 50 jobs, newest submitted first, with the total and the page count', async () => {
		const first = await get(server, '/api/jobs');
		assert.equal(first.status, 200);
		assert.equal(first.body.jobs.length, 50);
		assert.equal(first.body.total, 10_000);
		assert.equal(first.body.pages, 200);
		assert.equal(first.body.jobs[0].id, 'job-09999');
		assert.equal(first.body.jobs[49].id, 'job-09950');
		assert.deepEqual(first.body.pipelines, ['evaluate', 'train_steps']);
		const last = await get(server, '/api/jobs?page=200');
		assert.equal(last.body.jobs.at(-1).id, 'job-00000');
		const beyond = await get(server, '/api/jobs?page=201');
		assert.deepEqual(beyond.body.jobs, []);
	});

	test('filters by pipeline and by state, together', async () => {
		const {body} = await get(server, '/api/jobs?pipeline=evaluate&state=FAILED');
		// i % 3 == 0 and i % 5 == 3: one in 15.
		assert.equal(body.total, 667);
		assert.ok(body.jobs.every((j: JobStatus) => j.pipeline === 'evaluate' && j.state === 'FAILED'));
		const several = await get(server, '/api/jobs?state=queued,running');
		assert.equal(several.body.total, 4000);
	});

	test('a bad state or page is a 400 naming what is expected', async () => {
		const state = await get(server, '/api/jobs?state=DONE');
		assert.equal(state.status, 400);
		assert.equal(state.body.error.code, 'BAD_STATE');
		assert.match(state.body.error.message, /QUEUED, RUNNING/);
		assert.equal((await get(server, '/api/jobs?page=0')).status, 400);
		assert.equal((await get(server, '/api/jobs?page=x')).status, 400);
	});
});

describe('a job: detail and cancel', () => {
	let client: FakeClient;
	let server: DashboardServer;
	before(async () => {
		client = fakeClient();
		client.statuses.set('ok', status('ok', {state: 'SUCCEEDED', attempt: 1, startedAtMs: t0 + 10, finishedAtMs: t0 + 500}));
		client.results.set('ok', {steps: 5n, weights: Buffer.alloc(12)});
		client.args.set('ok', {steps: 5, dataset: 'x'.repeat(500), weights: Buffer.alloc(3)});
		client.statuses.set('bad', status('bad', {
			state: 'FAILED',
			attempt: 1,
			error: {code: 'PIPELINE_ERROR', type: 'ValueError', message: 'boom', traceback: 'Traceback (most recent call last):\n  File "p.py", line 3\nValueError: boom', retryable: false, causes: []},
		}));
		client.statuses.set('run', status('run', {state: 'RUNNING', attempt: 1, runner: 'host/1/abc', progress: {current: 3, total: 10, message: 'step 3/10', atMs: t0}}));
		server = await DashboardServer.start({client, port: 0});
	});
	after(async () => server.close());

	test('a succeeded job comes with its result, made JSON-safe', async () => {
		const {status: code, body} = await get(server, '/api/jobs/ok');
		assert.equal(code, 200);
		assert.equal(body.status.state, 'SUCCEEDED');
		assert.deepEqual(body.result, {steps: '5', weights: '<12 bytes>'});
	});

	test('the arguments come as a summary: one JSON text per field, long ones clipped', async () => {
		const {body} = await get(server, '/api/jobs/ok');
		assert.equal(body.args.available, true);
		const fields = Object.fromEntries(body.args.fields as Array<[string, string]>);
		assert.equal(fields['steps'], '5');
		assert.equal(fields['weights'], '"<3 bytes>"');
		assert.equal(fields['dataset']?.length, 200);
		assert.ok(fields['dataset']?.endsWith('…'));
		// A client whose handles cannot read arguments: said so, nothing fails.
		const bad = await get(server, '/api/jobs/bad');
		assert.deepEqual(bad.body.args, {available: false, reason: 'this client cannot read a job\'s arguments'});
	});

	test('a failed job comes with its typed error and the remote traceback', async () => {
		const {body} = await get(server, '/api/jobs/bad');
		assert.equal(body.status.error.code, 'PIPELINE_ERROR');
		assert.equal(body.status.error.type, 'ValueError');
		assert.match(body.status.error.traceback, /ValueError: boom/);
		assert.equal(body.result, undefined);
	});

	test('an unknown job is a 404', async () => {
		const {status: code, body} = await get(server, '/api/jobs/nope');
		assert.equal(code, 404);
		assert.equal(body.error.code, 'JOB_NOT_FOUND');
	});

	test('cancel is a JSON POST: it reaches the client and answers the new state', async () => {
		const plain = await fetch(new URL('/api/jobs/run/cancel', server.url), {method: 'POST', body: 'x'});
		assert.equal(plain.status, 415);
		assert.deepEqual(client.cancelled, []);
		const get405 = await fetch(new URL('/api/jobs/run/cancel', server.url));
		assert.equal(get405.status, 405);
		const response = await fetch(new URL('/api/jobs/run/cancel', server.url), {method: 'POST', headers: {'Content-Type': 'application/json'}, body: '{}'});
		assert.equal(response.status, 200);
		assert.equal(((await response.json()) as {status: JobStatus}).status.state, 'CANCEL_REQUESTED');
		assert.deepEqual(client.cancelled, ['run']);
	});
});

describe('pipelines, runners and dead letters', () => {
	let server: DashboardServer;
	let bare: DashboardServer;
	before(async () => {
		server = await DashboardServer.start({client: fakeClient(), cluster: fakeCluster, port: 0});
		bare = await DashboardServer.start({client: fakeClient(), port: 0});
	});
	after(async () => Promise.all([server.close(), bare.close()]));

	test('the catalogue with lane, versions and a readable signature', async () => {
		const {body} = await get(server, '/api/pipelines');
		assert.deepEqual(body, [{
			name: 'train_steps',
			lane: 'JOB',
			version: 2,
			versions: [1, 2],
			signature: '(steps: long, step_seconds: double = 0.05) -> map<long>',
			doc: 'A training loop.',
			typed: true,
			timeoutMs: null,
			runner: 'host/1/abc',
			// From the live runners' presence records.
			servedBy: ['host/7/abc'],
		}]);
		// Without a cluster view (so no presence): null, and the page names the publisher.
		assert.equal((await get(bare, '/api/pipelines')).body[0].servedBy, null);
	});

	test('runners and dead letters come from the cluster view; without one, a 501', async () => {
		const runners = (await get(server, '/api/runners')).body;
		const {lagHistory, runners: rows, presence: presenceState, ...view} = runners;
		assert.deepEqual(view, await fakeCluster.runners());
		assert.deepEqual(presenceState, {topic: 'ml.pipeline.input.runners', available: true});
		// Presence joined with both lanes' members by client id; the runner without presence from its member.
		assert.deepEqual(rows.map((r: {id: string; presence: unknown; members: Array<{memberId: string}>}) => [r.id, r.presence === null ? null : 'presence', r.members.map(m => m.memberId)]), [
			['host/7/abc', 'presence', ['m-7', 'm-7j']],
			['runner-1', null, ['m-1']],
		]);
		assert.equal(rows[0].presence.version, '0.1.0');
		assert.deepEqual(rows[0].presence.pipelines, ['echo', 'train_steps']);
		// Each read adds a sample of the total lag per group: the chart's data.
		assert.deepEqual(lagHistory.map((sample: {lag: unknown}) => sample.lag), [{'mlbridge-runners': 5}]);
		assert.equal((await get(server, '/api/runners')).body.lagHistory.length, 2);
		assert.deepEqual((await get(server, '/api/dead-letters')).body, deadLettersView);
		const missing = await get(bare, '/api/runners');
		assert.equal(missing.status, 501);
		assert.equal(missing.body.error.code, 'NO_CLUSTER_VIEW');
	});
});

describe('the access token', () => {
	test('loopback needs no token; any other address does, refused at start', async () => {
		assert.ok(isLoopback('127.0.0.1') && isLoopback('localhost') && isLoopback('::1') && isLoopback('127.1.2.3'));
		assert.ok(!isLoopback('0.0.0.0') && !isLoopback('10.0.0.5') && !isLoopback('::') && !isLoopback('example.com'));
		assert.throws(() => checkBind('0.0.0.0', undefined), DashboardAccessError);
		assert.throws(() => checkBind('0.0.0.0', ''), /needs an access token/);
		checkBind('0.0.0.0', 'secret');
		checkBind('127.0.0.1', undefined);
		await assert.rejects(DashboardServer.start({client: fakeClient(), host: '0.0.0.0', port: 0}), DashboardAccessError);
	});

	test('without a token, only a loopback Host header is answered (no DNS rebinding)', async () => {
		assert.ok(hostAllowed('127.0.0.1:8080', undefined) && hostAllowed('localhost:8080', undefined) && hostAllowed('[::1]:8080', undefined));
		assert.ok(!hostAllowed('evil.example:8080', undefined) && !hostAllowed(undefined, undefined));
		assert.ok(hostAllowed('dashboard.internal:8080', 'secret'));
		const server = await DashboardServer.start({client: fakeClient(), port: 0});
		try {
			const {request} = await import('node:http');
			const status = await new Promise<number>((resolve, reject) => {
				request({host: '127.0.0.1', port: server.port, path: '/api/jobs', headers: {Host: `rebound.example:${server.port}`}}, response => {
					response.resume();
					resolve(response.statusCode ?? 0);
				}).on('error', reject).end();
			});
			assert.equal(status, 403);
			assert.equal((await get(server, '/api/jobs')).status, 200);
		} finally {
			await server.close();
		}
	});

	test('with a token, every API call and the cancel need it; the page itself does not', async () => {
		const client = fakeClient();
		client.statuses.set('run', status('run', {state: 'RUNNING'}));
		const server = await DashboardServer.start({client, host: '0.0.0.0', port: 0, token: 's3cret'});
		try {
			const base = `http://127.0.0.1:${server.port}`;
			for (const path of ['/api/jobs', '/api/jobs/run', '/api/pipelines', '/api/info', '/api/events']) {
				const response = await fetch(base + path);
				assert.equal(response.status, 401, path);
				assert.equal(((await response.json()) as {error: {code: string}}).error.code, 'UNAUTHORIZED');
			}

			const wrong = await fetch(`${base}/api/jobs`, {headers: {Authorization: 'Bearer nope'}});
			assert.equal(wrong.status, 401);
			const cancel = await fetch(`${base}/api/jobs/run/cancel`, {method: 'POST', headers: {'Content-Type': 'application/json'}, body: '{}'});
			assert.equal(cancel.status, 401);
			assert.deepEqual(client.cancelled, []);
			assert.equal((await fetch(`${base}/api/jobs`, {headers: {Authorization: 'Bearer s3cret'}})).status, 200);
			assert.equal((await fetch(`${base}/api/jobs?token=s3cret`)).status, 200);
			assert.equal((await fetch(`${base}/`)).status, 200);
			assert.ok(tokenMatches(undefined, undefined) && !tokenMatches('a', 'ab') && tokenMatches('a', 'a'));
		} finally {
			await server.close();
		}
	});
});

describe('live updates', () => {
	test('a changed job reaches the page as a `job` event; ?job=ID adds its progress reports', async () => {
		const client = fakeClient();
		client.statuses.set('run', status('run', {state: 'RUNNING'}));
		client.progress.set('run', [1, 2, 3].map(current => ({jobId: 'run', seq: current, current, total: 3, message: `step ${current}`, atMs: t0 + current})));
		const server = await DashboardServer.start({client, port: 0, feedIntervalMs: 50});
		try {
			const events = await readEvents(`${server.url}api/events`, 'job', 1, () => {
				setTimeout(() => client.statuses.set('run', status('run', {state: 'SUCCEEDED', updatedAtMs: t0 + 5})), 200);
			});
			assert.equal(events[0]!.event, 'hello');
			assert.equal(events[0]!.data.instance, server.instance);
			const job = events.find(e => e.event === 'job');
			assert.equal(job?.data.id, 'run');
			assert.equal(job?.data.state, 'SUCCEEDED');

			const progress = await readEvents(`${server.url}api/events?job=run`, 'progress', 3, () => undefined);
			assert.deepEqual(progress.filter(e => e.event === 'progress').map(e => e.data.current), [1, 2, 3]);
		} finally {
			await server.close();
		}
	});

	test('when the job state cannot be read, every page is told (and told again when it can)', async () => {
		const client = fakeClient();
		const jobs = client.jobs.bind(client);
		let down = true;
		client.jobs = async filter => {
			if (down) {
				throw new Error('broker unreachable');
			}

			return jobs(filter);
		};

		const server = await DashboardServer.start({client, port: 0, feedIntervalMs: 50});
		try {
			const events = await readEvents(`${server.url}api/events`, 'feed', 3, () => {
				setTimeout(() => {
					down = false;
				}, 200);
			});
			assert.deepEqual(events.filter(e => e.event === 'feed').map(e => e.data), [
				{ok: true},
				{ok: false, message: 'broker unreachable'},
				{ok: true},
			]);
		} finally {
			await server.close();
		}
	});

	test('runner groups and lag are pushed as `runners` events while a page listens', async () => {
		const server = await DashboardServer.start({client: fakeClient(), cluster: fakeCluster, port: 0, runnersIntervalMs: 50});
		try {
			const events = await readEvents(`${server.url}api/events`, 'runners', 2, () => undefined);
			const pushed = events.filter(e => e.event === 'runners');
			assert.equal(pushed[0]!.data.members[0].clientId, 'runner-1');
			assert.equal(pushed[1]!.data.lagHistory.length, 2);
		} finally {
			await server.close();
		}
	});

	test('one reader for any number of pages, and none while no page listens', async () => {
		const client = fakeClient();
		const server = await DashboardServer.start({client, port: 0, feedIntervalMs: 100});
		try {
			await new Promise(resolve => setTimeout(resolve, 350));
			assert.equal(client.jobsCalls, 0);
			const controllers = [new AbortController(), new AbortController(), new AbortController()];
			await Promise.all(controllers.map(async c => fetch(`${server.url}api/events`, {signal: c.signal})));
			await new Promise(resolve => setTimeout(resolve, 550));
			for (const c of controllers) {
				c.abort();
			}

			// About one read per 100 ms for three pages together, not three times that.
			assert.ok(client.jobsCalls >= 3 && client.jobsCalls <= 9, `reads: ${client.jobsCalls}`);
		} finally {
			await server.close();
		}
	});
});

describe('pushed job changes and scraped runner metrics', () => {
	test('with a cluster view the job feed is pushed: no reads of the client while the push is live, one read when it goes live', async () => {
		const client = fakeClient();
		client.statuses.set('run', status('run', {state: 'RUNNING'}));
		let handlers: JobChangeHandlers | undefined;
		let stopped = 0;
		const cluster: ClusterView = {
			...fakeCluster,
			watchJobs(h) {
				handlers = h;
				return () => {
					stopped++;
				};
			},
		};
		const server = await DashboardServer.start({client, cluster, port: 0, feedIntervalMs: 50});
		try {
			const events = await readEvents(`${server.url}api/events`, 'job', 2, () => {
				setTimeout(() => {
					const readsBefore = client.jobsCalls;
					handlers!.live(true);
					setTimeout(() => {
						// One read at going live (two if a timer read was under way): the timer (50 ms) no longer reads.
						assert.ok(client.jobsCalls >= readsBefore + 1 && client.jobsCalls <= readsBefore + 2, `reads: ${readsBefore} -> ${client.jobsCalls}`);
						handlers!.status(status('run', {state: 'RUNNING', updatedAtMs: t0 + 1, progress: {current: 1, total: 3, message: 'one', atMs: t0 + 1}}));
						handlers!.status(status('run', {state: 'RUNNING', updatedAtMs: t0 + 1, progress: {current: 1, total: 3, message: 'one', atMs: t0 + 1}}));
						handlers!.status(status('run', {state: 'SUCCEEDED', updatedAtMs: t0 + 2}));
						// A record from someone who had not seen the end: the terminal state stays.
						handlers!.status(status('run', {state: 'CANCEL_REQUESTED', updatedAtMs: t0 + 3}));
					}, 300);
				}, 150);
			});
			assert.deepEqual(events.filter(e => e.event === 'job').map(e => `${e.data.state}:${e.data.progress?.current ?? '-'}`), ['RUNNING:1', 'SUCCEEDED:-']);
			await new Promise(resolve => setTimeout(resolve, 100));
			assert.equal(stopped, 1, 'the watch stops when the last page leaves');
		} finally {
			await server.close();
		}
	});

	test('each live runner\'s metricsUrl is scraped: calls per second and p50/p99 per pipeline, summed over runners', async () => {
		// Two runners' /metrics; each scrape adds 10 calls of `echo` on each, all in the 5-10 ms bucket.
		const scrapes = new Map<string, number>();
		const metrics = createServer((request, response) => {
			const n = (scrapes.get(request.url!) ?? 0) + 1;
			scrapes.set(request.url!, n);
			const calls = n * 10;
			response.writeHead(200, {'Content-Type': 'text/plain; version=0.0.4'});
			response.end([
				'# TYPE mlbridge_runner_calls_total counter',
				`mlbridge_runner_calls_total{pipeline="echo",outcome="ok"} ${calls}`,
				`mlbridge_runner_calls_total{pipeline="echo",outcome="pipeline_error"} ${n}`,
				'# TYPE mlbridge_runner_call_duration_seconds histogram',
				'mlbridge_runner_call_duration_seconds_bucket{pipeline="echo",le="0.005"} 0',
				`mlbridge_runner_call_duration_seconds_bucket{pipeline="echo",le="0.01"} ${calls + n}`,
				`mlbridge_runner_call_duration_seconds_bucket{pipeline="echo",le="+Inf"} ${calls + n}`,
				`mlbridge_runner_call_duration_seconds_count{pipeline="echo"} ${calls + n}`,
				'',
			].join('\n'));
		});
		await new Promise<void>(resolve => metrics.listen(0, '127.0.0.1', resolve));
		const base = `http://127.0.0.1:${(metrics.address() as AddressInfo).port}`;
		const cluster: ClusterView = {
			...fakeCluster,
			async presence() {
				return {topic: 't.runners', available: true, runners: [
					presence('a/1/x', {metricsUrl: `${base}/a`}),
					presence('b/2/y', {metricsUrl: `${base}/b`}),
					presence('c/3/z', {metricsUrl: `${base}/c`, live: false}),
					presence('d/4/w', {metricsUrl: ''}),
				]};
			},
		};
		const server = await DashboardServer.start({client: fakeClient(), cluster, port: 0, metricsIntervalMs: 200});
		try {
			const events = await readEvents(`${server.url}api/events`, 'metrics', 2, () => undefined);
			const update = events.filter(e => e.event === 'metrics').at(-1)!.data;
			assert.equal(update.source, 'runners');
			assert.deepEqual(update.targets.map((t: {runner: string; ok: boolean}) => [t.runner, t.ok]), [['a/1/x', true], ['b/2/y', true]], 'live runners with a metrics address only');
			assert.ok(!scrapes.has('/c'), 'a silent runner is not scraped');
			assert.deepEqual(update.pipelines, ['echo']);
			const point = update.history.at(-1).pipelines.echo;
			// 11 calls per runner per scrape (~0.2 s apart), two runners: about 110 calls/s.
			assert.ok(point.callsPerSecond > 60 && point.callsPerSecond < 160, `calls/s ${point.callsPerSecond}`);
			assert.ok(Math.abs(point.errorsPerSecond * 11 - point.callsPerSecond) < 1e-6 * point.callsPerSecond + 1e-9);
			// All in (5 ms, 10 ms]: p50 interpolates to the middle, p99 near the top.
			assert.ok(Math.abs(point.p50Ms - 7.5) < 1e-9, `p50 ${point.p50Ms}`);
			assert.ok(Math.abs(point.p99Ms - 9.95) < 1e-9, `p99 ${point.p99Ms}`);
			const api = (await get(server, '/api/metrics')).body;
			assert.ok(api.history.length >= 1);
		} finally {
			await server.close();
			metrics.close();
		}
	});

	test('without runner metrics the charts API says so and carries the jobs the dashboard sees', async () => {
		const client = fakeClient();
		client.statuses.set('done', status('done', {state: 'SUCCEEDED', startedAtMs: Date.now() - 2000, finishedAtMs: Date.now() - 1000}));
		const server = await DashboardServer.start({client, cluster: fakeCluster, port: 0});
		try {
			const body = (await get(server, '/api/metrics')).body;
			assert.equal(body.source, 'none');
			assert.deepEqual(body.targets, []);
			assert.equal(body.jobs.pipelines[0].pipeline, 'train_steps');
			assert.equal(body.jobs.pipelines[0].succeeded, 1);
		} finally {
			await server.close();
		}
	});
});

describe('the page', () => {
	let server: DashboardServer;
	before(async () => {
		server = await DashboardServer.start({client: fakeClient(), port: 0});
	});
	after(async () => server.close());

	test('its files are served from the package, nothing from elsewhere', async () => {
		const html = await get(server, '/');
		assert.equal(html.status, 200);
		assert.match(html.body as string, /<script type="module" src="\/assets\/app.js"><\/script>/);
		assert.doesNotMatch(html.body as string, /(src|href)="https?:/);
		for (const [path, type] of [['/assets/app.js', 'text/javascript'], ['/assets/runners-page.js', 'text/javascript'], ['/assets/style.css', 'text/css']]) {
			const response = await fetch(new URL(path!, server.url));
			assert.equal(response.status, 200);
			assert.match(response.headers.get('content-type') ?? '', new RegExp(type!));
		}

		assert.equal((await get(server, '/assets/../package.json')).status, 404);
		assert.equal((await get(server, '/assets/missing.js')).status, 404);
		assert.equal((await get(server, '/assets/%2e%2e%2fpackage.json')).status, 404);
		assert.equal((await get(server, '/nothing')).status, 404);
	});

	test('it has light and dark themes and visible focus', async () => {
		const css = (await get(server, '/assets/style.css')).body as string;
		assert.match(css, /@media \(prefers-color-scheme: dark\)/);
		assert.match(css, /:focus-visible/);
	});
});
