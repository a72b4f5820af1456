// Charts as inline SVG drawn from the data (no library). Each has a title for screen readers.
import {h, svg} from './dom.js';
import {time} from './format.js';

/** Bars, one per value (jobs ended per minute). */
export function barChart(values, label, width = 240, height = 36) {
  const max = Math.max(1, ...values);
  const w = width / values.length;
  return svg('svg', {width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': label, class: 'chart'},
    svg('title', {}, label),
    values.map((v, i) => v > 0 ? svg('rect', {x: i * w + 1, y: height - (v / max) * (height - 2), width: Math.max(1, w - 2), height: (v / max) * (height - 2), class: 'chart-bar'}) : null),
    svg('line', {x1: 0, y1: height - 0.5, x2: width, y2: height - 0.5, class: 'chart-axis'}));
}

/** The short form of a number for an axis label. */
function axisNumber(value) {
  if (value >= 100) return String(Math.round(value));
  if (value >= 10) return value.toFixed(1).replace(/\.0$/, '');
  return String(Number(value.toPrecision(2)));
}

/**
 * One line per series over time. `samples` are `{atMs, ...}`; `series` are `{name, value(sample)}`;
 * a value of null leaves a gap (no data then). Points are marked so a single sample shows.
 */
export function lineChart(samples, series, label, {width = 640, height = 140, unit = ''} = {}) {
  const pad = {l: 48, r: 8, t: 8, b: 18};
  const times = samples.map(s => s.atMs);
  const t0 = Math.min(...times), t1 = Math.max(...times, t0 + 1);
  const values = samples.flatMap(s => series.map(line => line.value(s))).filter(v => v !== null && v !== undefined);
  const max = Math.max(values.length === 0 ? 1 : 0, ...values) || 1;
  const x = t => pad.l + ((t - t0) / (t1 - t0)) * (width - pad.l - pad.r);
  const y = v => height - pad.b - (v / max) * (height - pad.t - pad.b);
  const lines = series.map((line, i) => {
    const runs = [[]];
    for (const sample of samples) {
      const v = line.value(sample);
      if (v === null || v === undefined) {
        if (runs[runs.length - 1].length > 0) runs.push([]);
      } else {
        runs[runs.length - 1].push([x(sample.atMs), y(v)]);
      }
    }
    const cls = `chart-line chart-line-${i % 3}`;
    return svg('g', {'data-series': line.name},
      runs.filter(run => run.length > 1).map(run => svg('polyline', {points: run.map(([px, py]) => `${px.toFixed(1)},${py.toFixed(1)}`).join(' '), class: cls})),
      runs.flat().map(([px, py]) => svg('circle', {cx: px.toFixed(1), cy: py.toFixed(1), r: 2, class: `chart-point chart-point-${i % 3}`})));
  });
  return svg('svg', {width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': label, class: 'chart'},
    svg('title', {}, label),
    svg('line', {x1: pad.l, y1: height - pad.b, x2: width - pad.r, y2: height - pad.b, class: 'chart-axis'}),
    svg('line', {x1: pad.l, y1: pad.t, x2: pad.l, y2: height - pad.b, class: 'chart-axis'}),
    svg('text', {x: pad.l - 4, y: pad.t + 8, 'text-anchor': 'end', class: 'chart-text'}, `${axisNumber(max)}${unit}`),
    svg('text', {x: pad.l - 4, y: height - pad.b, 'text-anchor': 'end', class: 'chart-text'}, '0'),
    svg('text', {x: pad.l, y: height - 4, class: 'chart-text'}, time(t0).slice(11, 19)),
    svg('text', {x: width - pad.r, y: height - 4, 'text-anchor': 'end', class: 'chart-text'}, time(t1).slice(11, 19)),
    lines);
}

/** A chart with its legend (one entry per series, in the lines' colours). */
export function figure(id, chart, names) {
  return h('figure', {id}, chart, h('figcaption', {}, names.map((name, i) => h('span', {class: `legend legend-${i % 3}`}, name))));
}
