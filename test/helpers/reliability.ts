/**
 * Shared pieces of the reliability suite (test/reliability/): the scale switch, a fleet of runners
 * on one request topic, a ledger that counts every call's outcome, execution counts from the
 * fixture's log, consumer lag, and the results table.
 */
import {randomBytes} from 'node:crypto';
import {createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync, type WriteStream} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {Kafka, logLevel} from 'kafkajs';
import {MlbridgeError, PipelineClient, RunnerProcess, type ClientOptions, type RunnerOptions, type WireValue} from '../../src/index.js';
import {brokers as defaultBrokers, fixturesDir} from './harness.js';

import {scale} from './reliability-results.js';

export {scale, type Scale} from './reliability-results.js';
export function pick<T>(ci: T, full: T): T {
	return scale === 'full' ? full : ci;
}

export const reliabilityPipelines = path.join(fixturesDir, 'reliability_pipelines.py');
export const reliabilityDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'reliability');

/**
 * Call timings and load pacing use the monotonic clock: a wall-clock step (a resumed VM) would
 * otherwise make calls look late and fire a burst of "overdue" load.
 */
const monotonicNow = (): number => performance.now();

/** How late past its deadline a promise may settle: the event loop of a busy 2-core machine. */
export const settleMarginMs = 5000;

export async function sleep(ms: number): Promise<void> {
	return new Promise(resolve => {
		setTimeout(resolve, ms);
	});
}

export function log(message: string): void {
	process.stdout.write(`[reliability] ${message}\n`);
}

/** Poll `check` until it returns true or `timeoutMs` passes; returns the last answer. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 250): Promise<boolean> {
	const end = Date.now() + timeoutMs;
	for (;;) {
		if (await check()) {
			return true;
		}

		if (Date.now() > end) {
			return false;
		}

		await sleep(everyMs);
	}
}

// --- a fleet of runners --------------------------------------------------------------------------

export type Fleet = {
	readonly scenario: string;
	readonly requestTopic: string;
	readonly group: string;
	readonly brokers: string[];
	/** Every runner this fleet started, alive or not. */
	readonly all: RunnerProcess[];
	/** Runners not yet stopped or killed by the fleet. */
	readonly live: RunnerProcess[];
	/** The fixture's execution log: one line per execution. */
	readonly execLog: string;
	readonly workDir: string;
	start(options?: Partial<RunnerOptions>): Promise<RunnerProcess>;
	kill(runner: RunnerProcess): Promise<void>;
	stop(runner: RunnerProcess): Promise<number | undefined>;
	connect(options?: ClientOptions): Promise<PipelineClient>;
	close(): Promise<void>;
};

export async function createFleet(scenario: string, options: {brokers?: string[]; partitions?: number; concurrency?: number} = {}): Promise<Fleet> {
	const id = randomBytes(4).toString('hex');
	const requestTopic = `test.rel.${scenario}.${id}`;
	const group = `${requestTopic}.runners`;
	const catalogTopic = `${requestTopic}.catalog`;
	const brokers = options.brokers ?? defaultBrokers;
	const partitions = options.partitions ?? 12;
	const workDir = path.join(os.tmpdir(), 'mlbridge-reliability', `${scenario}-${id}`);
	mkdirSync(workDir, {recursive: true});
	const execLog = path.join(workDir, 'executions.log');
	writeFileSync(execLog, '');
	const all: RunnerProcess[] = [];
	const live: RunnerProcess[] = [];
	const logs: WriteStream[] = [];
	const clients: PipelineClient[] = [];
	const fleet: Fleet = {
		scenario,
		requestTopic,
		group,
		brokers,
		all,
		live,
		execLog,
		workDir,
		async start(runnerOptions = {}) {
			const out = createWriteStream(path.join(workDir, `runner-${all.length + 1}.log`));
			logs.push(out);
			const runner = await RunnerProcess.start({
				pipelines: [reliabilityPipelines],
				brokers,
				requestTopic,
				group,
				concurrency: options.concurrency ?? 8,
				startTimeoutMs: 120_000,
				env: {MLBRIDGE_EXEC_LOG: execLog, MLBRIDGE_CATALOG_TOPIC: catalogTopic},
				onLog(line) {
					out.write(line + '\n');
				},
				...runnerOptions,
				extraArgs: ['--partitions', String(partitions), ...(runnerOptions.extraArgs ?? [])],
			});
			all.push(runner);
			live.push(runner);
			return runner;
		},
		async kill(runner) {
			live.splice(live.indexOf(runner), 1);
			await runner.kill();
		},
		async stop(runner) {
			live.splice(live.indexOf(runner), 1);
			return (await runner.stop()).exitCode;
		},
		async connect(clientOptions = {}) {
			const client = await PipelineClient.connect({brokers, requestTopic, catalogTopic, requestPartitions: partitions, connectTimeoutMs: 30_000, ...clientOptions});
			clients.push(client);
			return client;
		},
		async close() {
			await Promise.allSettled(clients.map(async c => c.close()));
			await Promise.allSettled(live.splice(0).map(async r => r.stop()));
			await Promise.allSettled(
				all.map(async r => {
					const timer = setTimeout(() => void r.kill(), 15_000);
					await r.exited;
					clearTimeout(timer);
				}),
			);
			for (const out of logs) {
				out.end();
			}
		},
	};
	return fleet;
}

