// The mlbridge dashboard page: plain DOM, no framework. Data from /api, live updates from
// /api/events (server-sent events). Every value is put in the page as text, never as HTML.
'use strict';

const STATES = ['QUEUED', 'RUNNING', 'CANCEL_REQUESTED', 'SUCCEEDED', 'FAILED', 'CANCELLED'];
const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);

const app = {
  token: '',
  instance: undefined,
  events: undefined,
  eventsJob: undefined,
  view: undefined, // {name, rows: Map(id -> refresh), job, history}
};

// ---- helpers ---------------------------------------------------------------------------------

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

function duration(ms) {
  if (!(ms >= 0)) return '-';
  const s = Math.round(ms / 1000);
  if (s < 60) return ms < 10000 ? `${(ms / 1000).toFixed(1)} s` : `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

function time(ms) {
  if (!(ms > 0)) return '-';
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 19) + ' UTC';
}

function runTime(job) {
  if (!(job.startedAtMs > 0)) return '-';
  return duration((job.finishedAtMs > 0 ? job.finishedAtMs : Date.now()) - job.startedAtMs);
}

/** Time left, from the pace so far: elapsed × (1 − f) / f. */
function eta(job) {
  const p = job.progress;
  if (!p || !(p.total > 0) || !(job.startedAtMs > 0) || TERMINAL.has(job.state)) return '';
  const f = p.current / p.total;
  if (!(f > 0) || f >= 1) return '';
  const elapsed = p.atMs - job.startedAtMs;
  if (!(elapsed > 0)) return '';
  const left = (elapsed * (1 - f)) / f - (Date.now() - p.atMs);
  return `ETA ${duration(Math.max(0, left))}`;
}

function stateBadge(state) {
  return h('span', {class: `state ${state}`, 'data-state': state}, state.replace('_', ' '));
}

function progressBar(job) {
  const p = job.progress;
  const fraction = p && p.total > 0 ? Math.min(1, p.current / p.total) : job.state === 'SUCCEEDED' ? 1 : 0;
  const fill = h('span');
  fill.style.width = `${Math.round(fraction * 100)}%`;
  const counts = p ? (p.total !== undefined && p.total !== null ? `${p.current}/${p.total}` : String(p.current)) : '';
  const label = p ? `${counts}${p.message ? ` · ${p.message}` : ''}` : job.state === 'QUEUED' ? 'waiting' : '';
  const etaText = eta(job);
  return h('div', {class: 'progress', 'data-current': p ? p.current : '', 'data-total': p && p.total !== null ? p.total : ''},
    h('div', {class: 'bar', role: 'progressbar', 'aria-label': `progress of job ${job.id}`, 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': Math.round(fraction * 100)}, fill),
    h('div', {class: 'progress-text'}, [label, etaText].filter(Boolean).join(' · ') || '\u00a0'));
}

// ---- charts (inline SVG, drawn from data; no library) -------------------------------------------

const SVG = 'http://www.w3.org/2000/svg';
function svg(tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs || {})) el.setAttribute(key, String(value));
  for (const child of children.flat()) if (child) el.append(child);
  return el;
}

/** Bars, one per value (jobs ended per minute). */
function barChart(values, label, width = 240, height = 36) {
  const max = Math.max(1, ...values);
  const w = width / values.length;
  return svg('svg', {width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': label, class: 'chart'},
    svg('title', {}, document.createTextNode(label)),
    values.map((v, i) => v > 0 ? svg('rect', {x: i * w + 1, y: height - (v / max) * (height - 2), width: Math.max(1, w - 2), height: (v / max) * (height - 2), class: 'chart-bar'}) : null),
    svg('line', {x1: 0, y1: height - 0.5, x2: width, y2: height - 0.5, class: 'chart-axis'}));
}

/** One line per series over time (lag per group). */
function lineChart(samples, series, label, width = 640, height = 140) {
  const pad = {l: 40, r: 8, t: 8, b: 18};
  const times = samples.map(s => s.atMs);
  const t0 = Math.min(...times), t1 = Math.max(...times, t0 + 1);
  const max = Math.max(1, ...samples.flatMap(s => series.map(name => s.lag[name] || 0)));
  const x = t => pad.l + ((t - t0) / (t1 - t0)) * (width - pad.l - pad.r);
  const y = v => height - pad.b - (v / max) * (height - pad.t - pad.b);
  const text = (attrs, value) => { const t = svg('text', attrs); t.textContent = value; return t; };
  return svg('svg', {width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': label, class: 'chart'},
    svg('title', {}, document.createTextNode(label)),
    svg('line', {x1: pad.l, y1: height - pad.b, x2: width - pad.r, y2: height - pad.b, class: 'chart-axis'}),
    svg('line', {x1: pad.l, y1: pad.t, x2: pad.l, y2: height - pad.b, class: 'chart-axis'}),
    text({x: pad.l - 4, y: pad.t + 8, 'text-anchor': 'end', class: 'chart-text'}, String(max)),
    text({x: pad.l - 4, y: height - pad.b, 'text-anchor': 'end', class: 'chart-text'}, '0'),
    text({x: pad.l, y: height - 4, class: 'chart-text'}, time(t0).slice(11, 19)),
    text({x: width - pad.r, y: height - 4, 'text-anchor': 'end', class: 'chart-text'}, time(t1).slice(11, 19)),
    series.map((name, i) => svg('polyline', {points: samples.map(s => `${x(s.atMs).toFixed(1)},${y(s.lag[name] || 0).toFixed(1)}`).join(' '), class: `chart-line chart-line-${i % 3}`})));
}

async function api(path, options = {}) {
  const headers = {...(options.headers || {})};
  if (app.token) headers.Authorization = `Bearer ${app.token}`;
  const response = await fetch(path, {...options, headers});
  const body = await response.json().catch(() => ({}));
  if (response.status === 401) {
    showTokenForm();
    throw new Error('this dashboard needs its access token');
  }
  if (!response.ok) {
    const error = new Error(body.error ? `${body.error.code}: ${body.error.message}` : `HTTP ${response.status}`);
    error.status = response.status;
    throw error;
  }
  return body;
}

function render(...nodes) {
  const view = document.getElementById('view');
  view.replaceChildren(...nodes);
}

function failure(error) {
  return h('p', {class: 'problem', role: 'alert'}, String(error.message || error));
}

function showTokenForm() {
  const input = h('input', {type: 'password', id: 'token-input', autocomplete: 'off'});
  render(h('h1', {}, 'Access token'),
    h('form', {class: 'tokenform', onsubmit: event => {
      event.preventDefault();
      app.token = input.value.trim();
      sessionStorage.setItem('mlbridge-dashboard-token', app.token);
      connectEvents(true);
      route();
    }}, h('label', {for: 'token-input'}, 'Token', input), h('button', {type: 'submit'}, 'Open')));
  input.focus();
}

// ---- live updates ----------------------------------------------------------------------------

function connectEvents(force) {
  const job = app.view && app.view.name === 'job' ? app.view.job : undefined;
  if (!force && app.events && app.eventsJob === job) return;
  if (app.events) app.events.close();
  const params = new URLSearchParams();
  if (app.token) params.set('token', app.token);
  if (job) params.set('job', job);
  const source = new EventSource(`/api/events?${params}`);
  app.events = source;
  app.eventsJob = job;
  const conn = document.getElementById('conn');
  let first = true;
  source.addEventListener('hello', event => {
    const hello = JSON.parse(event.data);
    // The browser reconnected this stream by itself (server restarted, network back), or a new
    // stream met another server instance: what was missed is reloaded.
    const reconnected = !first || (app.instance !== undefined && app.instance !== hello.instance);
    first = false;
    app.instance = hello.instance;
    conn.textContent = 'live';
    conn.className = 'conn live';
    // Reconnected (the server restarted, or the network came back): what was missed is reloaded.
    if (reconnected) route({keepHistory: true});
  });
  source.addEventListener('job', event => onJob(JSON.parse(event.data)));
  source.addEventListener('progress', event => onProgress(JSON.parse(event.data)));
  source.addEventListener('runners', event => {
    if (app.view && app.view.name === 'runners') renderRunners(JSON.parse(event.data));
  });
  source.addEventListener('feed', event => {
    const feed = JSON.parse(event.data);
    conn.textContent = feed.ok ? 'live' : `job state unreadable: ${feed.message}`;
    conn.className = feed.ok ? 'conn live' : 'conn down';
  });
  source.onerror = () => {
    conn.textContent = 'reconnecting…';
    conn.className = 'conn down';
  };
}

function onJob(job) {
  const view = app.view;
  if (!view) return;
  if (view.name === 'jobs') {
    const row = view.rows.get(job.id);
    if (row) row(job);
    // A job that belongs on this first page (newer than its oldest row, or the page is not full):
    // reload it. Changes of jobs on later pages wait until those pages are opened.
    else if (view.page === 1 && (!view.pipeline || view.pipeline === job.pipeline) && (!view.state || view.state === job.state)
      && (view.rows.size < 50 || job.submittedAtMs >= view.oldestShownMs)) scheduleReload();
  } else if (view.name === 'job' && view.job === job.id) {
    view.update(job);
  }
}

function onProgress(event) {
  const view = app.view;
  if (view && view.name === 'job' && view.job === event.jobId) view.addHistory(event);
}

let reloadTimer;
function scheduleReload() {
  if (reloadTimer) return;
  reloadTimer = setTimeout(() => {
    reloadTimer = undefined;
    if (app.view && app.view.name === 'jobs') route({keepFocus: true});
  }, 700);
}

// Durations and ETAs move with the clock, without asking the server.
setInterval(() => {
  for (const cell of document.querySelectorAll('[data-ticking]')) {
    const refresh = cell._refresh;
    if (refresh) refresh();
  }
}, 1000);

// ---- pages -----------------------------------------------------------------------------------

function parseHash() {
  const hash = location.hash.replace(/^#/, '') || '/jobs';
  const [path, query = ''] = hash.split('?');
  return {parts: path.split('/').filter(Boolean).map(decodeURIComponent), query: new URLSearchParams(query)};
}

async function route(options = {}) {
  const {parts, query} = parseHash();
  const page = parts[0] || 'jobs';
  for (const link of document.querySelectorAll('[data-nav]')) {
    if (link.dataset.nav === page) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  const previous = app.view;
  try {
    if (page === 'jobs' && parts[1]) await jobPage(parts[1], options.keepHistory && previous && previous.job === parts[1] ? previous.history : []);
    else if (page === 'jobs') await jobsPage(query, options);
    else if (page === 'pipelines') await pipelinesPage();
    else if (page === 'runners') await runnersPage();
    else if (page === 'dead-letters') await deadLettersPage();
    else render(h('h1', {}, 'Not found'), h('p', {}, h('a', {href: '#/jobs'}, 'Back to the jobs')));
  } catch (error) {
    if (error.message !== 'this dashboard needs its access token') render(h('h1', {}, 'Error'), failure(error));
    return;
  }
  connectEvents(false);
}

async function jobsPage(query, options) {
  const pipeline = query.get('pipeline') || '';
  const state = query.get('state') || '';
  const pageNumber = Math.max(1, Number(query.get('page')) || 1);
  const params = new URLSearchParams({page: String(pageNumber)});
  if (pipeline) params.set('pipeline', pipeline);
  if (state) params.set('state', state);
  const data = await api(`/api/jobs?${params}`);
  const rows = new Map();
  app.view = {name: 'jobs', rows, page: pageNumber, pipeline, state, oldestShownMs: data.jobs.length > 0 ? data.jobs[data.jobs.length - 1].submittedAtMs : 0};

  const go = changes => {
    const next = new URLSearchParams({pipeline, state, page: String(pageNumber), ...changes});
    for (const [key, value] of [...next]) if (!value || (key === 'page' && value === '1')) next.delete(key);
    location.hash = `#/jobs${next.toString() ? `?${next}` : ''}`;
  };
  const pipelineSelect = h('select', {id: 'filter-pipeline', onchange: e => go({pipeline: e.target.value, page: '1'})},
    h('option', {value: ''}, 'all'), data.pipelines.map(name => h('option', {value: name, selected: name === pipeline}, name)));
  const stateSelect = h('select', {id: 'filter-state', onchange: e => go({state: e.target.value, page: '1'})},
    h('option', {value: ''}, 'all'), STATES.map(s => h('option', {value: s, selected: s === state}, s.replace('_', ' '))));

  const tbody = h('tbody');
  for (const job of data.jobs) {
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
    tbody.append(tr);
  }

  const table = h('table', {id: 'jobs-table'},
    h('caption', {}, `${data.total} job${data.total === 1 ? '' : 's'}, newest first; page ${data.page} of ${data.pages}`),
    h('thead', {}, h('tr', {}, ['Job', 'Pipeline', 'State', 'Progress', 'Attempt', 'Runner', 'Submitted', 'Duration'].map(t => h('th', {scope: 'col', class: t === 'Attempt' || t === 'Duration' ? 'num' : undefined}, t)))),
    tbody);
  const pager = h('div', {class: 'pager'},
    h('button', {type: 'button', id: 'page-prev', disabled: data.page <= 1, onclick: () => go({page: String(data.page - 1)})}, '← Newer'),
    h('span', {}, `Page ${data.page} of ${data.pages}`),
    h('button', {type: 'button', id: 'page-next', disabled: data.page >= data.pages, onclick: () => go({page: String(data.page + 1)})}, 'Older →'));
  render(h('h1', {}, 'Jobs'),
    h('div', {class: 'filters', role: 'search'}, h('label', {for: 'filter-pipeline'}, 'Pipeline', pipelineSelect), h('label', {for: 'filter-state'}, 'State', stateSelect)),
    data.jobs.length === 0 ? h('p', {class: 'muted'}, 'No jobs match.') : table,
    pager);
  if (!options.keepFocus) document.getElementById('main').focus({preventScroll: true});
}

