/**
 * `npm run bench:observability` — the observability rung alone (bench/observability.ts): the no-op
 * with client + runner metrics on and with tracing sampled at 100%, next to off. `--smoke`: tiny.
 *
 * Env: BENCH_OBS_ROUNDS=3 BENCH_OBS_LAT_CALLS=1000 BENCH_OBS_SECONDS=2 BENCH_OBS_CONCURRENCY=256
 *      BENCH_OBS_SCRAPE_MS=1000
 */
import {execFileSync} from 'node:child_process';
import {mkdirSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {observabilityConfig, observabilityRung, reportObservability} from './observability.js';
import {here, root} from './systems.js';

const smoke = process.argv.includes('--smoke');
const cfg = observabilityConfig(smoke);
let commit = '?';
try {
	commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {cwd: root, encoding: 'utf8'}).trim();
} catch {
	// not a checkout
}

console.log(`mlbridge bench: observability ${smoke ? '(smoke) ' : ''}— ${new Date().toISOString()}, commit ${commit}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, load ${os.loadavg().map(l => l.toFixed(1)).join(' ')}, Node ${process.version}`);
console.log(`config ${JSON.stringify(cfg)}`);
const started = performance.now();
const results = await observabilityRung(cfg);
reportObservability(results);
mkdirSync(path.join(here, 'results'), {recursive: true});
const file = path.join(here, 'results', smoke ? 'observability-smoke.json' : 'observability.json');
const durationSeconds = (performance.now() - started) / 1000;
writeFileSync(file, JSON.stringify({when: new Date().toISOString(), commit, smoke, machine: {cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version, loadavg: os.loadavg()}, durationSeconds, ...results}, null, 2));
console.log(`\nwrote ${path.relative(root, file)} (${durationSeconds.toFixed(0)} s)`);
if (results.errors.length > 0) process.exitCode = 1;
