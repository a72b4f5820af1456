import assert from 'node:assert/strict';
import {test} from 'node:test';
import {compareHeadlines, END, renderTables, replaceBetweenMarkers, START, type BenchResults} from '../../scripts/bench-tables.js';

const result: BenchResults = {
	when: '2026-12-04T21:30:00.000Z',
	durationSeconds: 840,
	provenance: {commit: 'abc1234', dirty: false, machine: {hostname: 'box', cpus: 2, model: 'EPYC', node: 'v20.20.2', loadStart: [0.5, 0.4, 0.3], loadEnd: [1.5, 1, 0.5]}},
	headline: {
		config: {rounds: 10, thrCalls: 30_000, latCalls: 1500},
		systems: {
			floor: {perSecond: 17_000, p50: 1.5, p99: 4, count: 15_000, cpu: {client: 50, worker: 20, broker: 35}},
			mlbridge: {perSecond: 15_300, p50: 1.4, p99: 3, count: 15_000, cpu: {client: 55, worker: 40, broker: 35}},
		},
		ratios: {
			throughput: {median: 0.9, low: 0.85, high: 0.95, spreadPct: 5.6, rounds: [0.9]},
			p50: {median: 0.93, low: 0.9, high: 1, spreadPct: 5, rounds: [0.93]},
			p99: {median: 0.75, low: 0.6, high: 0.9, spreadPct: 20, rounds: [0.75]},
			cpu: {median: 1.24, low: 1.2, high: 1.3, spreadPct: 4, rounds: [1.24]},
		},
	},
	equalRates: {
		systems: {
			mlbridge: [100, 300, 1000, 3000].map(rate => ({label: String(rate), rate, actual: rate, calls: 2000, p50: 2, p99: 5, max: 9, cpu: {client: 300, worker: 200, broker: 500}})),
			celery: [
				{label: '100', rate: 100, actual: 100, calls: 2000, p50: 4, p99: 9, max: 12, cpu: {client: 3000, worker: 4000, broker: 1000}},
				{label: 'max', rate: 279, actual: 279, calls: 2000, p50: 40, p99: 90, max: 120, cpu: {client: 3000, worker: 4000, broker: 1000}},
			],
		},
		idle: {rounds: 2, seconds: 8, client: 21, runner: 10, broker: 60, brokerBase: 5},
	},
};

test('renderTables: provenance, headline with its interval, equal rates with a peer at its max, idle cost', () => {
	const md = renderTables(result, 'bench/runs/x.json');
	assert.match(md, /commit abc1234, box \(2 × EPYC/);
	assert.match(md, /\| throughput, c256, calls\/s \| 17,000 \| 15,300 \| \*\*0\.90×\*\* \(0\.85–0\.95, ±6%\) \| ≥ 0\.85 \|/);
	// Celery's max point (279/s) stands in the 300 row, the first rate it could not reach; above it, nothing.
	assert.match(md, /\| 300 \| 2\.00 \/ 5\.00 \/ 9\.0 \| 40\.00 \/ 90\.00 \/ 120\.0 \(max: 279\/s\) \|/);
	assert.match(md, /\| 3,000 \| 2\.00 \/ 5\.00 \/ 9\.0 \| — \|/);
	assert.match(md, /client 21\.0 ms of CPU per second, runner 10\.0 ms\/s, broker \+60\.0 ms\/s/);
});

test('replaceBetweenMarkers: only the text between the markers changes', () => {
	const text = `# T\nbefore\n${START}\nold table\n${END}\nafter\n`;
	assert.equal(replaceBetweenMarkers(text, 'new'), `# T\nbefore\n${START}\nnew\n${END}\nafter\n`);
	assert.throws(() => replaceBetweenMarkers('no markers', 'x'), /markers/);
	assert.throws(() => replaceBetweenMarkers(`${END}\n${START}`, 'x'), /markers/);
});

test('compareHeadlines: the second run against the first, per ratio', () => {
	const second: BenchResults = structuredClone(result);
	second.headline!.ratios.throughput = {median: 0.99, low: 0.95, high: 1.02, spreadPct: 3.5, rounds: [0.99]};
	const md = compareHeadlines(result, second, 'a.json', 'b.json');
	assert.match(md, /\| throughput, c256 \| 0\.90× \(0\.85–0\.95, ±6%\) \| 0\.99× \(0\.95–1\.02, ±4%\) \| 10\.0% \|/);
	assert.match(md, /\| p50, c1 \| 0\.93× .* \| 0\.0% \|/);
});
