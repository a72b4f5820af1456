// Asked for when the API answers 401: the token is kept for this tab only.
import {h, render} from './dom.js';
import {app} from './state.js';

export function tokenPage(onToken) {
  const input = h('input', {type: 'password', id: 'token-input', autocomplete: 'off'});
  render(h('h1', {}, 'Access token'),
    h('form', {class: 'tokenform', onsubmit: event => {
      event.preventDefault();
      app.token = input.value.trim();
      sessionStorage.setItem('mlbridge-dashboard-token', app.token);
      onToken();
    }}, h('label', {for: 'token-input'}, 'Token', input), h('button', {type: 'submit'}, 'Open')));
  input.focus();
}