/** Whether the process is still there (signal 0). */
export function alive(pid: number | undefined): boolean {
	if (pid === undefined) {
		return false;
	}

	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}

// --- the ledger ------------------------------------------------------------------------------------

type Entry = {
	readonly tag: string;
	readonly startedAt: number;
	readonly timeoutMs: number;
	settles: number;
	settledAt?: number;
	ok?: boolean;
	value?: unknown;
	error?: unknown;
};

export type LedgerSummary = {
	calls: number;
	ok: number;
	/** Rejected, whatever the error. */
	failed: number;
	/** Never settled within deadline + margin. */
	lost: number;
	/** Resolved with a value that is not this call's tag. */
	wrong: number;
	/** Settled later than deadline + margin. */
	late: number;
	/** Settled more than once (cannot happen to a promise; counted to prove it). */
	multi: number;
	/** Rejections by error class / code. */
	errors: Record<string, number>;
	/** Rejections that are not MlbridgeError (untyped). */
	untyped: number;
};

/** Every call of a scenario: its tag, deadline, and how and when it settled. */
export class Ledger {
	readonly #entries = new Map<string, Entry>();
	readonly #promises: Array<Promise<void>> = [];
	#seq = 0;

	constructor(readonly prefix: string) {}

	nextTag(): string {
		return `${this.prefix}-${++this.#seq}`;
	}

	/** Start one call whose result must carry `tag`. */
	call(client: PipelineClient, name: string, args: {readonly tag: string; readonly [name: string]: WireValue}, timeoutMs: number): Promise<void> {
		const entry: Entry = {tag: args.tag, startedAt: monotonicNow(), timeoutMs, settles: 0};
		if (this.#entries.has(args.tag)) {
			throw new Error(`tag ${args.tag} used twice`);
		}

		this.#entries.set(args.tag, entry);
		const settle = (ok: boolean, payload: unknown): void => {
			entry.settles++;
			if (entry.settles === 1) {
				entry.settledAt = monotonicNow();
				entry.ok = ok;
				if (ok) {
					entry.value = payload;
				} else {
					entry.error = payload;
				}
			}
		};

		let promise: Promise<void>;
		try {
			promise = client.invoke(name, args, {timeoutMs}).then(
				value => {
					settle(true, value);
				},
				(error: unknown) => {
					settle(false, error);
				},
			);
		} catch (error) {
			settle(false, error);
			promise = Promise.resolve();
		}

		this.#promises.push(promise);
		return promise;
	}

	get size(): number {
		return this.#entries.size;
	}

	get settled(): number {
		let n = 0;
		for (const e of this.#entries.values()) {
			if (e.settles > 0) {
				n++;
			}
		}

		return n;
	}