async function jobPage(id, history) {
  const data = await api(`/api/jobs/${encodeURIComponent(id)}`);
  const view = {name: 'job', job: id, history: [...history], rows: new Map()};
  app.view = view;
  const facts = h('dl', {class: 'facts', id: 'job-facts'});
  const progressBox = h('div', {id: 'job-progress'});
  const historyList = h('ol', {class: 'history', id: 'progress-history'});
  const outcome = h('div', {id: 'job-outcome'});
  const cancelButton = h('button', {type: 'button', class: 'danger', id: 'cancel-job', onclick: () => confirmCancel(view.status)}, 'Cancel job…');
  const cancelNote = h('p', {role: 'status', id: 'cancel-note', class: 'muted'});
  let result = data.result;

  view.update = async status => {
    const wasTerminal = view.status && TERMINAL.has(view.status.state);
    view.status = status;
    const row = (label, value) => [h('dt', {}, label), h('dd', {}, value)];
    facts.replaceChildren(...[
      row('Job', h('code', {}, status.id)),
      row('Pipeline', status.pipeline),
      row('State', stateBadge(status.state)),
      row('Attempt', status.attempt > 0 ? `${status.attempt} of ${status.maxAttempts}` : `- (up to ${status.maxAttempts})`),
      row('Runner', status.runner || '-'),
      row('Submitted', `${time(status.submittedAtMs)}${status.submittedBy ? ` by ${status.submittedBy}` : ''}`),
      row('Started', time(status.startedAtMs)),
      row('Finished', time(status.finishedAtMs)),
      row('Duration', runTime(status)),
      row('Checkpoint', status.hasCheckpoint ? 'saved' : 'none'),
      row('Arguments', argsNodes(data.args)),
    ].flat());
    progressBox.replaceChildren(progressBar(status));
    cancelButton.disabled = TERMINAL.has(status.state) || status.state === 'CANCEL_REQUESTED';
    if (TERMINAL.has(status.state) && !wasTerminal && status.state === 'SUCCEEDED' && result === undefined) {
      try {
        result = (await api(`/api/jobs/${encodeURIComponent(id)}`)).result;
      } catch {}
    }
    outcome.replaceChildren(...outcomeNodes(status, result));
  };
  view.addHistory = event => {
    view.history.push(event);
    // The bar follows every report, between the feed's status updates.
    if (view.status && !TERMINAL.has(view.status.state)) {
      view.status = {...view.status, progress: {current: event.current, total: event.total, message: event.message, atMs: event.atMs}};
      progressBox.replaceChildren(progressBar(view.status));
    }
    historyList.append(historyItem(event));
    historyList.scrollTop = historyList.scrollHeight;
  };
  for (const event of view.history) historyList.append(historyItem(event));
  await view.update(data.status);
  render(
    h('p', {}, h('a', {href: '#/jobs'}, '← All jobs')),
    h('h1', {}, `Job ${id}`),
    // Above everything that grows (the progress history): the button never moves under the pointer.
    h('div', {class: 'job-actions'}, cancelButton, cancelNote),
    facts,
    h('div', {class: 'panel'}, h('h2', {}, 'Progress'), progressBox,
      h('h3', {class: 'muted'}, 'Reports seen while this page is open'), historyList),
    outcome);
  document.getElementById('main').focus({preventScroll: true});
}

