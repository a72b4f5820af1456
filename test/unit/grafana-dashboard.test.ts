import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {test} from 'node:test';

// docs/grafana/mlbridge.json may only query the runner metrics of the contract (docs/operations.md,
// CONTRACTS section A): a renamed metric must fail here, not as an empty panel in production.
const counters = ['mlbridge_runner_calls_total', 'mlbridge_runner_dead_letters_total', 'mlbridge_runner_progress_reports_total', 'mlbridge_runner_worker_restarts_total', 'mlbridge_runner_jobs_total'];
const gauges = ['mlbridge_runner_calls_in_flight', 'mlbridge_runner_calls_queued', 'mlbridge_runner_consumer_lag', 'mlbridge_runner_jobs_running', 'mlbridge_runner_info', 'mlbridge_runner_loop_last_tick_timestamp_seconds'];
const histograms = ['mlbridge_runner_call_duration_seconds', 'mlbridge_runner_queue_wait_seconds'];
const labels: Record<string, readonly string[]> = {
	mlbridge_runner_calls_total: ['pipeline', 'outcome'],
	mlbridge_runner_call_duration_seconds: ['pipeline', 'le'],
	mlbridge_runner_queue_wait_seconds: ['pipeline', 'le'],
	mlbridge_runner_consumer_lag: ['topic', 'partition'],
	mlbridge_runner_dead_letters_total: ['reason'],
	mlbridge_runner_progress_reports_total: ['pipeline'],
	mlbridge_runner_worker_restarts_total: ['reason'],
	mlbridge_runner_jobs_total: ['pipeline', 'state'],
	mlbridge_runner_info: ['runner', 'version', 'group'],
};
const series = new Map<string, string>([
	...[...counters, ...gauges].map((name): [string, string] => [name, name]),
	...histograms.flatMap(name => ['_bucket', '_sum', '_count'].map((suffix): [string, string] => [`${name}${suffix}`, name])),
]);

type Panel = {id: number; type: string; title: string; gridPos?: unknown; datasource?: {uid: string}; targets?: Array<{expr: string; refId: string}>; panels?: Panel[]};
const dashboard = JSON.parse(readFileSync('docs/grafana/mlbridge.json', 'utf8')) as {uid: string; panels: Panel[]; templating: {list: Array<{name: string; type: string; query: unknown}>}};
const panels = dashboard.panels.flatMap(p => [p, ...(p.panels ?? [])]);
const exprs = panels.flatMap(p => (p.targets ?? []).map(t => ({panel: p.title, expr: t.expr})));
const variableQueries = dashboard.templating.list.filter(v => v.type === 'query').map(v => (typeof v.query === 'object' && v.query !== null ? (v.query as {query: string}).query : String(v.query)));

test('the dashboard parses, with unique panel ids, a place for each panel and the datasource variable', () => {
	assert.equal(dashboard.uid, 'mlbridge-runners');
	assert.equal(new Set(panels.map(p => p.id)).size, panels.length);
	for (const panel of panels) {
		assert.ok(panel.gridPos !== undefined, panel.title);
		if (panel.type !== 'row') {
			assert.equal(panel.datasource?.uid, '${datasource}', panel.title);
			assert.ok((panel.targets ?? []).length > 0, `${panel.title} queries nothing`);
		}
	}

	assert.deepEqual(dashboard.templating.list.map(v => v.name), ['datasource', 'instance', 'pipeline']);
});

test('every query names only contract metrics, with their own labels, and brackets that balance', () => {
	for (const {panel, expr} of [...exprs, ...variableQueries.map(expr => ({panel: 'variable', expr}))]) {
		const metrics = expr.match(/\bmlbridge_[a-z_]+/g) ?? [];
		assert.ok(metrics.length > 0, `${panel}: ${expr}`);
		for (const name of metrics) {
			assert.ok(series.has(name), `${panel}: ${name} is not a contract metric`);
		}

		for (const [open, close] of [['(', ')'], ['{', '}'], ['[', ']']] as const) {
			assert.equal(expr.split(open).length, expr.split(close).length, `${panel}: unbalanced ${open}${close} in ${expr}`);
		}

		// Labels used in by (...) must be ones the metric has (or Prometheus's own).
		const by = [...expr.matchAll(/by \(([^)]*)\)/g)].flatMap(m => m[1]!.split(',').map(l => l.trim()));
		const allowed = new Set(['instance', 'job', ...metrics.flatMap(name => labels[series.get(name)!] ?? [])]);
		for (const label of by) {
			assert.ok(allowed.has(label), `${panel}: grouping by ${label}, which ${metrics.join(', ')} does not have`);
		}
	}
});

test('every contract metric is on the dashboard; histograms through buckets', () => {
	const used = new Set(exprs.flatMap(({expr}) => expr.match(/\bmlbridge_[a-z_]+/g) ?? []));
	for (const name of [...counters, ...gauges]) {
		assert.ok(used.has(name), `${name} is on no panel`);
	}

	for (const name of histograms) {
		assert.ok(used.has(`${name}_bucket`), `${name} has no quantile panel`);
	}

	assert.ok(exprs.some(({expr}) => expr.startsWith('histogram_quantile(0.99')), 'a p99');
	assert.ok(exprs.some(({expr}) => expr.startsWith('histogram_quantile(0.5')), 'a p50');
});

test('the scrape config example scrapes /metrics', () => {
	const text = readFileSync('docs/grafana/prometheus.yml', 'utf8');
	assert.match(text, /^scrape_configs:$/m);
	assert.match(text, /metrics_path: \/metrics/);
	assert.doesNotMatch(text, /\t/, 'YAML is indented with spaces');
});
