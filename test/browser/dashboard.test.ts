/**
 * The dashboard in a real headless Chromium (Debian's package, driven by puppeteer-core) against
 * the real broker, a real runner process and the real client: jobs appear with their progress
 * moving, Cancel (after its confirmation) stops a running job, a failed job shows its error and
 * traceback, the other pages show the catalogue, the runner groups and the dead letters, and the
 * token is required beyond loopback. Screenshots of each page go to docs/dashboard/.
 */
import assert from 'node:assert/strict';
import {existsSync, mkdirSync, mkdtempSync, readFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {after, before, test} from 'node:test';
import {fileURLToPath} from 'node:url';
import {execa} from 'execa';
import {Kafka, logLevel} from 'kafkajs';
import type {Browser, Page} from 'puppeteer-core';
import {DashboardAccessError} from '../../src/dashboard/access.js';
import {DashboardServer} from '../../src/dashboard/dashboard-server.js';
import {launchBrowser, textOf} from '../helpers/browser.js';
import {startDashboardProcess, type DashboardProcess} from '../helpers/dashboard-process.js';
import {brokers, createStack, fixturePipelines, fixturesDir, type Stack} from '../helpers/harness.js';

/** What the page-side functions touch (the project's tsconfig has no DOM lib; these run in Chromium). */
type El = {dataset: Record<string, string | undefined>; textContent: string | null; getAttribute(name: string): string | null; disabled?: boolean};
declare const document: {querySelector(selector: string): El | null; querySelectorAll(selector: string): {length: number}};
declare const location: {hash: string};

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const shots = path.join(root, 'docs', 'dashboard');
const work = mkdtempSync(path.join(tmpdir(), 'mlbridge-dashboard-'));
let stack: Stack;
let server: DashboardProcess;
let browser: Browser;
let page: Page;

before(async () => {
	mkdirSync(shots, {recursive: true});
	stack = await createStack('dashboard', {runners: 0});
	await stack.startRunner({
		pipelines: [fixturePipelines, path.join(fixturesDir, 'job_pipelines.py')],
		extraArgs: ['--partitions', '4', '--cancel-grace', '1', '--job-concurrency', '4', '--metrics-port', '0', '--metrics-host', '127.0.0.1'],
	});
	server = await startDashboardProcess(dashboardArgs('0'));
	browser = await launchBrowser();
	page = await browser.newPage();
});

after(async () => {
	await browser?.close();
	assert.equal(await server?.stop(), 0, 'Ctrl-C stops the dashboard cleanly');
	await stack?.close();
});

/** The real command, on the test's own topics and runner group. */
function dashboardArgs(port: string, ...more: string[]): string[] {
	return ['--port', port, '--brokers', brokers.join(','), '--request-topic', stack.requestTopic, '--catalog-topic', stack.catalogTopic, '--group', stack.group, ...more];
}

function lines(file: string): number {
	return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0;
}

async function sleep(ms: number): Promise<void> {
	await new Promise(resolve => setTimeout(resolve, ms));
}

async function open(hash: string): Promise<void> {
	await page.goto(`${server.url}#${hash}`, {waitUntil: 'domcontentloaded'});
}

async function shot(name: string, fullPage = false): Promise<void> {
	// No stray focus ring or scroll position from the test's own clicks.
	await page.evaluate('document.activeElement?.blur(); window.scrollTo(0, 0)');
	await page.screenshot({path: path.join(shots, name), fullPage});
}

/** The progress `current` the jobs page shows for a job (-1 before it reports). */
async function shownProgress(id: string): Promise<number> {
	return page.$eval(`tr[data-job-id="${id}"] .progress`, el => Number((el as unknown as El).dataset['current'] || -1)).catch(() => -1);
}

test('the jobs page shows submitted jobs, newest first, with their progress moving', {timeout: 60_000}, async () => {
	await open('/jobs');
	await page.waitForSelector('#jobs-table, .muted');
	const first = await stack.client.submit('train_steps', {steps: 60, step_seconds: 0.1});
	const second = await stack.client.submit('train_steps', {steps: 60, step_seconds: 0.1});
	// Pushed by the server (the page does not poll): both rows appear.
	await page.waitForSelector(`tr[data-job-id="${second.id}"]`, {timeout: 15_000});
	await page.waitForSelector(`tr[data-job-id="${first.id}"]`, {timeout: 15_000});
	const ids = await page.$$eval('#jobs-table tbody tr', rows => rows.map(row => (row as unknown as El).dataset['jobId']));
	assert.ok(ids.indexOf(second.id) < ids.indexOf(first.id), 'newest first');
	await page.waitForFunction(id => Number((document.querySelector(`tr[data-job-id="${id}"] .progress`) as unknown as El | null)?.dataset['current'] || 0) >= 5, {timeout: 15_000}, first.id);
	const before = await shownProgress(first.id);
	await sleep(1500);
	const later = await shownProgress(first.id);
	assert.ok(later > before, `progress moved: ${before} -> ${later}`);
	assert.match((await textOf(page, `tr[data-job-id="${first.id}"] .progress-text`)) ?? '', /\d+\/60 · step \d+\/60 · ETA /);
	assert.equal(await page.$eval(`tr[data-job-id="${first.id}"]`, row => (row as unknown as El).dataset['state']), 'RUNNING');
	assert.match((await textOf(page, `tr[data-job-id="${first.id}"] td:nth-child(5)`)) ?? '', /^1\/3$/);
	await shot('jobs.png');
	await page.emulateMediaFeatures([{name: 'prefers-color-scheme', value: 'dark'}]);
	await shot('jobs-dark.png');
	await page.emulateMediaFeatures([{name: 'prefers-color-scheme', value: 'light'}]);
	// Both finish; the page turns them SUCCEEDED without a reload.
	await page.waitForFunction(id => (document.querySelector(`tr[data-job-id="${id}"]`) as unknown as El | null)?.dataset['state'] === 'SUCCEEDED', {timeout: 20_000}, second.id);
});

test('Cancel, after its confirmation, stops a running train_steps job: CANCELLED, and its work stops', {timeout: 60_000}, async () => {
	const marker = path.join(work, 'cancel.marker');
	const job = await stack.client.submit('train_steps', {steps: 200, step_seconds: 0.1, marker});
	await open(`/jobs/${job.id}`);
	await page.waitForFunction(() => document.querySelectorAll('#progress-history li').length >= 12, {timeout: 20_000});
	assert.ok(lines(marker) >= 12, 'the job is working');
	assert.match((await textOf(page, '#job-facts')) ?? '', /RUNNING/);
	// The arguments summary (Job.args()): one field each, as JSON.
	const args = (await textOf(page, '#job-args')) ?? '';
	assert.match(args, /steps=200/);
	assert.match(args, /step_seconds=0\.1/);
	assert.match(args, /marker="[^"]+cancel\.marker"/);

	await shot('job-detail.png');

	// Dismissing the confirmation changes nothing. (The button is pressed from the keyboard.)
	await page.focus('#cancel-job');
	await page.keyboard.press('Enter');
	await page.waitForSelector('dialog#confirm[open]', {timeout: 5000});
	await page.click('#confirm-keep');
	await page.waitForSelector('dialog#confirm:not([open])', {timeout: 5000});
	await sleep(500);
	assert.equal((await job.status()).state, 'RUNNING');

	await page.click('#cancel-job');
	await page.waitForSelector('dialog#confirm[open]', {timeout: 5000});
	await shot('job-cancel-confirm.png');
	await page.click('#confirm-cancel');
	await page.waitForFunction(() => document.querySelector('#job-facts .state')?.getAttribute('data-state') === 'CANCELLED', {timeout: 15_000});
	assert.equal((await job.status()).state, 'CANCELLED');
	assert.equal(await page.$eval('#cancel-job', button => (button as unknown as El).disabled), true);
	// The runner's work stopped: the marker file no longer grows.
	await sleep(500);
	const stopped = lines(marker);
	await sleep(1500);
	assert.equal(lines(marker), stopped, 'no step ran after the cancellation');
	assert.ok(stopped < 200);
});

test('a failed job shows its typed error and the remote traceback', {timeout: 30_000}, async () => {
	const job = await stack.client.submit('failing_job', {message: 'dashboard says boom'});
	await job.result().catch(() => undefined);
	await open(`/jobs/${job.id}`);
	await page.waitForSelector('#error-traceback', {timeout: 10_000});
	assert.equal(await textOf(page, '#error-code'), 'PIPELINE_ERROR');
	assert.equal(await textOf(page, '#error-type'), 'ValueError');
	assert.equal(await textOf(page, '#error-message'), 'dashboard says boom');
	const traceback = (await textOf(page, '#error-traceback')) ?? '';
	assert.match(traceback, /^Traceback \(most recent call last\):/);
	assert.match(traceback, /job_pipelines\.py/);
	assert.match(traceback, /ValueError: dashboard says boom/);
	assert.equal(await page.$eval('#job-facts .state', el => el.getAttribute('data-state')), 'FAILED');
	await shot('job-failed.png', true);
});

test('the jobs page filters by state and pipeline, from the keyboard', {timeout: 30_000}, async () => {
	await open('/jobs');
	await page.waitForSelector('#filter-state');
	await page.focus('#filter-state');
	await page.select('#filter-state', 'FAILED');
	await page.waitForFunction(() => location.hash.includes('state=FAILED') && (document.querySelector('#jobs-table caption')?.textContent ?? '').includes('page 1') && document.querySelector('#jobs-table tbody tr:not([data-state="FAILED"])') === null, {timeout: 10_000});
	const states = await page.$$eval('#jobs-table tbody tr', rows => rows.map(row => (row as unknown as El).dataset['state']));
	assert.ok(states.length >= 1 && states.every(state => state === 'FAILED'), states.join());
	// Navigation links are real links, reachable with Tab and followed with Enter.
	await page.focus('a[data-nav="pipelines"]');
	await page.keyboard.press('Enter');
	await page.waitForSelector('#pipelines-table');
	assert.equal(await page.$eval('a[data-nav="pipelines"]', a => a.getAttribute('aria-current')), 'page');
});

test('the pipelines page lists the catalogue: lane, version, signature, doc', {timeout: 30_000}, async () => {
	await open('/pipelines');
	await page.waitForSelector('tr[data-pipeline="train_steps"]', {timeout: 10_000});
	const row = (await textOf(page, 'tr[data-pipeline="train_steps"]')) ?? '';
	assert.match(row, /JOB/);
	assert.match(row, /A training loop that resumes from its checkpoint/);
	const echo = (await textOf(page, 'tr[data-pipeline="echo_call"]')) ?? '';
	assert.match(echo, /CALL/);
	assert.match(echo, /\(value: string\) -> string/);
	// Jobs over time, from the job state topic: the jobs the tests above ran.
	const stats = (await textOf(page, 'tr[data-stats-pipeline="train_steps"]')) ?? '';
	assert.ok(await page.$('tr[data-stats-pipeline="train_steps"] svg rect'), 'a bar for the minute the jobs ended in');
	assert.match(stats, /train_steps\s*(?:jobs ended per minute[^\d]*)?[\s\S]*\d/);
	assert.match((await textOf(page, 'tr[data-stats-pipeline="failing_job"]')) ?? '', /failing_job/);
	await shot('pipelines.png', true);
});

test('the runners page shows both runner groups\' members, their partitions and the lag', {timeout: 30_000}, async () => {
	await open('/runners');
	await page.waitForSelector('#members-table', {timeout: 10_000});
	// The runner from its presence record: version, pipelines, partitions, last seen, metrics address.
	await page.waitForSelector('#runners-table tr[data-presence="yes"][data-live="true"]', {timeout: 15_000});
	const runner = (await textOf(page, '#runners-table tr[data-presence="yes"]')) ?? '';
	assert.match(runner, /\d+\.\d+\.\d+/, 'a version');
	assert.match(runner, /echo_call/);
	assert.match(runner, /train_steps/);
	assert.match(runner, /calls: 0, 1, 2, 3/);
	assert.match(runner, /\d+(\.\d)? s ago/);
	assert.match(runner, /http:\/\/127\.0\.0\.1:\d+\/metrics/);
	assert.equal(await page.$$eval('#runners-table tr[data-presence="no"]', rows => rows.length), 0, 'its members are joined to its presence');
	const members = (await textOf(page, '#members-table tbody')) ?? '';
	assert.ok(members.includes(`${stack.group}.jobs`), 'the job lane group');
	assert.match(members, new RegExp(`${stack.group.replaceAll('.', '\\.')}mlbridge-runner`));
	assert.match(members, new RegExp(`${stack.requestTopic.replaceAll('.', '\\.')}: 0, 1, 2, 3`));
	const lagRows = await page.$$eval('#lag-table tbody tr', rows => rows.map(row => row.textContent ?? ''));
	assert.equal(lagRows.filter(row => row.includes(`${stack.requestTopic}`) && !row.includes('.jobs')).length, 4, 'a lag row per request partition');
	// Pushed every 5 s while the page is open: the lag chart draws a line per group.
	await page.waitForSelector('#lag-chart svg polyline', {timeout: 20_000});
	assert.equal(await page.$$eval('#lag-chart svg polyline', lines => lines.length), 2);
	await shot('runners.png');
});

test('the charts page draws calls per second and p50/p99 per pipeline from the runner\'s /metrics', {timeout: 60_000}, async () => {
	await open('/charts');
	await page.waitForSelector('#charts-wait, #calls-chart, #metrics-off', {timeout: 10_000});
	assert.equal(await page.$('#metrics-off'), null, 'the runner serves metrics');
	// Calls while the page is open: the dashboard scrapes every 5 s and pushes each point.
	const deadline = Date.now() + 30_000;
	while (await page.$('section[data-latency-pipeline="echo_call"] svg circle') === null) {
		assert.ok(Date.now() < deadline, `a point of echo_call arrived: ${(await textOf(page, '#view'))?.slice(0, 1500)}`);
		await Promise.all(Array.from({length: 20}, async (_, i) => stack.client.invoke('echo_call', {value: `v${i}`})));
		await sleep(500);
	}

	assert.ok(await page.$('#calls-chart g[data-series="echo_call"] circle'), 'a calls-per-second point');
	assert.ok(await page.$('tr[data-calls-pipeline="echo_call"]'), 'the latest values');
	assert.match((await textOf(page, 'tr[data-calls-pipeline="echo_call"]')) ?? '', /\d+(\.\d+)? ms/, 'a p50 in ms');
	assert.match((await textOf(page, '#scrape-targets')) ?? '', /ok/);
	await shot('charts.png', true);
});

test('the dead-letters page counts records by reason and shows the latest one\'s headers', {timeout: 45_000}, async () => {
	const kafka = new Kafka({brokers, logLevel: logLevel.NOTHING});
	const producer = kafka.producer();
	await producer.connect();
	await producer.send({topic: stack.requestTopic, messages: [{key: 'x', value: Buffer.from('this is not an mlbridge request')}]});
	await producer.disconnect();
	await open('/dead-letters');
	const deadline = Date.now() + 30_000;
	while ((await page.$('tr[data-reason="bad-magic"]')) === null) {
		assert.ok(Date.now() < deadline, 'the dead letter arrived');
		await sleep(500);
		await page.click('#refresh');
	}

	assert.match((await textOf(page, 'tr[data-reason="bad-magic"]')) ?? '', /bad-magic\s*1/);
	const headers = (await textOf(page, '#dlq-latest')) ?? '';
	assert.match(headers, /mlbridge\.dlq\.reason: bad-magic/);
	assert.match(headers, new RegExp(`mlbridge\\.source\\.topic: ${stack.requestTopic.replaceAll('.', '\\.')}`));
	await shot('dead-letters.png');
});

test('after the server restarts, the page reconnects and reloads what it missed', {timeout: 45_000}, async () => {
	await open('/jobs');
	await page.waitForSelector('#jobs-table');
	const {port} = server;
	assert.equal(await server.stop(), 0);
	const job = await stack.client.submit('train_steps', {steps: 3, step_seconds: 0.05});
	await job.result();
	server = await startDashboardProcess(dashboardArgs(String(port)));
	await page.waitForSelector(`tr[data-job-id="${job.id}"][data-state="SUCCEEDED"]`, {timeout: 20_000});
	assert.equal(await textOf(page, '#conn'), 'live');
});

test('beyond loopback: refused without a token; with one, every API call needs it', {timeout: 45_000}, async () => {
	const refused = await execa('node', ['--import', 'tsx', path.join(root, 'src', 'cli', 'main.ts'), 'dashboard', ...dashboardArgs('0', '--host', '0.0.0.0')], {reject: false, env: {MLBRIDGE_DASHBOARD_TOKEN: ''}});
	assert.equal(refused.exitCode, 2);
	assert.match(refused.stderr, /needs an access token/);
	await assert.rejects(DashboardServer.start({client: stack.client, host: '0.0.0.0', port: 0}), DashboardAccessError);

	// The token from the environment, as a deployment would pass it.
	const guarded = await startDashboardProcess(dashboardArgs('0', '--host', '0.0.0.0'), {MLBRIDGE_DASHBOARD_TOKEN: 'browser-test-token'});
	try {
		const base = `http://127.0.0.1:${guarded.port}`;
		for (const api of ['/api/jobs', '/api/pipelines', '/api/runners', '/api/dead-letters', '/api/events']) {
			assert.equal((await fetch(base + api)).status, 401, api);
		}

		const cancel = await fetch(`${base}/api/jobs/x/cancel`, {method: 'POST', headers: {'Content-Type': 'application/json'}, body: '{}'});
		assert.equal(cancel.status, 401);
		assert.equal((await fetch(`${base}/api/jobs`, {headers: {Authorization: 'Bearer browser-test-token'}})).status, 200);
		// The page without the token asks for it; with it, shows the jobs.
		const guest = await browser.newPage();
		await guest.goto(`${base}/#/jobs`);
		await guest.waitForSelector('#token-input');
		await guest.type('#token-input', 'browser-test-token');
		await guest.keyboard.press('Enter');
		await guest.waitForSelector('#jobs-table', {timeout: 10_000});
		await guest.close();
	} finally {
		assert.equal(await guarded.stop(), 0);
	}
});