function argsNodes(args) {
  if (!args || !args.available) return h('span', {class: 'muted', id: 'job-args'}, `not shown: ${args ? args.reason : 'unknown'}`);
  if (args.fields.length === 0) return h('span', {class: 'muted', id: 'job-args'}, 'none');
  return h('code', {id: 'job-args'}, args.fields.map(([name, value]) => `${name}=${value}`).join(', '));
}

function historyItem(event) {
  const counts = event.total !== undefined && event.total !== null ? `${event.current}/${event.total}` : String(event.current);
  return h('li', {}, `${time(event.atMs).slice(11, 19)} ${counts}${event.message ? ` ${event.message}` : ''}`);
}

function outcomeNodes(status, result) {
  if (status.state === 'SUCCEEDED') {
    return [h('div', {class: 'panel', id: 'job-result'}, h('h2', {}, 'Result'), h('pre', {}, JSON.stringify(result === undefined ? null : result, null, 2)))];
  }
  if (status.error) {
    const e = status.error;
    return [h('div', {class: 'panel error-box', id: 'job-error', role: 'region', 'aria-label': 'error'},
      h('h2', {}, 'Error'),
      h('dl', {class: 'facts'},
        h('dt', {}, 'Code'), h('dd', {}, h('code', {id: 'error-code'}, e.code)),
        h('dt', {}, 'Type'), h('dd', {}, h('code', {id: 'error-type'}, e.type || '-')),
        h('dt', {}, 'Message'), h('dd', {id: 'error-message'}, e.message),
        h('dt', {}, 'Retryable'), h('dd', {}, e.retryable ? 'yes' : 'no')),
      e.traceback ? [h('h3', {}, 'Remote traceback'), h('pre', {id: 'error-traceback'}, e.traceback)] : h('p', {class: 'muted'}, 'No traceback (the failure was not a Python exception).'),
      (e.causes || []).map(cause => [h('h3', {}, `Caused by ${cause.type}: ${cause.message}`), cause.traceback ? h('pre', {}, cause.traceback) : null]))];
  }
  return [];
}

