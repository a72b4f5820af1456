/**
 * Draws the trace that test/integration/tracing.test.ts recorded (TypeScript and Python spans of one
 * call) as a waterfall PNG for the README, with Debian's chromium:
 *
 *   MLBRIDGE_TRACE_OUT=/tmp/trace.json node --import tsx --test test/integration/tracing.test.ts
 *   node --import tsx scripts/render-trace.ts /tmp/trace.json docs/observability/trace.png
 *
 * The picture carries the trace id, the date of the run and the commit, so it can be traced back.
 */
import {execFileSync} from 'node:child_process';
import {mkdir, readFile} from 'node:fs/promises';
import path from 'node:path';
import {launchBrowser} from '../test/helpers/browser.js';

type Span = {
	side: string;
	name: string;
	kind: string;
	id: string;
	parent: string | null;
	startMs: number;
	endMs: number;
	attributes: Record<string, unknown>;
	links: string[];
};
type TraceFile = {traceId: string; recordedAt: string; test: string; spans: Span[]};

const [input, output] = process.argv.slice(2);
if (input === undefined || output === undefined) {
	console.error('usage: render-trace.ts <trace.json> <out.png>');
	process.exit(2);
}

const file = JSON.parse(await readFile(input, 'utf8')) as TraceFile;
const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {encoding: 'utf8'}).trim();
const escape = (text: string): string => text.replace(/[&<>"]/g, c => `&#${c.charCodeAt(0)};`);

const byId = new Map(file.spans.map(span => [span.id, span]));
const depth = (span: Span): number => {
	let level = 0;
	for (let parent = span.parent === null ? undefined : byId.get(span.parent); parent !== undefined; parent = parent.parent === null ? undefined : byId.get(parent.parent)) {
		level += 1;
	}

	return level;
};

const t0 = Math.min(...file.spans.map(span => span.startMs));
const t1 = Math.max(...file.spans.map(span => span.endMs));
const total = Math.max(t1 - t0, 0.001);
const shown = ['mlbridge.queue_wait_ms', 'mlbridge.run_ms', 'mlbridge.runner', 'messaging.destination.partition.id', 'messaging.kafka.offset', 'work.n'];
const rows = file.spans.map(span => {
	const left = ((span.startMs - t0) / total) * 100;
	const width = Math.max(((span.endMs - span.startMs) / total) * 100, 0.4);
	const facts = shown.filter(key => key in span.attributes).map(key => `${key.replace(/^(mlbridge|messaging)\./, '')}=${String(span.attributes[key])}`);
	if (span.links.length > 0) {
		facts.push(`link → ${span.links.join(', ')}`);
	}

	return `<tr class="${span.side === 'Python' ? 'py' : 'ts'}">
		<td class="name" style="padding-left:${(depth(span) * 18) + 8}px">${escape(span.name)}<div class="meta">${escape(span.side)} · ${escape(span.kind)} · ${escape(span.id)}${span.parent === null ? '' : ` ← ${escape(span.parent)}`}</div></td>
		<td class="bar"><div style="margin-left:${left}%;width:${width}%"></div><div class="meta">${(span.endMs - span.startMs).toFixed(2)} ms${facts.length > 0 ? ` · ${escape(facts.join(' · '))}` : ''}</div></td>
	</tr>`;
}).join('\n');

const html = `<!doctype html><meta charset="utf-8"><style>
body{font:14px system-ui,sans-serif;margin:24px;color:#1b1f24;background:#fff}
h1{font-size:18px;margin:0 0 4px}p{margin:0 0 16px;color:#57606a}
table{border-collapse:collapse;width:100%}td{border-top:1px solid #d0d7de;padding:8px;vertical-align:top}
td.name{width:38%;font-weight:600}.meta{font-weight:400;font-size:12px;color:#57606a;margin-top:3px}
td.bar div:first-child{height:14px;border-radius:3px}
tr.ts td.bar div:first-child{background:#3178c6}tr.py td.bar div:first-child{background:#e3b341}
</style>
<h1>One call traced from TypeScript through Kafka into a Python pipeline and back</h1>
<p>trace ${escape(file.traceId)} · ${escape(file.test)} · recorded ${escape(file.recordedAt)} · commit ${escape(commit)} · ${total.toFixed(2)} ms end to end · <span style="color:#3178c6">■</span> TypeScript (OpenTelemetry JS SDK) <span style="color:#e3b341">■</span> Python runner (OpenTelemetry Python SDK)</p>
<table>${rows}</table>`;

const browser = await launchBrowser();
try {
	const page = await browser.newPage();
	await page.setViewport({width: 1280, height: 200 + (file.spans.length * 58)});
	await page.setContent(html);
	await mkdir(path.dirname(output), {recursive: true});
	await page.screenshot({path: output as `${string}.png`, fullPage: true});
	console.log(`render-trace: ${file.spans.length} spans → ${output}`);
} finally {
	await browser.close();
}
