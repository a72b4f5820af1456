/** The console report of `npm run bench`: the ladder table, the headline, equal rates, targets. */
import {reportCluster, type ClusterResults} from './cluster.js';
import {reportData, type DataResults} from './data.js';
import {reportEqualRates, type EqualRatesResults} from './equal_rates.js';
import {type HeadlineResults, type Ratio, reportHeadline} from './headline.js';
import {reportJava, type JavaResults} from './java_rung.js';
import {reportJobs, type JobsResults} from './jobs.js';
import {concurrencies, type PendingResult} from './ladder.js';
import {reportObservability, type ObservabilityResults} from './observability.js';
import {describe, type Provenance} from './provenance.js';
import {fmt, printTable, type Summary} from './stats.js';

export type Results = {
	provenance: Provenance;
	rungs: Record<string, {summary: Summary}>;
	headline?: HeadlineResults | undefined;
	equalRates?: EqualRatesResults | undefined;
	pending: PendingResult | undefined;
	connect: Summary;
	jobs?: JobsResults | undefined;
	java?: JavaResults | undefined;
	observability?: ObservabilityResults | undefined;
	data?: DataResults | undefined;
	cluster?: ClusterResults | undefined;
};

const ladderCols: Array<[string, string, number]> = [
	['p50 ms', 'lat.p50', 2], ['p90', 'lat.p90', 2], ['p99', 'lat.p99', 2], ['p99.9', 'lat.p999', 2], ['max', 'lat.max', 1],
	['c1/s', 'thr.c1', 0], ['c16/s', 'thr.c16', 0], ['c256/s', 'thr.c256', 0], ['10KB c16/s', 'thr.c16.10KB', 0], ['500KB c1/s', 'thr.c1.500KB', 0],
	['500KB c16/s', 'thr.c16.500KB', 0],
	['client ms/call', 'cpu.client.msPerCall', 3], ['worker ms/call', 'cpu.server.msPerCall', 3], ['broker ms/call', 'cpu.broker.msPerCall', 3],
	['sum ms/call', 'cpu.total.msPerCall', 3], ['client MB', 'rss.client.mb', 0], ['worker MB', 'rss.server.mb', 0],
];

/** A target line: value, the ~95% interval of the rounds' median and its spread, met or not. */
export type Target = {label: string; value: number | undefined; target: string; met: boolean | undefined; ratio?: Ratio};

export function targets(r: Results): Target[] {
	const m = (name: string, k: string) => r.rungs[name]?.summary[k]?.median;
	const sat = (name: string) => {
		const xs = concurrencies.map(c => m(name, `thr.c${c}`)).filter((x): x is number => x !== undefined);
		return xs.length ? Math.max(...xs) : undefined;
	};

	const ratio = (a?: number, b?: number) => (a === undefined || b === undefined || b === 0 ? undefined : a / b);
	const t = (label: string, value: number | undefined, target: string, ok: (x: number) => boolean, interval?: Ratio): Target =>
		({label, value, target, met: value === undefined ? undefined : ok(value), ...(interval ? {ratio: interval} : {})});
	const h = r.headline?.ratios;
	const eq = (name: string, rate: number) => r.equalRates?.systems[name]?.find(p => p.label === String(rate));
	return [
		t('mlbridge / floor throughput, c256', h?.throughput.median, '≥ 0.85', x => x >= 0.85, h?.throughput),
		t('mlbridge / floor p50, c1', h?.p50.median, '≤ 1.25', x => x <= 1.25, h?.p50),
		t('mlbridge / floor p99, c1', h?.p99.median, '≤ 1.5', x => x <= 1.5, h?.p99),
		t('mlbridge / BullMQ throughput', ratio(sat('mlbridge'), sat('bullmq')), '≥ 3', x => x >= 3),
		t('mlbridge p50 / Celery p50, c1', ratio(m('mlbridge', 'lat.p50'), m('celery', 'lat.p50')), '< 1', x => x < 1),
		t('mlbridge p50 / Celery p50, 100 calls/s', ratio(eq('mlbridge', 100)?.p50, eq('celery', 100)?.p50), '< 1', x => x < 1),
		t('client bytes per pending call (heap)', r.pending?.heapBytesPerCall, '≤ 2048', x => x <= 2048),
		t('connect() → first invoke, ms', r.connect['connectToFirstInvokeMs']?.median, '≤ 2000', x => x <= 2000),
	];
}

