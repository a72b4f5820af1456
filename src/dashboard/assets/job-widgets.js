// A job's state badge and progress bar (jobs list and job detail).
import {h} from './dom.js';
import {eta} from './format.js';

export function stateBadge(state) {
  return h('span', {class: `state ${state}`, 'data-state': state}, state.replace('_', ' '));
}

export function progressBar(job) {
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
