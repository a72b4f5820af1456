/**
 * The jobs page with 10,000 jobs in the store (a fake client: the point is the page and the
 * server's pagination, not the broker): 50 rows a page, paging from the keyboard. The load time is
 * printed, not asserted (benchmarks measure, tests assert).
 */
import assert from 'node:assert/strict';
import {after, before, test} from 'node:test';
import type {Browser, Page} from 'puppeteer-core';
import type {JobFilter, JobStatus} from '../../src/index.js';
import type {DashboardClient} from '../../src/dashboard/dashboard-client.js';
import {DashboardServer} from '../../src/dashboard/dashboard-server.js';
import {launchBrowser, textOf} from '../helpers/browser.js';

declare const document: {querySelector(selector: string): {textContent: string | null} | null; querySelectorAll(selector: string): {length: number}};
declare const location: {hash: string};

const t0 = Date.UTC(2026, 11, 4, 12, 0, 0);
const states = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'] as const;
const statuses: JobStatus[] = Array.from({length: 10_000}, (_, i) => ({
	id: `job-${String(i).padStart(5, '0')}`,
	pipeline: i % 2 === 0 ? 'train_steps' : 'evaluate',
	state: states[i % 5]!,
	attempt: i % 5 === 0 ? 0 : 1,
	maxAttempts: 3,
	runner: i % 5 === 0 ? '' : 'host/1/abc',
	submittedBy: 'c-bench',
	submittedAtMs: t0 + i * 1000,
	startedAtMs: i % 5 === 0 ? 0 : t0 + i * 1000 + 50,
	heartbeatAtMs: 0,
	finishedAtMs: i % 5 >= 2 ? t0 + i * 1000 + 900 : 0,
	updatedAtMs: t0 + i * 1000,
	progress: i % 5 === 1 ? {current: i % 100, total: 100, message: `step ${i % 100}`, atMs: t0 + i * 1000 + 500} : undefined,
	error: undefined,
	hasCheckpoint: false,
}));
const newestFirst = [...statuses].reverse();

const client: DashboardClient = {
	async listPipelines() {
		return [];
	},
	async job(id: string) {
		throw new Error(`not in this test: ${id}`);
	},
	async jobs(filter: JobFilter = {}) {
		return newestFirst.slice(0, filter.limit ?? 100);
	},
	async cancel(id: string) {
		throw new Error(`not in this test: ${id}`);
	},
};

let server: DashboardServer;
let browser: Browser;
let page: Page;

before(async () => {
	server = await DashboardServer.start({client, port: 0});
	browser = await launchBrowser();
	page = await browser.newPage();
});

after(async () => {
	await browser?.close();
	await server?.close();
});

test('with 10,000 jobs the page shows 50 at a time, newest first, and pages from the keyboard', {timeout: 60_000}, async () => {
	const started = Date.now();
	await page.goto(`${server.url}#/jobs`, {waitUntil: 'domcontentloaded'});
	await page.waitForSelector('#jobs-table tbody tr');
	const loadMs = Date.now() - started;
	process.stdout.write(`jobs page with 10,000 jobs: first rows after ${loadMs} ms\n`);
	assert.equal(await page.$$eval('#jobs-table tbody tr', rows => rows.length), 50);
	assert.match((await textOf(page, '#jobs-table caption')) ?? '', /10000 jobs, newest first; page 1 of 200/);
	assert.equal(await textOf(page, '#jobs-table tbody tr:first-child td:first-child'), 'job-09999');

	await page.focus('#page-next');
	await page.keyboard.press('Enter');
	await page.waitForFunction(() => location.hash.includes('page=2') && document.querySelectorAll('#jobs-table tbody tr').length === 50);
	await page.waitForFunction(() => document.querySelector('#jobs-table tbody tr:first-child td:first-child')?.textContent === 'job-09949');

	await page.goto(`${server.url}#/jobs?page=200`);
	await page.waitForFunction(() => document.querySelector('#jobs-table caption')?.textContent?.includes('page 200 of 200') === true);
	assert.equal(await textOf(page, '#jobs-table tbody tr:last-child td:first-child'), 'job-00000');
	assert.equal(await page.$eval('#page-next', button => (button as unknown as {disabled: boolean}).disabled), true);
});
