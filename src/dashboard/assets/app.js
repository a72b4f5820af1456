// The mlbridge dashboard page: plain DOM, ES modules, no framework. Data from /api, live updates
// from /api/events (server-sent events). This module routes `#/page` to its module.
import {NEEDS_TOKEN} from './api.js';
import {chartsPage} from './charts-page.js';
import {deadLettersPage} from './dead-letters-page.js';
import {failure, h, render} from './dom.js';
import {connectEvents} from './events.js';
import {jobPage} from './job-page.js';
import {jobsPage} from './jobs-page.js';
import {pipelinesPage} from './pipelines-page.js';
import {runnersPage} from './runners-page.js';
import {app} from './state.js';
import {tokenPage} from './token-page.js';

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
  const context = {query, options, reload: more => route(more)};
  try {
    if (page === 'jobs' && parts[1]) await jobPage({id: parts[1], history: options.keepHistory && previous && previous.job === parts[1] ? previous.history : []});
    else if (page === 'jobs') await jobsPage(context);
    else if (page === 'pipelines') await pipelinesPage(context);
    else if (page === 'runners') await runnersPage(context);
    else if (page === 'charts') await chartsPage(context);
    else if (page === 'dead-letters') await deadLettersPage(context);
    else render(h('h1', {}, 'Not found'), h('p', {}, h('a', {href: '#/jobs'}, 'Back to the jobs')));
  } catch (error) {
    if (error.message !== NEEDS_TOKEN) render(h('h1', {}, 'Error'), failure(error));
    return;
  }
  connectEvents(false, () => route({keepHistory: true}));
}

// Durations, ETAs and "last seen" move with the clock, without asking the server.
setInterval(() => {
  for (const cell of document.querySelectorAll('[data-ticking]')) {
    const refresh = cell._refresh;
    if (refresh) refresh();
  }
}, 1000);

function start() {
  const url = new URL(location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    sessionStorage.setItem('mlbridge-dashboard-token', fromUrl);
    url.searchParams.delete('token');
    history.replaceState(null, '', url.toString());
  }
  app.token = sessionStorage.getItem('mlbridge-dashboard-token') || '';
  app.unauthorized = () => tokenPage(() => {
    connectEvents(true, () => route({keepHistory: true}));
    route();
  });
  window.addEventListener('hashchange', () => route());
  route();
}

start();
