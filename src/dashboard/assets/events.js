// Live updates from /api/events (server-sent events). Each event goes to the view on screen,
// through its `on` handlers: `job`, `progress`, `runners`, `metrics`.
import {app} from './state.js';

const routed = ['job', 'progress', 'runners', 'metrics'];

/** (Re)open the stream when the view needs another one (a job's detail adds its progress); `onReconnect` reloads what was missed. */
export function connectEvents(force, onReconnect) {
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
    if (reconnected) onReconnect();
  });
  for (const name of routed) {
    source.addEventListener(name, event => {
      const handler = app.view && app.view.on && app.view.on[name];
      if (handler) handler(JSON.parse(event.data));
    });
  }
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
