/**
 * The example's chart: the four metrics, the anomaly score, the injected incidents (shaded by kind)
 * and the detections (red), drawn as SVG and rendered to PNG by a headless chromium through
 * puppeteer-core — the approach of scripts/render-trace.ts (no browser download: Debian's chromium,
 * or CHROMIUM_PATH).
 */
import {existsSync} from 'node:fs';
import type {Detection} from './evaluation.js';
import type {MetricSeries} from './detection.js';

export type ChartInput = {
	readonly series: MetricSeries;
	readonly scores: Float64Array;
	readonly detections: readonly Detection[];
	readonly title: string;
	readonly subtitle: string;
};

const WIDTH = 1400;
const LEFT = 130;
const RIGHT = 20;
const PANEL = 130;
const GAP = 18;
const TOP = 96;
const KIND_COLOURS: Readonly<Record<string, string>> = {
	spike: '#f6c667',
	level_shift: '#9ecae1',
	memory_leak: '#c7a3e0',
	error_burst: '#a1d99b',
};
const UNITS: Readonly<Record<string, string>> = {cpu: 'CPU %', memory: 'memory %', latency: 'p95 latency ms', errors: 'errors %'};

const escape = (text: string): string => text.replace(/[&<>"]/g, c => `&#${c.charCodeAt(0)};`);

/** The chart as an SVG document. */
export function chartSvg(input: ChartInput): string {
	const {series, scores, detections} = input;
	const width = series.metrics.length;
	const plotWidth = WIDTH - LEFT - RIGHT;
	const x = (row: number): number => LEFT + (row / Math.max(series.rows - 1, 1)) * plotWidth;
	const panels = [...series.metrics.map((metric, column) => ({label: UNITS[metric] ?? metric, value: (row: number) => series.values[row * width + column]!})), {label: 'anomaly score', value: (row: number) => scores[row]!}];
	const height = TOP + panels.length * (PANEL + GAP) + 40;
	const bottom = TOP + panels.length * (PANEL + GAP) - GAP;
	const parts: string[] = [];

	const band = (start: number, end: number, fill: string, opacity: number, y0: number, y1: number): string =>
		`<rect x="${x(start).toFixed(1)}" y="${y0}" width="${Math.max(x(end) - x(start), 1.5).toFixed(1)}" height="${y1 - y0}" fill="${fill}" fill-opacity="${opacity}"/>`;

	for (const incident of series.incidents) {
		parts.push(band(incident.start, incident.end, KIND_COLOURS[incident.kind] ?? '#ddd', 0.55, TOP - 14, bottom));
	}

	for (const detection of detections) {
		parts.push(band(detection.start, detection.end, '#d62728', 0.9, TOP - 28, TOP - 18));
		parts.push(band(detection.start, detection.end, '#d62728', 0.18, TOP - 14, bottom));
	}

	panels.forEach((panel, index) => {
		const y0 = TOP + index * (PANEL + GAP);
		const values: number[] = [];
		for (let row = 0; row < series.rows; row++) {
			const v = panel.value(row);
			if (Number.isFinite(v)) values.push(v);
		}

		const low = Math.min(...values);
		const high = Math.max(...values);
		const y = (v: number): number => y0 + PANEL - ((v - low) / Math.max(high - low, 1e-9)) * PANEL;
		let path = '';
		for (let row = 0; row < series.rows; row++) {
			const v = panel.value(row);
			if (Number.isFinite(v)) path += `${path === '' || !Number.isFinite(panel.value(row - 1)) ? 'M' : 'L'}${x(row).toFixed(1)},${y(v).toFixed(1)}`;
		}

		parts.push(`<rect x="${LEFT}" y="${y0}" width="${plotWidth}" height="${PANEL}" fill="none" stroke="#bbb"/>`);
		parts.push(`<path d="${path}" fill="none" stroke="#1f3b5c" stroke-width="1"/>`);
		parts.push(`<text x="${LEFT - 8}" y="${y0 + PANEL / 2}" text-anchor="end" class="label">${escape(panel.label)}</text>`);
		parts.push(`<text x="${LEFT - 8}" y="${y0 + 10}" text-anchor="end" class="tick">${high.toFixed(1)}</text>`);
		parts.push(`<text x="${LEFT - 8}" y="${y0 + PANEL}" text-anchor="end" class="tick">${low.toFixed(1)}</text>`);
		if (index === panels.length - 1 && low < 0 && high > 0) {
			parts.push(`<line x1="${LEFT}" x2="${LEFT + plotWidth}" y1="${y(0).toFixed(1)}" y2="${y(0).toFixed(1)}" stroke="#d62728" stroke-dasharray="4 3"/>`);
			parts.push(`<text x="${LEFT + plotWidth - 4}" y="${(y(0) - 4).toFixed(1)}" text-anchor="end" class="tick" fill="#d62728">threshold</text>`);
		}
	});

	const rowsPerDay = (24 * 60) / series.stepMinutes;
	for (let day = 0; day * rowsPerDay <= series.rows; day++) {
		const at = x(day * rowsPerDay).toFixed(1);
		parts.push(`<line x1="${at}" x2="${at}" y1="${TOP - 14}" y2="${bottom + 4}" stroke="#000" stroke-opacity="0.12"/>`);
		parts.push(`<text x="${at}" y="${bottom + 18}" text-anchor="middle" class="tick">day ${day}</text>`);
	}

	parts.push(`<text x="${LEFT - 8}" y="${TOP - 19}" text-anchor="end" class="tick" fill="#d62728">detected</text>`);
	const legend = Object.entries(KIND_COLOURS).map(([kind, colour], i) =>
		`<rect x="${LEFT + i * 180}" y="46" width="14" height="14" fill="${colour}"/><text x="${LEFT + i * 180 + 20}" y="58" class="tick">${kind.replace('_', ' ')} (injected)</text>`);
	legend.push(`<rect x="${LEFT + 720}" y="46" width="14" height="14" fill="#d62728"/><text x="${LEFT + 740}" y="58" class="tick">detected by the model</text>`);

	return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}">
<style>text{font-family:DejaVu Sans,Arial,sans-serif}.title{font-size:18px;font-weight:bold}.sub{font-size:13px;fill:#444}.label{font-size:13px}.tick{font-size:11px;fill:#555}</style>
<rect width="100%" height="100%" fill="#fff"/>
<text x="${LEFT}" y="22" class="title">${escape(input.title)}</text>
<text x="${LEFT}" y="40" class="sub">${escape(input.subtitle)}</text>
${legend.join('\n')}
${parts.join('\n')}
</svg>`;
}

/** The chart cannot be rendered: no chromium, or no puppeteer-core (named in the message). */
export class ChartRendererMissingError extends Error {
	override readonly name = 'ChartRendererMissingError';
}

/** `svg` as PNG bytes, rendered by headless chromium (puppeteer-core, loaded only here). */
export async function renderPng(svg: string): Promise<Uint8Array> {
	const executablePath = [process.env['CHROMIUM_PATH'], '/usr/bin/chromium', '/usr/bin/chromium-browser'].find(p => p !== undefined && p !== '' && existsSync(p));
	if (executablePath === undefined) throw new ChartRendererMissingError('the chart needs chromium: apt-get install chromium, or set CHROMIUM_PATH');
	const {default: puppeteer} = await import('puppeteer-core').catch((error: unknown) => {
		throw new ChartRendererMissingError(`the chart needs the npm package puppeteer-core (npm install puppeteer-core): ${String(error)}`);
	});
	const size = /width="(\d+)" height="(\d+)"/.exec(svg);
	const browser = await puppeteer.launch({
		executablePath,
		headless: true,
		args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'], // root in a container: no user namespaces
		defaultViewport: {width: Number(size?.[1] ?? 1400), height: Number(size?.[2] ?? 900)},
	});
	try {
		const page = await browser.newPage();
		await page.setContent(`<!doctype html><html><body style="margin:0">${svg}</body></html>`);
		return await page.screenshot({type: 'png', fullPage: true});
	} finally {
		await browser.close();
	}
}
