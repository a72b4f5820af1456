/**
 * The observability rung (issue 16): mlbridge's no-op (`echo`, 100 B) with everything off, with
 * client and runner metrics on, and with tracing sampled at 100% on both sides — three client +
 * runner pairs, measured in interleaved rounds (order rotated), ratios taken within the run.
 *
 * - off: runner without --metrics-port; client without `@opentelemetry/api` (its import fails).
 *   Client counters are always on: their cost is in every variant (bench/observability_path.ts).
 * - metrics: runner with --metrics-port; the client's metrics registered in a prom-client
 *   registry; both scraped every second during the run (Prometheus scrapes every 15–60 s).
 * - tracing: runner whose pipelines module sets an SDK TracerProvider (bench/tracing_setup.py:
 *   every call sampled, spans batched to an exporter that drops them); client with the JS SDK
 *   (BasicTracerProvider, every call sampled, BatchSpanProcessor to a dropping exporter; no context
 *   manager: an application's own costs it whatever mlbridge does).
 * - tracing-client, tracing-runner: the same on one side only, to tell the two costs apart.
 *
 * Per variant and round: closed-loop latency at concurrency 1, closed-loop throughput at 256, and
 * CPU per call (this process; the runner) at 256. Figures only; the targets are printed as met / missed.
 */
import {randomBytes} from 'node:crypto';
import {readFileSync} from 'node:fs';
import path from 'node:path';
import * as otel from '@opentelemetry/api';
import {BasicTracerProvider, BatchSpanProcessor, type SpanExporter} from '@opentelemetry/sdk-trace-base';
import {Kafka, logLevel} from 'kafkajs';
import {Registry} from 'prom-client';
import {PipelineClient, RunnerProcess} from '../dist/src/index.js';
import {registerClientMetrics} from '../dist/src/observability/prometheus-adapter.js';
import {here, payload} from './systems.js';

const brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');

export type ObservabilityConfig = {rounds: number; latCalls: number; seconds: number; concurrency: number; scrapeMs: number};

export function observabilityConfig(smoke: boolean): ObservabilityConfig {
	const env = (name: string, full: number, smokeValue: number) => Number(process.env[name] ?? (smoke ? smokeValue : full));
	return {
		rounds: env('BENCH_OBS_ROUNDS', 3, 1),
		latCalls: env('BENCH_OBS_LAT_CALLS', 1000, 100),
		seconds: env('BENCH_OBS_SECONDS', 2, 0.5),
		concurrency: env('BENCH_OBS_CONCURRENCY', 256, 64),
		scrapeMs: env('BENCH_OBS_SCRAPE_MS', 1000, 500),
	};
}

const variants = ['off', 'metrics', 'tracing', 'tracing-client', 'tracing-runner'] as const;
type Variant = (typeof variants)[number];
type Round = {p50: number; p99: number; perSecond: number; clientUsPerCall: number; runnerUsPerCall: number};
export type ObservabilityResults = {
	config: ObservabilityConfig;
	variants: Record<Variant, {rounds: Round[]; median: Round}>;
	scrapes: number;
	errors: string[];
};

type Pair = {client: PipelineClient; runner: RunnerProcess; requestTopic: string; stop(): Promise<void>};

const notInstalled = async () => Promise.reject(Object.assign(new Error('@opentelemetry/api not installed (bench)'), {code: 'ERR_MODULE_NOT_FOUND'}));

/** The API as the client sees it, its tracer from a provider of our own: no global registration. */
function sampledApi(provider: BasicTracerProvider): typeof otel {
	const traceApi = Object.assign(Object.create(otel.trace) as typeof otel.trace, {getTracer: (name: string) => provider.getTracer(name)});
	return {...otel, trace: traceApi};
}