	/** Wait until every call settled, or until the last deadline + margin passed. */
	async drain(): Promise<void> {
		let last = monotonicNow();
		for (const e of this.#entries.values()) {
			last = Math.max(last, e.startedAt + e.timeoutMs + settleMarginMs);
		}

		let timer: NodeJS.Timeout | undefined;
		await Promise.race([
			Promise.allSettled(this.#promises),
			new Promise(resolve => {
				timer = setTimeout(resolve, Math.max(0, last - monotonicNow()) + 100);
			}),
		]);
		clearTimeout(timer);
	}

	entries(): Iterable<Readonly<Entry>> {
		return this.#entries.values();
	}

	/** Results (values) of calls that succeeded. */
	values(): unknown[] {
		return [...this.#entries.values()].filter(e => e.ok === true).map(e => e.value);
	}

	summary(): LedgerSummary {
		const s: LedgerSummary = {calls: 0, ok: 0, failed: 0, lost: 0, wrong: 0, late: 0, multi: 0, errors: {}, untyped: 0};
		for (const e of this.#entries.values()) {
			s.calls++;
			if (e.settles === 0) {
				s.lost++;
				continue;
			}

			if (e.settles > 1) {
				s.multi++;
			}

			if (e.settledAt! > e.startedAt + e.timeoutMs + settleMarginMs) {
				s.late++;
			}

			if (e.ok) {
				s.ok++;
				if ((e.value as {tag?: unknown} | null)?.tag !== e.tag) {
					s.wrong++;
				}
			} else {
				s.failed++;
				const name = e.error instanceof MlbridgeError ? `${e.error.constructor.name}(${e.error.code})` : String(e.error);
				s.errors[name] = (s.errors[name] ?? 0) + 1;
				if (!(e.error instanceof MlbridgeError)) {
					s.untyped++;
				}
			}
		}

		return s;
	}

	/** A few failed calls, for the assertion message. */
	failures(n = 5): string {
		return [...this.#entries.values()]
			.filter(e => e.ok !== true)
			.slice(0, n)
			.map(e => `${e.tag}: ${e.settles === 0 ? 'never settled' : String(e.error)}`)
			.join('\n');
	}

	/** Calls that settled after deadline + margin: when each started, its deadline and how it ended. */
	lateOnes(n = 5): string {
		return [...this.#entries.values()]
			.filter(e => e.settledAt !== undefined && e.settledAt > e.startedAt + e.timeoutMs + settleMarginMs)
			.slice(0, n)
			.map(e => `${e.tag}: started ${new Date(performance.timeOrigin + e.startedAt).toISOString()}, settled ${e.settledAt! - e.startedAt - e.timeoutMs} ms after its deadline: ${e.ok ? 'ok' : String(e.error)}`)
			.join('\n');
	}
}

/**
 * Invoke `make()` calls at `perSecond` until `stop()` says so (checked before each call).
 * Returns when the last call was started (not settled).
 */
export async function steadyLoad(perSecond: number, stop: () => boolean, make: () => void): Promise<number> {
	const started = monotonicNow();
	let sent = 0;
	while (!stop()) {
		const due = Math.floor(((monotonicNow() - started) / 1000) * perSecond) + 1;
		while (sent < due && !stop()) {
			make();
			sent++;
		}

		await sleep(20);
	}

	return sent;
}

// --- executions, lag ---------------------------------------------------------------------------------

/** How often each tag was executed, from the fixture's log. */
export function executions(execLog: string): Map<string, number> {
	const counts = new Map<string, number>();
	if (!existsSync(execLog)) {
		return counts;
	}

	for (const run of executionLog(execLog)) {
		counts.set(run.tag, (counts.get(run.tag) ?? 0) + 1);
	}

	return counts;
}

export type Execution = {tag: string; pid: number; atMs: number};

/** Every execution the fixture recorded: tag, runner pid, start time. */
export function executionLog(execLog: string): Execution[] {
	if (!existsSync(execLog)) {
		return [];
	}

	return readFileSync(execLog, 'utf8')
		.split('\n')
		.filter(line => line !== '')
		.map(line => {
			const [tag = '', pid = '0', atMs = '0'] = line.split(' ');
			return {tag, pid: Number(pid), atMs: Number(atMs)};
		});
}

/**
 * Why each repeated execution happened, judged from the first runner's log between the two
 * executions: it was killed, it stopped (SIGTERM), a rebalance revoked the partition, or unknown.
 */
export function explainDuplicates(fleet: Fleet): {counts: Record<string, number>; examples: string[]} {
	const byTag = new Map<string, Execution[]>();
	for (const run of executionLog(fleet.execLog)) {
		byTag.set(run.tag, [...(byTag.get(run.tag) ?? []), run]);
	}

	const counts: Record<string, number> = {};
	const examples: string[] = [];
	for (const [tag, runs] of byTag) {
		for (let i = 1; i < runs.length; i++) {
			const first = runs[i - 1]!;
			const again = runs[i]!;
			const runner = fleet.all.find(r => r.pid === first.pid);
			const between = (runner?.events ?? []).filter(e => {
				const at = Date.parse(String(e['ts']));
				return at >= first.atMs && at <= again.atMs;
			});
			const killed = runner !== undefined && !fleet.live.includes(runner) && !runner.events.some(e => e.event === 'runner.stopping');
			const why = between.some(e => e.event === 'runner.stopping')
				? 'stopped (SIGTERM)'
				: between.some(e => e.event === 'runner.revoked' || e.event === 'runner.lost')
					? 'partition revoked by a rebalance'
					: killed
						? 'runner killed'
						: 'unexplained';
			counts[why] = (counts[why] ?? 0) + 1;
			if (examples.length < 5 && why !== 'runner killed') {
				const events = between.map(e => `${String(e['ts']).slice(11, 23)} ${e.event} ${JSON.stringify(e['partitions'] ?? '')}`).join('; ');
				examples.push(`${tag}: pid ${first.pid} at ${new Date(first.atMs).toISOString().slice(11, 23)}, again pid ${again.pid} at ${new Date(again.atMs).toISOString().slice(11, 23)} (${why}; first runner meanwhile: ${events || 'nothing'})`);
			}
		}
	}

	return {counts, examples};
}

/** Executions beyond the first, over the given tags (all when omitted). */
export function duplicateExecutions(execLog: string, tags?: Iterable<string>): number {
	const counts = executions(execLog);
	let dup = 0;
	if (tags === undefined) {
		for (const n of counts.values()) {
			dup += Math.max(0, n - 1);
		}
	} else {
		for (const tag of tags) {
			dup += Math.max(0, (counts.get(tag) ?? 0) - 1);
		}
	}

	return dup;
}

/** Sum over partitions of (end offset − the group's committed offset). */
export async function consumerLag(brokers: string[], group: string, topic: string): Promise<number> {
	const kafka = new Kafka({clientId: 'mlbridge-reliability-lag', brokers, logLevel: logLevel.NOTHING, retry: {retries: 2}});
	const admin = kafka.admin();
	await admin.connect();
	try {
		const ends = await admin.fetchTopicOffsets(topic);
		const [committed] = await admin.fetchOffsets({groupId: group, topics: [topic]});
		const byPartition = new Map<number, number>((committed?.partitions ?? []).map(p => [p.partition, Number(p.offset)]));
		let lag = 0;
		for (const end of ends) {
			const high = Number(end.high);
			const low = Number(end.low);
			const done = byPartition.get(end.partition) ?? -1;
			lag += high - (done < 0 ? low : done);
		}

		return lag;
	} finally {
		await admin.disconnect();
	}
}

/** Wait until the runner group's lag on `topic` is 0; returns the last lag seen. */
export async function waitForZeroLag(brokers: string[], group: string, topic: string, timeoutMs = 90_000): Promise<number> {
	let lag = Number.NaN;
	await until(async () => {
		try {
			lag = await consumerLag(brokers, group, topic);
		} catch {
			return false;
		}

		return lag === 0;
	}, timeoutMs, 1000);
	return lag;
}

// --- the results of a run: test/helpers/reliability-results.ts -------------------------------------

export {recordResult, type ResultRow} from './reliability-results.js';
