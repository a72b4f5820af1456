// The catalogue, and the jobs each pipeline ran over the last minutes.
import {api} from './api.js';
import {h, render, table} from './dom.js';
import {duration} from './format.js';
import {jobStatsTable} from './job-stats-table.js';
import {app} from './state.js';

export async function pipelinesPage() {
  const [pipelines, stats] = await Promise.all([api('/api/pipelines'), api('/api/job-stats')]);
  app.view = {name: 'pipelines', on: {}};
  // From the runners' presence records; without any, the runner that published the entry.
  const servedBy = p => !Array.isArray(p.servedBy) ? (p.runner ? `${p.runner} (published it)` : '-')
    : p.servedBy.length === 0 ? h('span', {class: 'muted'}, 'no live runner') : p.servedBy.join(', ');
  render(h('h1', {}, 'Pipelines'),
    pipelines.length === 0 ? h('p', {class: 'muted'}, 'No pipelines in the catalogue: is a runner up, on the same catalogue topic?') :
      table({id: 'pipelines-table'}, `${pipelines.length} pipelines from the catalogue`,
        ['Name', 'Lane', 'Version', 'Signature', 'Time limit', 'Served by', 'Doc'],
        pipelines.map(p => h('tr', {'data-pipeline': p.name},
          h('td', {}, h('code', {}, p.name)),
          h('td', {}, p.lane),
          h('td', {class: 'num'}, p.versions.length > 1 ? `${p.version} (of ${p.versions.join(', ')})` : p.version),
          h('td', {}, h('code', {}, p.signature)),
          h('td', {}, p.timeoutMs === null ? '-' : duration(p.timeoutMs)),
          h('td', {class: 'served-by'}, servedBy(p)),
          h('td', {class: 'doc'}, p.doc || '-')))),
    h('h2', {}, 'Jobs over time'),
    jobStatsTable(stats));
}
