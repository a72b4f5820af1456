// The jobs list: filters, newest first, 50 a page, rows updated live.
import {api} from './api.js';
import {focusMain, h, render, table} from './dom.js';
import {runTime, STATES, TERMINAL, time} from './format.js';
import {progressBar, stateBadge} from './job-widgets.js';
import {app} from './state.js';

export async function jobsPage({query, options, reload}) {
  const pipeline = query.get('pipeline') || '';
  const state = query.get('state') || '';
  const pageNumber = Math.max(1, Number(query.get('page')) || 1);
  const params = new URLSearchParams({page: String(pageNumber)});
  if (pipeline) params.set('pipeline', pipeline);
  if (state) params.set('state', state);
  const data = await api(`/api/jobs?${params}`);
  const rows = new Map();
  const oldestShownMs = data.jobs.length > 0 ? data.jobs[data.jobs.length - 1].submittedAtMs : 0;
  let reloadTimer;
  const scheduleReload = () => {
    if (reloadTimer) return;
    reloadTimer = setTimeout(() => {
      reloadTimer = undefined;
      if (app.view === view) reload({keepFocus: true});
    }, 700);
  };
  const view = {
    name: 'jobs',
    on: {
      job(job) {
        const row = rows.get(job.id);
        if (row) row(job);
        // A job that belongs on this first page (newer than its oldest row, or the page is not
        // full): reload it. Changes of jobs on later pages wait until those pages are opened.
        else if (pageNumber === 1 && (!pipeline || pipeline === job.pipeline) && (!state || state === job.state)
          && (rows.size < data.pageSize || job.submittedAtMs >= oldestShownMs)) scheduleReload();
      },
    },
  };
  app.view = view;

  const go = changes => {
    const next = new URLSearchParams({pipeline, state, page: String(pageNumber), ...changes});
    for (const [key, value] of [...next]) if (!value || (key === 'page' && value === '1')) next.delete(key);
    location.hash = `#/jobs${next.toString() ? `?${next}` : ''}`;
  };
  const pipelineSelect = h('select', {id: 'filter-pipeline', onchange: e => go({pipeline: e.target.value, page: '1'})},
    h('option', {value: ''}, 'all'), data.pipelines.map(name => h('option', {value: name, selected: name === pipeline}, name)));
  const stateSelect = h('select', {id: 'filter-state', onchange: e => go({state: e.target.value, page: '1'})},
    h('option', {value: ''}, 'all'), STATES.map(s => h('option', {value: s, selected: s === state}, s.replace('_', ' '))));

  const trs = data.jobs.map(job => {
    const tr = h('tr', {'data-job-id': job.id});
    const update = next => {
      const ran = h('td', {class: 'num', 'data-ticking': !TERMINAL.has(next.state) && next.startedAtMs > 0}, runTime(next));
      const progressCell = h('td', {class: 'progress-cell', 'data-ticking': !TERMINAL.has(next.state)}, progressBar(next));
      ran._refresh = () => { ran.textContent = runTime(next); };
      progressCell._refresh = () => { progressCell.replaceChildren(progressBar(next)); };
      tr.dataset.state = next.state;
      tr.replaceChildren(
        h('td', {}, h('a', {href: `#/jobs/${encodeURIComponent(next.id)}`}, next.id)),
        h('td', {}, next.pipeline),
        h('td', {}, stateBadge(next.state)),
        progressCell,
        h('td', {class: 'num'}, next.attempt > 0 ? `${next.attempt}/${next.maxAttempts}` : '-'),
        h('td', {}, next.runner || '-'),
        h('td', {}, time(next.submittedAtMs)),
        ran,
      );
    };
    update(job);
    rows.set(job.id, update);
    return tr;
  });

  const jobsTable = table({id: 'jobs-table'}, `${data.total} job${data.total === 1 ? '' : 's'}, newest first; page ${data.page} of ${data.pages}`,
    ['Job', 'Pipeline', 'State', 'Progress', 'Attempt', 'Runner', 'Submitted', 'Duration'], trs, ['Attempt', 'Duration']);
  const pager = h('div', {class: 'pager'},
    h('button', {type: 'button', id: 'page-prev', disabled: data.page <= 1, onclick: () => go({page: String(data.page - 1)})}, '← Newer'),
    h('span', {}, `Page ${data.page} of ${data.pages}`),
    h('button', {type: 'button', id: 'page-next', disabled: data.page >= data.pages, onclick: () => go({page: String(data.page + 1)})}, 'Older →'));
  render(h('h1', {}, 'Jobs'),
    h('div', {class: 'filters', role: 'search'}, h('label', {for: 'filter-pipeline'}, 'Pipeline', pipelineSelect), h('label', {for: 'filter-state'}, 'State', stateSelect)),
    data.jobs.length === 0 ? h('p', {class: 'muted'}, 'No jobs match.') : jobsTable,
    pager);
  if (!options.keepFocus) focusMain();
}
