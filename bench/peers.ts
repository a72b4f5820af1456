/**
 * Peers on a local redis-server (started and stopped here): BullMQ (TS Queue → Python `bullmq`
 * worker) and Celery (Node `celery-node` client → Python Celery worker, threads pool).
 */
import {type ChildProcess, execFileSync} from 'node:child_process';
import {createServer} from 'node:net';
import {setTimeout as sleep} from 'node:timers/promises';
import path from 'node:path';
import {Queue, QueueEvents} from 'bullmq';
import celery from 'celery-node';
import {benchPython, here, payload, type Rung, spawnReady, stopChild, type System} from './systems.js';

type Redis = {child: ChildProcess; port: number; pid: number};
let redis: Redis | undefined;
let redisStarting: Promise<Redis> | undefined;

async function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const s = createServer();
		s.listen(0, '127.0.0.1', () => {
			const {port} = s.address() as {port: number};
			s.close(() => resolve(port));
		});
		s.on('error', reject);
	});
}

async function ensureRedis(): Promise<number> {
	if (redis) return redis.port;
	redisStarting ??= (async () => {
		const port = await freePort();
		// redis-server prints no `ready` line of its own: wrap it in a shell that polls redis-cli.
		// maxmemory: a peer that leaves data behind gets write errors (a failed rung) instead of
		// taking the machine's memory, and the Kafka broker's with it.
		const script = `redis-server --port ${port} --bind 127.0.0.1 --save '' --appendonly no --maxmemory 4gb --maxmemory-policy noeviction --daemonize no --loglevel warning & pid=$!; trap 'kill $pid; wait $pid' TERM INT; for i in $(seq 100); do redis-cli -p ${port} ping >/dev/null 2>&1 && break; sleep 0.05; done; echo ready; wait $pid`;
		const child = await spawnReady('bash', ['-c', script]);
		const info = execFileSync('redis-cli', ['-p', String(port), 'info', 'server'], {encoding: 'utf8'});
		redis = {child, port, pid: Number(/process_id:(\d+)/.exec(info)?.[1])};
		return redis;
	})();
	return (await redisStarting).port;
}

export async function stopRedis(): Promise<void> {
	const r = redis;
	redis = undefined;
	redisStarting = undefined;
	if (r) await stopChild(r.child);
}

/** The pid of redis-server itself (not the wrapper shell): the peers' broker. */
function redisPid(): number[] {
	return redis === undefined || !(redis.pid > 0) ? [] : [redis.pid];
}

async function bullmq(): Promise<System> {
	const port = await ensureRedis();
	const connection = {host: '127.0.0.1', port};
	const name = `bench-${Date.now().toString(36)}`;
	const queue = new Queue(name, {connection});
	const events = new QueueEvents(name, {connection});
	queue.setMaxListeners(0);
	events.setMaxListeners(0);
	await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
	const worker = await spawnReady(benchPython, [path.join(here, 'bullmq_worker.py'), `redis://127.0.0.1:${port}`, name, '8']);
	// Completed jobs keep their data and return value in Redis: 20,000 kept 500 KB jobs grew
	// redis-server to 23 GB and the OOM killer stopped a full run. A thousand is plenty for
	// waitUntilFinished, which reads the outcome from the event stream.
	const opts = {removeOnComplete: {age: 60, count: 1000}, removeOnFail: true};
	return {
		async call(size: number) {
			const job = await queue.add('echo', size > 0 ? {payload: payload(size).toString('base64')} : {}, opts);
			return job.waitUntilFinished(events, 30_000);
		},
		serverPids: () => [worker.pid!],
		brokerPids: redisPid,
		async stop() {
			await stopChild(worker);
			await events.close();
			await queue.obliterate({force: true}).catch(() => undefined);
			await queue.close();
		},
	};
}

async function celeryPeer(): Promise<System> {
	const port = await ensureRedis();
	const url = `redis://127.0.0.1:${port}`;
	const worker = await spawnReady(path.join(here, '.venv/bin/celery'), ['-A', 'celery_app', 'worker', '--pool', 'threads', '--concurrency', '8', '-Q', 'bench', '--loglevel', 'WARNING', '--without-gossip', '--without-mingle', '--without-heartbeat'], {BENCH_REDIS_URL: url, PYTHONPATH: here}, 60_000);
	const client = celery.createClient(`${url}/0`, `${url}/1`, 'bench');
	const task = client.createTask('echo');
	return {
		async call(size: number) {
			// celery-node's AsyncResult.get(timeout, 1) polls the result backend from a 1 ms setInterval
			// whether or not the previous GET came back: with 500 KB results the GETs piled up until
			// redis-server held 17 GB of output buffers. Same 1 ms interval here, one GET at a time.
			const result = task.applyAsync(size > 0 ? [payload(size).toString('base64')] : []);
			const deadline = Date.now() + 30_000;
			for (;;) {
				const meta = await result.backend.getTaskMeta(result.taskId) as {status?: string; result?: unknown} | null;
				if (meta?.status === 'SUCCESS') return meta.result;
				if (meta?.status === 'FAILURE' || meta?.status === 'REVOKED') throw new Error(`celery task ${meta.status}`);
				if (Date.now() > deadline) throw new Error('celery task: no result within 30 s');
				await sleep(1);
			}
		},
		serverPids: () => [worker.pid!],
		brokerPids: redisPid,
		async stop() {
			await stopChild(worker);
			await client.disconnect();
		},
	};
}

export const peerRungs: Rung[] = [
	{name: 'bullmq', group: 'peer', payloads: true, start: bullmq},
	{name: 'celery', group: 'peer', payloads: true, start: celeryPeer},
];
