/**
 * `npm run bench:jobs` — the jobs rung alone (bench/jobs.ts): inference p50/p99 at concurrency 16
 * with the runners idle and with every job lane full, submit → RUNNING, cancel → stopped, and
 * client.job(id) with 100,000 finished jobs in the state topic. `--smoke`: tiny counts.
 *
 * Env: BENCH_JOBS_RUNNERS=2 BENCH_JOBS_CONCURRENCY=2 BENCH_JOBS_ROUNDS=3 BENCH_JOBS_CALLS=5000
 *      BENCH_JOBS_WARMUP=300 BENCH_JOBS_CPU=1 BENCH_JOBS_SAMPLES=20 BENCH_JOBS_RECORDS=100000
 *      BENCH_JOBS_ISOLATION=thread (or process)
 */
import {execFileSync} from 'node:child_process';
import {mkdirSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {jobsConfig, jobsRung, reportJobs} from './jobs.js';
import {here, root} from './systems.js';

const smoke = process.argv.includes('--smoke');
const cfg = jobsConfig(smoke);
let commit = '?';
try {
	commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {cwd: root, encoding: 'utf8'}).trim();
} catch {
	// not a checkout
}

console.log(`mlbridge bench: jobs ${smoke ? '(smoke) ' : ''}— ${new Date().toISOString()}, commit ${commit}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, Node ${process.version}`);
console.log(`config ${JSON.stringify(cfg)}`);
const started = performance.now();
const results = await jobsRung(cfg);
reportJobs(results);
mkdirSync(path.join(here, 'results'), {recursive: true});
const file = path.join(here, 'results', smoke ? 'jobs-smoke.json' : 'jobs.json');
const durationSeconds = (performance.now() - started) / 1000;
writeFileSync(file, JSON.stringify({when: new Date().toISOString(), commit, smoke, machine: {cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version}, durationSeconds, ...results}, null, 2));
console.log(`\nwrote ${path.relative(root, file)} (${durationSeconds.toFixed(0)} s)`);
if (results.errors.length > 0) process.exitCode = 1;
