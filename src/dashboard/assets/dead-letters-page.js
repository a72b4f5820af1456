// The dead-letter topic: count by reason, the latest records' headers.
import {api} from './api.js';
import {h, render, table} from './dom.js';
import {time} from './format.js';
import {app} from './state.js';

export async function deadLettersPage({reload}) {
  const data = await api('/api/dead-letters');
  app.view = {name: 'dead-letters', on: {}};
  render(h('h1', {}, 'Dead letters'),
    h('p', {}, 'Topic ', h('code', {}, data.topic), data.exists ? `: ${data.total} record${data.total === 1 ? '' : 's'}` : ': does not exist yet (nothing was ever dead-lettered).', ' ',
      h('button', {type: 'button', id: 'refresh', onclick: () => reload()}, 'Refresh')),
    table({id: 'dlq-reasons'}, 'By reason', ['Reason', 'Count'],
      Object.entries(data.byReason).sort((a, b) => b[1] - a[1]).map(([reason, count]) => h('tr', {'data-reason': reason}, h('td', {}, h('code', {}, reason)), h('td', {class: 'num'}, count))),
      ['Count']),
    h('h2', {}, 'Latest records'),
    data.latest.length === 0 ? h('p', {class: 'muted'}, 'None.') :
      table({id: 'dlq-latest'}, undefined, ['When', 'Partition/offset', 'Reason', 'Headers'],
        data.latest.map(r => h('tr', {}, h('td', {}, time(r.timestampMs)), h('td', {}, `${r.partition}/${r.offset}`), h('td', {}, h('code', {}, r.reason)),
          h('td', {}, h('pre', {}, Object.entries(r.headers).map(([k, v]) => `${k}: ${v}`).join('\n')))))));
}