function confirmCancel(status) {
  const dialog = document.getElementById('confirm');
  document.getElementById('confirm-text').textContent = `Job ${status.id} (${status.pipeline}) is ${status.state.replace('_', ' ')}. A running job is asked to stop; one that ignores it is stopped hard after the runner's grace period.`;
  dialog.returnValue = '';
  dialog.onclose = async () => {
    if (dialog.returnValue !== 'cancel') return;
    const note = document.getElementById('cancel-note');
    try {
      const answer = await api(`/api/jobs/${encodeURIComponent(status.id)}/cancel`, {method: 'POST', headers: {'Content-Type': 'application/json'}, body: '{}'});
      if (note) note.textContent = `Cancel sent: the job is ${answer.status.state.replace('_', ' ')}.`;
      if (app.view && app.view.name === 'job' && app.view.job === status.id) app.view.update(answer.status);
    } catch (error) {
      if (note) note.textContent = `Cancel failed: ${error.message}`;
    }
  };
  dialog.showModal();
}

async function pipelinesPage() {
  const [pipelines, stats] = await Promise.all([api('/api/pipelines'), api('/api/job-stats')]);
  app.view = {name: 'pipelines'};
  const ms = v => (v === null ? '-' : duration(v));
  const statsTable = stats.pipelines.length === 0 ? h('p', {class: 'muted'}, 'No jobs yet.') :
    h('table', {id: 'job-stats'},
      h('caption', {}, `Jobs in the last ${stats.windowMinutes} minutes, from the job state topic (calls made with invoke() are not seen by the dashboard)`),
      h('thead', {}, h('tr', {}, ['Pipeline', 'Ended per minute', 'Succeeded', 'Failed', 'Cancelled', 'Running', 'Queued', 'p50 run time', 'p99 run time'].map(t => h('th', {scope: 'col'}, t)))),
      h('tbody', {}, stats.pipelines.map(p => h('tr', {'data-stats-pipeline': p.pipeline},
        h('td', {}, h('code', {}, p.pipeline)),
        h('td', {}, barChart(p.finishedPerMinute, `${p.pipeline}: jobs ended per minute, last ${stats.windowMinutes} minutes`)),
        h('td', {class: 'num'}, p.succeeded), h('td', {class: 'num'}, p.failed), h('td', {class: 'num'}, p.cancelled),
        h('td', {class: 'num'}, p.running), h('td', {class: 'num'}, p.queued),
        h('td', {class: 'num'}, ms(p.p50Ms)), h('td', {class: 'num'}, ms(p.p99Ms))))));
  render(h('h1', {}, 'Pipelines'),
    pipelines.length === 0 ? h('p', {class: 'muted'}, 'No pipelines in the catalogue: is a runner up, on the same catalogue topic?') :
      h('table', {id: 'pipelines-table'},
        h('caption', {}, `${pipelines.length} pipelines from the catalogue`),
        h('thead', {}, h('tr', {}, ['Name', 'Lane', 'Version', 'Signature', 'Time limit', 'Published by', 'Doc'].map(t => h('th', {scope: 'col'}, t)))),
        h('tbody', {}, pipelines.map(p => h('tr', {'data-pipeline': p.name},
          h('td', {}, h('code', {}, p.name)),
          h('td', {}, p.lane),
          h('td', {class: 'num'}, p.versions.length > 1 ? `${p.version} (of ${p.versions.join(', ')})` : p.version),
          h('td', {}, h('code', {}, p.signature)),
          h('td', {}, p.timeoutMs === null ? '-' : duration(p.timeoutMs)),
          h('td', {}, p.runner || '-'),
          h('td', {class: 'doc'}, p.doc || '-'))))),
    h('h2', {}, 'Jobs over time'),
    statsTable);
}

