/**
 * The AIOps example (examples/aiops/) run as `npm run demo` runs it, on the real broker with a real
 * runner: the script trains the detector as a job (progress reported, a skops model version saved),
 * streams an unseen week of generated metrics through the inference pipeline, and must find the
 * injected incidents above the floors the README states — event-level precision >= 0.75 and recall
 * >= 0.85 — and write its PNG chart. Trained on 14 days instead of 28 to stay well under a minute.
 * (The Python side's unit tests: python-runner/tests/unit/test_aiops_*.py.)
 */
import assert from 'node:assert/strict';
import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {after, test} from 'node:test';
import {execa} from 'execa';
import {brokers, uniqueName} from '../helpers/harness.js';

const PRECISION_FLOOR = 0.75;
const RECALL_FLOOR = 0.85;
const hasChromium = [process.env['CHROMIUM_PATH'], '/usr/bin/chromium', '/usr/bin/chromium-browser'].some(p => p !== undefined && p !== '' && existsSync(p));
const work = mkdtempSync(path.join(tmpdir(), 'mlbridge-aiops-'));
after(() => rmSync(work, {recursive: true, force: true}));

test('the AIOps example trains as a job, detects the injected incidents above the floors and draws its chart', {timeout: 180_000}, async () => {
	const chart = path.join(work, 'chart.png');
	const run = await execa('node', [
		'--import', 'tsx', 'examples/aiops/aiops.ts',
		'--topic', uniqueName('aiops'),
		'--model-dir', path.join(work, 'models'),
		'--chart', chart,
		'--train-days', '14',
	], {env: {KAFKA_BROKERS: brokers.join(',')}, reject: false, all: true});
	const out = run.all ?? '';
	assert.equal(run.exitCode, 0, out);

	// The job's progress, as the script prints it without a terminal: 1/6 ... 6/6, in order.
	const steps = [...out.matchAll(/^ {2}progress (\d+)\/(\d+): /gm)].map(m => [Number(m[1]), Number(m[2])]);
	assert.ok(steps.length >= 2, out);
	assert.deepEqual(steps.at(-1), [6, 6]);
	assert.ok(steps.every(([current], i) => i === 0 || current! >= steps[i - 1]![0]!), 'progress went backwards');
	assert.match(out, /^saved anomaly-detector version 1 \(skops, \d+ bytes/m);

	// Detections printed with scores, and the scores against the injected incidents.
	assert.match(out, /^ {2}day \d \d\d:\d\d – day \d \d\d:\d\d +\d+ min {2}peak score \d\.\d{3} {2}(spike|level_shift|memory_leak|error_burst) \(injected/m);
	const [, precision, recall] = /^precision ([\d.]+) .*, recall ([\d.]+) /m.exec(out) ?? [];
	assert.ok(Number(precision) >= PRECISION_FLOOR, `precision ${precision} < ${PRECISION_FLOOR}\n${out}`);
	assert.ok(Number(recall) >= RECALL_FLOOR, `recall ${recall} < ${RECALL_FLOOR}\n${out}`);
	assert.match(out, /^runner stopped \(exit 0\)/m);
	console.log(out.split('\n').filter(line => /^(precision|time to detect|\d+ calls)/.test(line)).join('\n'));

	// A PNG of the chart's size (IHDR width and height, big-endian at bytes 16 and 20). Without a
	// chromium (CI could not install one) the script writes the SVG and says so.
	if (!hasChromium) {
		assert.match(out, /^chart: no PNG \(the chart needs chromium.*SVG written to/m);
		assert.match(readFileSync(chart.replace(/\.png$/, '.svg'), 'utf8'), /^<svg /);
		return;
	}

	const png = readFileSync(chart);
	assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
	assert.equal(png.readUInt32BE(16), 1400);
	assert.ok(png.readUInt32BE(20) > 600 && png.length > 20_000);
});
