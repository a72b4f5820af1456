// The JSON API under /api, with the token when the dashboard has one.
import {app} from './state.js';

export const NEEDS_TOKEN = 'this dashboard needs its access token';

export async function api(path, options = {}) {
  const headers = {...(options.headers || {})};
  if (app.token) headers.Authorization = `Bearer ${app.token}`;
  const response = await fetch(path, {...options, headers});
  const body = await response.json().catch(() => ({}));
  if (response.status === 401) {
    app.unauthorized();
    throw new Error(NEEDS_TOKEN);
  }
  if (!response.ok) {
    const error = new Error(body.error ? `${body.error.code}: ${body.error.message}` : `HTTP ${response.status}`);
    error.status = response.status;
    throw error;
  }
  return body;
}