async function runnersPage() {
  const data = await api('/api/runners');
  app.view = {name: 'runners'};
  renderRunners(data);
}

function renderRunners(data) {
  const refocus = document.activeElement && document.activeElement.id === 'refresh';
  const groups = data.groups.map(g => g.group);
  const history = data.lagHistory || [];
  const assignment = a => Object.entries(a).map(([topic, parts]) => `${topic}: ${parts.join(', ')}`).join('; ') || '-';
  render(h('h1', {}, 'Runners'),
    h('p', {}, h('button', {type: 'button', id: 'refresh', onclick: () => route()}, 'Refresh')),
    data.problems.map(p => h('p', {class: 'problem'}, p)),
    h('table', {id: 'groups-table'}, h('caption', {}, 'Consumer groups'),
      h('thead', {}, h('tr', {}, ['Group', 'State', 'Assignor', 'Members'].map(t => h('th', {scope: 'col'}, t)))),
      h('tbody', {}, data.groups.map(g => h('tr', {}, h('td', {}, h('code', {}, g.group)), h('td', {}, g.state), h('td', {}, g.protocol || '-'),
        h('td', {class: 'num'}, data.members.filter(m => m.group === g.group).length))))),
    h('h2', {}, 'Members'),
    data.members.length === 0 ? h('p', {class: 'muted'}, 'No runner is in these groups now.') :
      h('table', {id: 'members-table'},
        h('thead', {}, h('tr', {}, ['Group', 'Client id', 'Host', 'Assigned partitions'].map(t => h('th', {scope: 'col'}, t)))),
        h('tbody', {}, data.members.map(m => h('tr', {}, h('td', {}, h('code', {}, m.group)), h('td', {}, m.clientId), h('td', {}, m.host), h('td', {}, assignment(m.assignment)))))),
    h('h2', {}, 'Lag over time'),
    history.length < 2 ? h('p', {class: 'muted'}, 'The chart starts after two reads (one every 5 s while a page is open).') :
      h('figure', {id: 'lag-chart'}, lineChart(history, groups, 'total lag per runner group over time'),
        h('figcaption', {}, groups.map((g, i) => h('span', {class: `legend legend-${i % 3}`}, g)))),
    h('h2', {}, 'Consumer lag per partition'),
    h('table', {id: 'lag-table'},
      h('thead', {}, h('tr', {}, ['Group', 'Topic', 'Partition', 'Committed', 'End', 'Lag'].map(t => h('th', {scope: 'col', class: ['Partition', 'Committed', 'End', 'Lag'].includes(t) ? 'num' : undefined}, t)))),
      h('tbody', {}, data.lag.map(l => h('tr', {}, h('td', {}, h('code', {}, l.group)), h('td', {}, h('code', {}, l.topic)),
        h('td', {class: 'num'}, l.partition), h('td', {class: 'num'}, l.committed < 0 ? '-' : l.committed), h('td', {class: 'num'}, l.end), h('td', {class: 'num'}, l.lag))))));
  if (refocus) document.getElementById('refresh').focus();
}

