// Building the page: every value goes in as text, never as HTML.

/** An element with attributes (`onX` listeners, `dataset`) and children (nodes or text). */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

const SVG = 'http://www.w3.org/2000/svg';

/** An SVG element; `text` children become text nodes. */
export function svg(tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs || {})) el.setAttribute(key, String(value));
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Replace the page's content (nested arrays flattened, null/undefined/false left out). */
export function render(...nodes) {
  document.getElementById('view').replaceChildren(...nodes.flat(Infinity).filter(node => node !== undefined && node !== null && node !== false));
}

export function failure(error) {
  return h('p', {class: 'problem', role: 'alert'}, String(error.message || error));
}

/** A table with a caption and header row; `numeric` names the right-aligned columns. */
export function table(attrs, caption, headers, rows, numeric = []) {
  return h('table', attrs,
    caption ? h('caption', {}, caption) : null,
    h('thead', {}, h('tr', {}, headers.map(t => h('th', {scope: 'col', class: numeric.includes(t) ? 'num' : undefined}, t)))),
    h('tbody', {}, rows));
}

/** Focus the main region after a page change (screen readers start there; no scroll jump). */
export function focusMain() {
  document.getElementById('main').focus({preventScroll: true});
}
