// One job: facts, arguments, progress seen while open, result or typed error, Cancel.
import {api} from './api.js';
import {focusMain, h, render} from './dom.js';
import {runTime, TERMINAL, time} from './format.js';
import {progressBar, stateBadge} from './job-widgets.js';
import {app} from './state.js';

export async function jobPage({id, history}) {
  const data = await api(`/api/jobs/${encodeURIComponent(id)}`);
  const view = {name: 'job', job: id, history: [...history], on: {}};
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
  view.on.job = job => {
    if (job.id === id) view.update(job);
  };
  view.on.progress = event => {
    if (event.jobId !== id) return;
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
  focusMain();
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