async function startPair(variant: Variant, provider: BasicTracerProvider): Promise<Pair & {metricsUrl?: string}> {
	const requestTopic = `bench.obs.${variant}.${randomBytes(4).toString('hex')}`;
	const tracedRunner = variant === 'tracing' || variant === 'tracing-runner';
	const pipelines = tracedRunner ? [path.join(here, 'tracing_setup.py'), path.join(here, 'pipelines.py')] : [path.join(here, 'pipelines.py')];
	const runner = await RunnerProcess.start({
		pipelines, requestTopic, group: `${requestTopic}.runners`, brokers,
		extraArgs: variant === 'metrics' ? ['--metrics-port', '0', '--metrics-host', '127.0.0.1'] : [],
	});
	const metricsUrl = variant === 'metrics' ? `http://127.0.0.1:${String((await runner.waitFor('metrics.serving'))['port'])}/metrics` : undefined;
	const importOtel = variant === 'tracing' || variant === 'tracing-client' ? async () => sampledApi(provider) : notInstalled;
	const client = await PipelineClient.connect({requestTopic, brokers}, undefined, importOtel);
	return {
		client, runner, requestTopic, metricsUrl,
		async stop() {
			await client.close();
			await runner.stop();
			const admin = new Kafka({clientId: 'bench-cleanup', brokers, logLevel: logLevel.NOTHING}).admin();
			await admin.connect();
			await admin.deleteTopics({topics: [requestTopic, `${requestTopic}.dlq`], timeout: 5000}).catch(() => undefined);
			await admin.disconnect();
		},
	};
}

function cpuMsOf(pid: number): number {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
	} catch {
		return Number.NaN;
	}
}

async function measure(pair: Pair, cfg: ObservabilityConfig): Promise<Round> {
	const args = {payload: payload(100)};
	const call = async () => pair.client.invoke('echo', args);
	for (let i = 0; i < 100; i++) await call();
	const latencies: number[] = [];
	for (let i = 0; i < cfg.latCalls; i++) {
		const t = performance.now();
		await call();
		latencies.push(performance.now() - t);
	}

	latencies.sort((a, b) => a - b);
	const warmEnd = performance.now() + 300;
	await Promise.all(Array.from({length: cfg.concurrency}, async () => {
		while (performance.now() < warmEnd) await call();
	}));
	const runnerPid = pair.runner.pid!;
	const c0 = process.cpuUsage();
	const r0 = cpuMsOf(runnerPid);
	let done = 0;
	const start = performance.now();
	const end = start + cfg.seconds * 1000;
	await Promise.all(Array.from({length: cfg.concurrency}, async () => {
		while (performance.now() < end) {
			await call();
			done++;
		}
	}));
	const elapsed = (performance.now() - start) / 1000;
	const c = process.cpuUsage(c0);
	return {
		p50: latencies[Math.floor(latencies.length * 0.5)]!, p99: latencies[Math.floor(latencies.length * 0.99)]!,
		perSecond: done / elapsed, clientUsPerCall: (c.user + c.system) / done, runnerUsPerCall: ((cpuMsOf(runnerPid) - r0) * 1000) / done,
	};
}

