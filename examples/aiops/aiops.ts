/**
 * `npm run demo` (or `npm run demo -- aiops [options]`): the AIOps example end to end.
 *
 * 1. starts a runner with examples/aiops/pipelines.py and a model store;
 * 2. submits the training job (an IsolationForest on windowed features of 28 days of generated
 *    server metrics) and shows its progress as a bar; the job saves model `anomaly-detector`;
 * 3. fetches a fresh week of metrics with injected incidents and streams it through the inference
 *    pipeline an hour at a time, pinned to the new model version;
 * 4. prints the detected anomalies with their scores, precision and recall against the injected
 *    incidents, and writes a PNG chart of the week with the incidents and detections marked.
 *
 * Options: --days 7 (the week scored), --seed 7, --train-days 28, --chart .cache/aiops-chart.png,
 * --model-dir .cache/aiops-models, --topic mlbridge.aiops.
 */
import {mkdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {parseArgs} from 'node:util';
import cliProgress from 'cli-progress';
import {PipelineClient} from 'mlbridge';
import {ChartRendererMissingError, chartSvg, renderPng} from './chart.js';
import {detect, loadSeries, modelName, quantile, startAiopsRunner, train} from './detection.js';
import {detections, matchingIncident} from './evaluation.js';

/** A path as the user would type it: relative to the working directory when inside it. */
const shown = (file: string): string => (path.relative(process.cwd(), file).startsWith('..') ? file : path.relative(process.cwd(), file));
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const {values: options} = parseArgs({
	options: {
		days: {type: 'string', default: '7'},
		seed: {type: 'string', default: '7'},
		'train-days': {type: 'string', default: '28'},
		chart: {type: 'string', default: path.join(root, '.cache', 'aiops-chart.png')},
		'model-dir': {type: 'string', default: path.join(root, '.cache', 'aiops-models')},
		topic: {type: 'string', default: 'mlbridge.aiops'},
	},
});
const days = Number(options.days);
const seed = Number(options.seed);
const trainDays = Number(options['train-days']);
const requestTopic = options.topic;
mkdirSync(options['model-dir'], {recursive: true});

const started = performance.now();
const runner = await startAiopsRunner(options['model-dir'], {requestTopic});
console.log(`runner up (pid ${runner.pid}, topic ${requestTopic}, model store ${shown(options['model-dir'])}) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
const client = await PipelineClient.connect({requestTopic});
try {
	// 1. Training, as a job: the bar follows the job's progress reports.
	console.log(`\ntraining ${modelName} on ${trainDays} days of metrics (a job)`);
	// On a terminal a bar; in a log (CI, a file) one line per progress report.
	const bar = process.stdout.isTTY ? new cliProgress.SingleBar({format: '  {bar} {value}/{total} | {message}', hideCursor: true}, cliProgress.Presets.shades_classic) : undefined;
	bar?.start(1, 0, {message: 'queued'});
	const training = await train(client, {days: trainDays, seed: 1}, event => {
		bar?.setTotal(event.total ?? 1);
		bar?.update(event.current, {message: event.message});
		if (bar === undefined) console.log(`  progress ${event.current}/${event.total ?? '?'}: ${event.message}`);
	});
	bar?.stop();
	const saved = (await client.models.list(modelName)).find(v => v.version === training.version);
	const m = training.metrics;
	console.log(`saved ${modelName} version ${training.version} (${saved?.format ?? '?'}, ${saved?.size ?? '?'} bytes, sha256 ${saved?.sha256.slice(0, 12) ?? '?'}…) in ${training.seconds.toFixed(1)} s: `
		+ `${m['trees']} trees on ${m['training_rows']} rows x ${training.features.length} features, contamination ${m['contamination']}; held-out week: precision ${m['precision']!.toFixed(2)}, recall ${m['recall']!.toFixed(2)}`);

	// 2. A new week of metrics, streamed through the inference pipeline an hour (12 rows) at a time.
	const series = await loadSeries(client, days, seed);
	console.log(`\nscoring ${days} days (${series.rows} rows of ${series.metrics.join(', ')}; seed ${seed}, ${series.incidents.length} injected incidents) an hour at a time`);
	const run = await detect(client, series, training);
	const at = (row: number): string => {
		const minutes = row * series.stepMinutes;
		return `day ${Math.floor(minutes / 1440)} ${String(Math.floor((minutes % 1440) / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
	};

	console.log(`${run.callMs.length} calls of detect_anomalies (${training.contextRows + 12} rows each): round trip through Kafka p50 ${quantile(run.callMs, 0.5).toFixed(1)} ms, p95 ${quantile(run.callMs, 0.95).toFixed(1)} ms; scoring in the pipeline p50 ${quantile(run.scoringMs, 0.5).toFixed(1)} ms`);
	console.log('\ndetected anomalies:');
	const found = detections(run.flags, run.scores);
	for (const d of found) {
		const incident = matchingIncident(d, series.incidents);
		const what = incident === undefined ? 'false alarm' : `${incident.kind} (injected ${at(incident.start)} – ${at(incident.end)})`;
		console.log(`  ${at(d.start)} – ${at(d.end)}  ${String((d.end - d.start) * series.stepMinutes).padStart(4)} min  peak score ${d.peakScore.toFixed(3)}  ${what}`);
	}

	for (const incident of run.score.missed) {
		console.log(`  missed: ${incident.kind} (injected ${at(incident.start)} – ${at(incident.end)})`);
	}

	const s = run.score;
	const delays = s.delays.map(d => `${d.kind} ${d.rows * series.stepMinutes} min`).join(', ');
	console.log(`\nprecision ${s.precision.toFixed(2)} (${s.trueDetections} of ${s.detections} detections are incidents), recall ${s.recall.toFixed(2)} (${s.found} of ${s.incidents} incidents found)`);
	console.log(`time to detect: ${delays}`);

	// 3. The chart.
	const svg = chartSvg({
		series,
		scores: run.scores,
		detections: found,
		title: `AIOps example: ${modelName} v${training.version} (IsolationForest) on ${days} days of server metrics, seed ${seed}`,
		subtitle: `precision ${s.precision.toFixed(2)}, recall ${s.recall.toFixed(2)} (event level); ${s.incidents} injected incidents, ${s.detections} detections; detect_anomalies p50 ${quantile(run.callMs, 0.5).toFixed(1)} ms per hour of rows`,
	});
	mkdirSync(path.dirname(options.chart), {recursive: true});
	try {
		writeFileSync(options.chart, await renderPng(svg));
		console.log(`chart: ${shown(options.chart)}`);
	} catch (error) {
		if (!(error instanceof ChartRendererMissingError)) throw error;
		// Without a browser the picture is still worth having: as the SVG it would have been.
		const fallback = options.chart.replace(/(\.png)?$/, '.svg');
		writeFileSync(fallback, svg);
		console.log(`chart: no PNG (${error.message}); SVG written to ${shown(fallback)}`);
	}
} finally {
	await client.close();
	const exit = await runner.stop();
	console.log(`runner stopped (exit ${exit.exitCode}); ${((performance.now() - started) / 1000).toFixed(1)} s in all`);
}
