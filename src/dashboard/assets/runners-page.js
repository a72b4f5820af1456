// Runners: who is alive (their presence records joined with the consumer-group members), the
// groups, lag per partition and lag over time. Pushed every few seconds while open.
import {api} from './api.js';
import {figure, lineChart} from './charts.js';
import {h, render, table} from './dom.js';
import {ago, duration} from './format.js';
import {app} from './state.js';

export async function runnersPage({reload}) {
  const data = await api('/api/runners');
  app.view = {name: 'runners', on: {runners: update => renderRunners(update, reload)}};
  renderRunners(data, reload);
}

const list = values => (values && values.length > 0 ? values.join(', ') : '-');

/** Partitions per lane, from the presence record or (old runners) the group assignment. */
function partitions(runner) {
  if (runner.presence) {
    return `calls: ${list(runner.presence.callPartitions)} · jobs: ${list(runner.presence.jobPartitions)}`;
  }
  const parts = runner.members.flatMap(member => Object.entries(member.assignment).map(([topic, numbers]) => `${topic}: ${list(numbers)}`));
  return parts.join(' · ') || '-';
}

function lastSeenCell(runner) {
  const p = runner.presence;
  if (!p) return h('td', {class: 'muted'}, 'no presence');
  const cell = h('td', {'data-ticking': true, class: p.live ? undefined : 'problem'});
  const refresh = () => {
    cell.textContent = `${ago(p.updatedAtMs)}${p.live ? '' : ' (silent: stopped without saying so?)'}`;
  };
  cell._refresh = refresh;
  refresh();
  return cell;
}

function runnerRow(runner) {
  const p = runner.presence;
  return h('tr', {'data-runner-id': runner.id, 'data-presence': p ? 'yes' : 'no', 'data-live': p ? String(p.live) : undefined},
    h('td', {}, h('code', {}, runner.id)),
    h('td', {}, runner.host || '-'),
    h('td', {class: p ? undefined : 'muted'}, p ? p.version : 'no presence'),
    h('td', {}, p ? list(p.pipelines) : '-'),
    h('td', {}, partitions(runner)),
    h('td', {class: 'num'}, p ? `${p.inFlight}${p.queued > 0 ? ` (+${p.queued} queued)` : ''}` : '-'),
    h('td', {class: 'num'}, p ? p.jobsRunning : '-'),
    h('td', {class: 'num'}, p ? p.served : '-'),
    h('td', {}, p ? duration(Date.now() - p.startedAtMs) : '-'),
    lastSeenCell(runner),
    h('td', {}, p && p.metricsUrl ? h('code', {}, p.metricsUrl) : h('span', {class: 'muted'}, 'off')));
}

function presenceNote(data) {
  const presence = data.presence;
  if (!presence) return null;
  if (!presence.available) return h('p', {class: 'muted', id: 'presence-note'}, `No presence records: ${presence.problem}. Runners that publish none are listed from the consumer groups.`);
  const silent = data.runners.filter(r => !r.presence).length;
  return silent === 0 ? null : h('p', {class: 'muted', id: 'presence-note'}, `${silent} group member${silent === 1 ? '' : 's'} publish${silent === 1 ? 'es' : ''} no presence (an older runner): shown from the consumer groups.`);
}

function renderRunners(data, reload) {
  const refocus = document.activeElement && document.activeElement.id === 'refresh';
  const groups = data.groups.map(g => g.group);
  const history = data.lagHistory || [];
  const assignment = a => Object.entries(a).map(([topic, parts]) => `${topic}: ${parts.join(', ')}`).join('; ') || '-';
  const runners = data.runners || [];
  render(h('h1', {}, 'Runners'),
    h('p', {}, h('button', {type: 'button', id: 'refresh', onclick: () => reload()}, 'Refresh')),
    data.problems.map(p => h('p', {class: 'problem'}, p)),
    runners.length === 0 ? h('p', {class: 'muted', id: 'no-runners'}, 'No runner is up: none publishes its presence and none is in the consumer groups.') :
      table({id: 'runners-table'}, `${runners.length} runner${runners.length === 1 ? '' : 's'}`,
        ['Runner', 'Host', 'Version', 'Pipelines', 'Partitions', 'In flight', 'Jobs running', 'Served', 'Up for', 'Last seen', 'Metrics'],
        runners.map(runnerRow), ['In flight', 'Jobs running', 'Served']),
    presenceNote(data),
    h('h2', {}, 'Consumer groups'),
    table({id: 'groups-table'}, undefined, ['Group', 'State', 'Assignor', 'Members'],
      data.groups.map(g => h('tr', {}, h('td', {}, h('code', {}, g.group)), h('td', {}, g.state), h('td', {}, g.protocol || '-'),
        h('td', {class: 'num'}, data.members.filter(m => m.group === g.group).length))), ['Members']),
    h('h2', {}, 'Members'),
    data.members.length === 0 ? h('p', {class: 'muted'}, 'No runner is in these groups now.') :
      table({id: 'members-table'}, undefined, ['Group', 'Client id', 'Host', 'Assigned partitions'],
        data.members.map(m => h('tr', {}, h('td', {}, h('code', {}, m.group)), h('td', {}, m.clientId), h('td', {}, m.host), h('td', {}, assignment(m.assignment))))),
    h('h2', {}, 'Lag over time'),
    history.length < 2 ? h('p', {class: 'muted'}, 'The chart starts after two reads (one every 5 s while a page is open).') :
      figure('lag-chart', lineChart(history, groups.map(g => ({name: g, value: s => s.lag[g] || 0})), 'total lag per runner group over time'), groups),
    h('h2', {}, 'Consumer lag per partition'),
    table({id: 'lag-table'}, undefined, ['Group', 'Topic', 'Partition', 'Committed', 'End', 'Lag'],
      data.lag.map(l => h('tr', {}, h('td', {}, h('code', {}, l.group)), h('td', {}, h('code', {}, l.topic)),
        h('td', {class: 'num'}, l.partition), h('td', {class: 'num'}, l.committed < 0 ? '-' : l.committed), h('td', {class: 'num'}, l.end), h('td', {class: 'num'}, l.lag))),
      ['Partition', 'Committed', 'End', 'Lag']));
  if (refocus) document.getElementById('refresh').focus();
}