export function report(r: Results): void {
	const cell = (sum: Summary, k: string, d = 2) => {
		const s = sum[k];
		return s === undefined ? '—' : `${fmt(s.median, d)}±${s.spreadPct.toFixed(0)}%`;
	};

	console.log(`\n${describe(r.provenance)}`);
	if (Object.keys(r.rungs).length > 0) {
		console.log('\nladder: median ± spread ((max−min)/median) over rounds; latency: closed loop, concurrency 1, 100 B; CPU per call at c256:');
		console.log('client = this Node process; worker = runner / echo / Python worker; broker = the Kafka JVM (redis-server for the peers; it also serves anything else running on the machine)');
		printTable([['system', ...ladderCols.map(c => c[0])], ...Object.entries(r.rungs).map(([name, {summary}]) => [name, ...ladderCols.map(([, k, d]) => cell(summary, k, d))])]);
	}

	if (r.headline) reportHeadline(r.headline);
	if (r.equalRates) reportEqualRates(r.equalRates);
	if (r.pending) {
		const p = r.pending;
		console.log(`\n${p.calls} pending calls in one client: heap ${fmt(p.heapBytesPerCall, 0)} B/call, RSS ${fmt(p.rssBytesPerCall, 0)} B/call (gc ${p.gcExposed ? 'forced' : 'not exposed'}); timers ${p.timersBefore} → ${p.timersDuring}; issue ${fmt(p.issueMs, 0)} ms; drained by one runner in ${fmt(p.drainMs, 0)} ms (${fmt(p.drainPerSecond, 0)}/s); latency p50 ${fmt(p.latP50ms, 0)} ms p99 ${fmt(p.latP99ms, 0)} ms; errors ${p.errors}`);
	}

	if (r.connect['connectToFirstInvokeMs']) {
		console.log(`connect() ${fmt(r.connect['connectMs']?.median, 0)} ms; connect() → first invoke ${fmt(r.connect['connectToFirstInvokeMs'].median, 0)} ms (median of ${r.connect['connectToFirstInvokeMs'].n})`);
	}

	console.log('\ntargets (headline ratios: median of the rounds\' paired ratios, [~95% interval of that median] ±spread, then each round)');
	for (const x of targets(r)) {
		const mark = x.met === undefined ? '·' : x.met ? '✓' : '✗';
		const spread = x.ratio ? `  [${fmt(x.ratio.low)}–${fmt(x.ratio.high)}] ±${x.ratio.spreadPct.toFixed(0)}%  rounds ${x.ratio.rounds.map(v => v.toFixed(2)).join(' ')}` : '';
		console.log(`  ${mark} ${x.label.padEnd(42)} ${x.value === undefined ? 'not measured' : fmt(x.value, 2)}  (target ${x.target})${spread}`);
	}

	if (r.headline) {
		const h = r.headline.ratios;
		console.log(`  · mlbridge / floor CPU per call at c256 (client + worker + broker) ${fmt(h.cpu.median)} [${fmt(h.cpu.low)}–${fmt(h.cpu.high)}]; pooled-histogram p50 ${fmt(h.pooledP50)}, p99 ${fmt(h.pooledP99)}`);
	}

	if (r.jobs) reportJobs(r.jobs);
	if (r.java) reportJava(r.java);
	if (r.observability) reportObservability(r.observability);
	if (r.data) reportData(r.data);
	if (r.cluster) reportCluster(r.cluster);
}