async function deadLettersPage() {
  const data = await api('/api/dead-letters');
  app.view = {name: 'dead-letters'};
  render(h('h1', {}, 'Dead letters'),
    h('p', {}, 'Topic ', h('code', {}, data.topic), data.exists ? `: ${data.total} record${data.total === 1 ? '' : 's'}` : ': does not exist yet (nothing was ever dead-lettered).', ' ',
      h('button', {type: 'button', id: 'refresh', onclick: () => route()}, 'Refresh')),
    h('table', {id: 'dlq-reasons'}, h('caption', {}, 'By reason'),
      h('thead', {}, h('tr', {}, h('th', {scope: 'col'}, 'Reason'), h('th', {scope: 'col', class: 'num'}, 'Count'))),
      h('tbody', {}, Object.entries(data.byReason).sort((a, b) => b[1] - a[1]).map(([reason, count]) => h('tr', {'data-reason': reason}, h('td', {}, h('code', {}, reason)), h('td', {class: 'num'}, count))))),
    h('h2', {}, 'Latest records'),
    data.latest.length === 0 ? h('p', {class: 'muted'}, 'None.') :
      h('table', {id: 'dlq-latest'},
        h('thead', {}, h('tr', {}, ['When', 'Partition/offset', 'Reason', 'Headers'].map(t => h('th', {scope: 'col'}, t)))),
        h('tbody', {}, data.latest.map(r => h('tr', {}, h('td', {}, time(r.timestampMs)), h('td', {}, `${r.partition}/${r.offset}`), h('td', {}, h('code', {}, r.reason)),
          h('td', {}, h('pre', {}, Object.entries(r.headers).map(([k, v]) => `${k}: ${v}`).join('\n'))))))));
}

// ---- start -----------------------------------------------------------------------------------

function start() {
  const url = new URL(location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    sessionStorage.setItem('mlbridge-dashboard-token', fromUrl);
    url.searchParams.delete('token');
    history.replaceState(null, '', url.toString());
  }
  app.token = sessionStorage.getItem('mlbridge-dashboard-token') || '';
  window.addEventListener('hashchange', () => route());
  route();
}

start();
