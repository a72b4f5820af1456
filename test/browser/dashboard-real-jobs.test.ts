/**
 * The jobs page over 10,000 real job records on the real broker: the records are written straight
 * into a fresh job state topic with the project's encoder (that topic is the job store), and the
 * real `mlbridge dashboard` process reads them through its client. The first page shows the 50
 * newest, paging works; the load time is printed, not asserted (benchmarks measure, tests assert).
 */
import assert from 'node:assert/strict';
import {randomBytes} from 'node:crypto';
import {after, before, test} from 'node:test';
import {Kafka, logLevel} from 'kafkajs';
import type {Browser, Page} from 'puppeteer-core';
import {encodeJobRecord, type JobState} from '../../src/jobs/job-record.js';
import {defaultJobRetentionMs, defaultJobStateTopic, jobStateTopicSpec} from '../../src/jobs/job-topics.js';
import {launchBrowser, textOf} from '../helpers/browser.js';
import {startDashboardProcess, type DashboardProcess} from '../helpers/dashboard-process.js';
import {jobRecord} from '../helpers/job-records.js';
import {brokers} from '../helpers/harness.js';

declare const document: {querySelector(selector: string): {textContent: string | null} | null; querySelectorAll(selector: string): {length: number}};
declare const location: {hash: string};

const count = 10_000;
const requestTopic = `dashboard-10k-${randomBytes(4).toString('hex')}`;
const stateTopic = defaultJobStateTopic(requestTopic);
const t0 = Date.now() - count * 1000;
const states: JobState[] = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'];
const idOf = (i: number): string => `job-${String(i).padStart(5, '0')}`;
const kafka = new Kafka({brokers, logLevel: logLevel.NOTHING});
let server: DashboardProcess;
let browser: Browser;
let page: Page;

before(async () => {
	const admin = kafka.admin();
	await admin.connect();
	const spec = jobStateTopicSpec(stateTopic, defaultJobRetentionMs);
	await admin.createTopics({topics: [{topic: spec.topic, numPartitions: spec.numPartitions, configEntries: Object.entries(spec.config ?? {}).map(([name, value]) => ({name, value}))}]});
	await admin.disconnect();
	const producer = kafka.producer();
	await producer.connect();
	const written = Date.now();
	for (let start = 0; start < count; start += 1000) {
		await producer.send({topic: stateTopic, messages: Array.from({length: 1000}, (_, k) => {
			const i = start + k;
			const state = states[i % states.length]!;
			const submittedAtMs = t0 + i * 1000;
			return {key: idOf(i), value: encodeJobRecord(jobRecord(idOf(i), {
				state,
				pipeline: i % 2 === 0 ? 'train_steps' : 'evaluate',
				attempt: state === 'QUEUED' ? 0 : 1,
				runner: state === 'QUEUED' ? '' : 'host/1/abc',
				submittedAtMs,
				startedAtMs: state === 'QUEUED' ? 0 : submittedAtMs + 50,
				finishedAtMs: ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(state) ? submittedAtMs + 900 : 0,
				updatedAtMs: submittedAtMs + 900,
				progress: state === 'RUNNING' ? {current: i % 100, total: 100, message: `step ${i % 100}`, atMs: submittedAtMs + 500} : null,
			}))};
		})});
	}

	await producer.disconnect();
	process.stdout.write(`10,000 job records written in ${Date.now() - written} ms\n`);
	server = await startDashboardProcess(['--port', '0', '--brokers', brokers.join(','), '--request-topic', requestTopic, '--group', `${requestTopic}-runners`]);
	browser = await launchBrowser();
	page = await browser.newPage();
});

after(async () => {
	await browser?.close();
	await server?.stop();
	const admin = kafka.admin();
	await admin.connect();
	await admin.deleteTopics({topics: [stateTopic]}).catch(() => undefined);
	await admin.disconnect();
});

test('10,000 real jobs on the broker: the page shows the 50 newest, and pages', {timeout: 60_000}, async () => {
	// The dashboard read the state topic before it announced its URL: this is an operator's first load.
	const started = Date.now();
	await page.goto(`${server.url}#/jobs`, {waitUntil: 'domcontentloaded'});
	await page.waitForSelector('#jobs-table tbody tr', {timeout: 30_000});
	const firstMs = Date.now() - started;
	// Once the client holds the index, as an operator opening the page again sees it.
	const again = Date.now();
	await page.reload({waitUntil: 'domcontentloaded'});
	await page.waitForSelector('#jobs-table tbody tr');
	process.stdout.write(`jobs page over 10,000 real jobs: first rows after ${firstMs} ms (first load; the dashboard read the state topic at start, ${server.startMs} ms from spawn to URL), ${Date.now() - again} ms on reload\n`);
	assert.equal(await page.$$eval('#jobs-table tbody tr', rows => rows.length), 50);
	assert.match((await textOf(page, '#jobs-table caption')) ?? '', /10000 jobs, newest first; page 1 of 200/);
	assert.equal(await textOf(page, '#jobs-table tbody tr:first-child td:first-child'), idOf(count - 1));
	assert.equal(await textOf(page, '#jobs-table tbody tr:nth-child(50) td:first-child'), idOf(count - 50));

	await page.focus('#page-next');
	await page.keyboard.press('Enter');
	await page.waitForFunction(() => location.hash.includes('page=2') && document.querySelectorAll('#jobs-table tbody tr').length === 50);
	await page.waitForFunction(first => document.querySelector('#jobs-table tbody tr:first-child td:first-child')?.textContent === first, {}, idOf(count - 51));

	await page.goto(`${server.url}#/jobs?state=FAILED`);
	await page.waitForFunction(() => document.querySelector('#jobs-table caption')?.textContent?.includes('2000 jobs') === true, {timeout: 10_000});
	await page.goto(`${server.url}#/jobs?page=200`);
	await page.waitForFunction(() => document.querySelector('#jobs-table caption')?.textContent?.includes('page 200 of 200') === true);
	assert.equal(await textOf(page, '#jobs-table tbody tr:last-child td:first-child'), idOf(0));
});
