// Jobs per pipeline over the last minutes (pipelines page; the charts page without runner metrics).
import {barChart} from './charts.js';
import {h, table} from './dom.js';
import {duration} from './format.js';

/** Jobs per pipeline (ended per minute, outcomes, run times), from the job state topic. */
export function jobStatsTable(stats) {
  const ms = v => (v === null ? '-' : duration(v));
  if (stats.pipelines.length === 0) return h('p', {class: 'muted'}, 'No jobs yet.');
  return table({id: 'job-stats'}, `Jobs in the last ${stats.windowMinutes} minutes, from the job state topic (calls made with invoke() are not seen by the dashboard)`,
    ['Pipeline', 'Ended per minute', 'Succeeded', 'Failed', 'Cancelled', 'Running', 'Queued', 'p50 run time', 'p99 run time'],
    stats.pipelines.map(p => h('tr', {'data-stats-pipeline': p.pipeline},
      h('td', {}, h('code', {}, p.pipeline)),
      h('td', {}, barChart(p.finishedPerMinute, `${p.pipeline}: jobs ended per minute, last ${stats.windowMinutes} minutes`)),
      h('td', {class: 'num'}, p.succeeded), h('td', {class: 'num'}, p.failed), h('td', {class: 'num'}, p.cancelled),
      h('td', {class: 'num'}, p.running), h('td', {class: 'num'}, p.queued),
      h('td', {class: 'num'}, ms(p.p50Ms)), h('td', {class: 'num'}, ms(p.p99Ms)))));
}