const median = (xs: number[]) => {
	const s = [...xs].sort((a, b) => a - b);
	const m = s.length >> 1;
	return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export async function observabilityRung(cfg: ObservabilityConfig): Promise<ObservabilityResults> {
	const errors: string[] = [];
	const drop: SpanExporter = {export: (_spans, done) => done({code: 0}), shutdown: async () => undefined};
	const provider = new BasicTracerProvider({spanProcessors: [new BatchSpanProcessor(drop, {maxQueueSize: 100_000, maxExportBatchSize: 4096})]});
	const pairs = new Map<Variant, Pair & {metricsUrl?: string}>();
	const rounds = new Map<Variant, Round[]>(variants.map(v => [v, []]));
	let scrapes = 0;
	let scraper: NodeJS.Timeout | undefined;
	try {
		for (const variant of variants) pairs.set(variant, await startPair(variant, provider));
		const metricsPair = pairs.get('metrics')!;
		const registry = new Registry();
		await registerClientMetrics(metricsPair.client, {registry});
		scraper = setInterval(() => {
			void Promise.all([fetch(metricsPair.metricsUrl!).then(async response => response.text()), registry.metrics()])
				.then(() => void scrapes++, (error: unknown) => errors.push(`scrape: ${String(error)}`));
		}, cfg.scrapeMs);
		for (let round = 0; round < cfg.rounds; round++) {
			for (const variant of variants.map((_, i, a) => a[(i + round) % a.length]!)) {
				try {
					const r = await measure(pairs.get(variant)!, cfg);
					rounds.get(variant)!.push(r);
					console.log(`observability round ${round + 1}/${cfg.rounds} ${variant.padEnd(8)} p50 ${r.p50.toFixed(2)} ms  c${cfg.concurrency} ${r.perSecond.toFixed(0)}/s  client ${r.clientUsPerCall.toFixed(0)} µs/call  runner ${r.runnerUsPerCall.toFixed(0)} µs/call`);
				} catch (error) {
					errors.push(`${variant} round ${round + 1}: ${String(error)}`);
				}
			}
		}
	} finally {
		clearInterval(scraper);
		for (const pair of pairs.values()) await pair.stop().catch((error: unknown) => errors.push(`stop: ${String(error)}`));
		await provider.shutdown();
	}

	const summary = (rs: Round[]): Round => ({
		p50: median(rs.map(r => r.p50)), p99: median(rs.map(r => r.p99)), perSecond: median(rs.map(r => r.perSecond)),
		clientUsPerCall: median(rs.map(r => r.clientUsPerCall)), runnerUsPerCall: median(rs.map(r => r.runnerUsPerCall)),
	});
	const results = Object.fromEntries(variants.map(v => [v, {rounds: rounds.get(v)!, median: summary(rounds.get(v)!)}])) as ObservabilityResults['variants'];
	return {config: cfg, variants: results, scrapes, errors};
}

export function reportObservability(r: ObservabilityResults): void {
	const off = r.variants.off.median;
	console.log(`\nobservability (issue 16): echo 100 B, one runner each; median of ${r.config.rounds} interleaved round(s); latency c1 × ${r.config.latCalls}, throughput c${r.config.concurrency} × ${r.config.seconds} s; metrics scraped every ${r.config.scrapeMs} ms (${r.scrapes} scrapes)`);
	console.log(`${'variant'.padEnd(34)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${`c${r.config.concurrency}/s`.padStart(9)} ${'× off'.padStart(7)}   per round (× that round's off)          ${'client µs/call'.padStart(15)} ${'runner µs/call'.padStart(15)}`);
	const labels: Record<Variant, string> = {
		off: 'off', metrics: 'client + runner metrics', tracing: 'tracing, 100% sampled, both sides',
		'tracing-client': '  tracing: the client only', 'tracing-runner': '  tracing: the runner only',
	};
	for (const variant of variants) {
		const {median: m, rounds} = r.variants[variant];
		const perRound = rounds.map((round, i) => (round.perSecond / (r.variants.off.rounds[i]?.perSecond ?? Number.NaN)).toFixed(2)).join(' ');
		console.log(`${labels[variant].padEnd(34)} ${m.p50.toFixed(2).padStart(8)} ${m.p99.toFixed(2).padStart(8)} ${m.perSecond.toFixed(0).padStart(9)} ${(m.perSecond / off.perSecond).toFixed(2).padStart(7)}   ${perRound.padEnd(40)} ${m.clientUsPerCall.toFixed(0).padStart(15)} ${m.runnerUsPerCall.toFixed(0).padStart(15)}`);
	}

	const checks: Array<[string, number, number]> = [
		['calls/s with metrics / off', r.variants.metrics.median.perSecond / off.perSecond, 0.9],
		['calls/s with tracing (100%) / off', r.variants.tracing.median.perSecond / off.perSecond, 0.75],
	];
	console.log('targets (observability)');
	for (const [label, value, min] of checks) {
		console.log(`  ${Number.isFinite(value) ? (value >= min ? '✓' : '✗') : '·'} ${label.padEnd(48)} ${value.toFixed(2)}  (target ≥ ${min})`);
	}

	for (const error of r.errors) console.log(`  error: ${error}`);
}
