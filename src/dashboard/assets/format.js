// Times, durations and the job states, as the pages write them.

export const STATES = ['QUEUED', 'RUNNING', 'CANCEL_REQUESTED', 'SUCCEEDED', 'FAILED', 'CANCELLED'];
export const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);

export function duration(ms) {
  if (!(ms >= 0)) return '-';
  const s = Math.round(ms / 1000);
  if (s < 60) return ms < 10000 ? `${(ms / 1000).toFixed(1)} s` : `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** Latency in milliseconds: two significant figures below 10 ms. */
export function millis(ms) {
  if (ms === null || ms === undefined || !(ms >= 0)) return '-';
  if (ms < 10) return `${ms.toFixed(ms < 1 ? 2 : 1)} ms`;
  if (ms < 10000) return `${Math.round(ms)} ms`;
  return duration(ms);
}

export function time(ms) {
  if (!(ms > 0)) return '-';
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 19) + ' UTC';
}

/** "12 s ago" from the page's clock. */
export function ago(ms) {
  if (!(ms > 0)) return '-';
  return `${duration(Math.max(0, Date.now() - ms))} ago`;
}

export function runTime(job) {
  if (!(job.startedAtMs > 0)) return '-';
  return duration((job.finishedAtMs > 0 ? job.finishedAtMs : Date.now()) - job.startedAtMs);
}

/** Time left, from the pace so far: elapsed × (1 − f) / f. */
export function eta(job) {
  const p = job.progress;
  if (!p || !(p.total > 0) || !(job.startedAtMs > 0) || TERMINAL.has(job.state)) return '';
  const f = p.current / p.total;
  if (!(f > 0) || f >= 1) return '';
  const elapsed = p.atMs - job.startedAtMs;
  if (!(elapsed > 0)) return '';
  const left = (elapsed * (1 - f)) / f - (Date.now() - p.atMs);
  return `ETA ${duration(Math.max(0, left))}`;
}
