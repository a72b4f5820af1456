// Calls per second and p50/p99 run time per pipeline, from the runners' /metrics (scraped by the
// dashboard server every few seconds and pushed here). Without runner metrics: how to turn them
// on, and the jobs ended per minute the dashboard sees itself.
import {api} from './api.js';
import {figure, lineChart} from './charts.js';
import {h, render, table} from './dom.js';
import {millis, time} from './format.js';
import {jobStatsTable} from './job-stats-table.js';
import {app} from './state.js';

export async function chartsPage() {
  const data = await api('/api/metrics');
  app.view = {name: 'charts', on: {metrics: update => renderCharts(update)}};
  renderCharts(data);
}

const rate = v => (v === null || v === undefined ? '-' : v >= 10 ? v.toFixed(0) : v.toFixed(2));

function metricsOff(data) {
  return [
    h('div', {class: 'panel', id: 'metrics-off', role: 'note'},
      h('h2', {}, 'No runner publishes metrics'),
      h('p', {}, 'Start the runners with ', h('code', {}, '--metrics-port 9464'), ' (or ', h('code', {}, 'MLBRIDGE_METRICS_PORT=9464'),
        '): each then serves Prometheus metrics on /metrics and names the address in its presence record; this page scrapes every live runner every ',
        `${Math.round(data.intervalMs / 1000)} s and charts calls per second and p50/p99 run time per pipeline.`)),
    h('h2', {}, 'What the dashboard sees itself: jobs'),
    data.jobs ? jobStatsTable(data.jobs) : h('p', {class: 'muted'}, 'No job statistics yet.'),
  ];
}

function latest(history, pipeline) {
  for (let i = history.length - 1; i >= 0; i--) {
    const point = history[i].pipelines[pipeline];
    if (point) return point;
  }
  return undefined;
}

function metricsOn(data) {
  const {history, pipelines} = data;
  if (history.length === 0) return [h('p', {class: 'muted', id: 'charts-wait'}, `The charts start after two scrapes of a runner (one every ${Math.round(data.intervalMs / 1000)} s).`)];
  const calls = figure('calls-chart', lineChart(history, pipelines.map(p => ({name: p, value: s => (s.pipelines[p] ? s.pipelines[p].callsPerSecond : null)})), 'calls per second per pipeline, all runners', {unit: '/s'}), pipelines);
  const latency = pipelines.map(p => h('section', {'data-latency-pipeline': p},
    h('h3', {}, h('code', {}, p)),
    figure(`latency-${p}`, lineChart(history, [
      {name: 'p50', value: s => (s.pipelines[p] ? s.pipelines[p].p50Ms : null)},
      {name: 'p99', value: s => (s.pipelines[p] ? s.pipelines[p].p99Ms : null)},
    ], `${p}: p50 and p99 run time in milliseconds`, {height: 110, unit: ' ms'}), ['p50', 'p99'])));
  return [
    h('h2', {}, 'Calls per second'),
    calls,
    table({id: 'calls-now'}, `Over the last ${Math.round(data.intervalMs / 1000)} s, summed over the runners`, ['Pipeline', 'Calls/s', 'Errors/s', 'p50 run time', 'p99 run time'],
      pipelines.map(p => {
        const point = latest(history, p) || {};
        return h('tr', {'data-calls-pipeline': p}, h('td', {}, h('code', {}, p)), h('td', {class: 'num'}, rate(point.callsPerSecond)), h('td', {class: 'num'}, rate(point.errorsPerSecond)),
          h('td', {class: 'num'}, millis(point.p50Ms)), h('td', {class: 'num'}, millis(point.p99Ms)));
      }), ['Calls/s', 'Errors/s', 'p50 run time', 'p99 run time']),
    h('h2', {}, 'Run time (p50, p99)'),
    latency,
  ];
}

function renderCharts(data) {
  render(h('h1', {}, 'Charts'),
    ...(data.source === 'runners' ? metricsOn(data) : metricsOff(data)),
    data.targets.length === 0 ? null : [h('h2', {}, 'Scraped runners'),
      table({id: 'scrape-targets'}, undefined, ['Runner', 'Metrics address', 'Last scrape', 'Result'],
        data.targets.map(t => h('tr', {'data-target': t.runner}, h('td', {}, h('code', {}, t.runner)), h('td', {}, h('code', {}, t.url)), h('td', {}, time(t.atMs)),
          h('td', {class: t.ok ? undefined : 'problem'}, t.ok ? 'ok' : t.error))))],
    h('p', {class: 'muted'}, 'Lag over time is on the Runners page.'));
}
