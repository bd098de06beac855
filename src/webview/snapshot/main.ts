/**
 * The heap snapshot view (browser bundle dist/snapshotView.js): a sortable, filterable summary by
 * constructor, the retainer path of a selected class's largest instance, and diff results. Plain
 * DOM; talks to the extension only through the messages in protocol/snapshot.ts.
 */
import type { DiffReport, ObjectDetails, SnapshotHostMessage, SnapshotViewMessage, SummaryReport } from '../../protocol/snapshot';

declare function acquireVsCodeApi(): { postMessage(message: SnapshotViewMessage): void };
const vscode = acquireVsCodeApi();
const app = document.getElementById('app')!;

type Location = { url: string; line: number; column: number };
type SortKey = 'className' | 'count' | 'selfBytes' | 'retainedBytes';

let summary: SummaryReport | undefined;
let diff: DiffReport | undefined;
let details: ObjectDetails | undefined;
let progress = 'Reading the snapshot…';
let error = '';
let sortKey: SortKey = 'retainedBytes';
let descending = true;
let filter = '';
let selected: string | undefined;

function bytes(n: number): string {
  const abs = Math.abs(n);
  if (abs >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(1)} GB`;
  if (abs >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  if (abs >= 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${Math.round(n)} B`;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, ...children: Array<Node | string>): HTMLElementTagNameMap[K] {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

function locationLink(location: Location | undefined): Node {
  if (!location) return document.createTextNode('');
  const name = location.url.replace(/^file:\/\//, '').split('/').slice(-2).join('/');
  // Only files can be opened: node: built-ins and [eval] scripts are shown as text.
  if (!/^(file:\/\/|\/|[A-Za-z]:[\\/])/.test(location.url)) {
    return el('span', { title: `${location.url}:${location.line}:${location.column}` }, `${name}:${location.line}`);
  }
  const link = el('a', { href: '#', title: `${location.url}:${location.line}:${location.column}` }, `${name}:${location.line}`);
  link.addEventListener('click', (e) => {
    e.preventDefault();
    // A link inside a summary row must not also select the row.
    e.stopPropagation();
    vscode.postMessage({ type: 'openLocation', location });
  });
  return link;
}

function summaryTable(report: SummaryReport): HTMLElement {
  const columns: Array<[SortKey, string]> = [
    ['className', 'Constructor'],
    ['count', 'Count'],
    ['selfBytes', 'Self size'],
    ['retainedBytes', 'Retained size'],
  ];
  const head = el('tr');
  for (const [key, label] of columns) {
    const th = el('th', { className: key === 'className' ? '' : 'num' }, label + (sortKey === key ? (descending ? ' ▾' : ' ▴') : ''));
    th.addEventListener('click', () => {
      descending = sortKey === key ? !descending : key !== 'className';
      sortKey = key;
      render();
    });
    head.append(th);
  }
  head.append(el('th', {}, 'Defined at'));
  const needle = filter.toLowerCase();
  const rows = report.classes
    .filter((c) => !needle || c.className.toLowerCase().includes(needle))
    .sort((a, b) => {
      const x = a[sortKey];
      const y = b[sortKey];
      const order = typeof x === 'string' ? x.localeCompare(y as string) : (x as number) - (y as number);
      return descending ? -order : order;
    })
    .slice(0, 500);
  const body = el('tbody');
  for (const c of rows) {
    const tr = el(
      'tr',
      { className: `${c.internal ? 'internal' : ''} ${selected === c.className ? 'selected' : ''}` },
      el('td', {}, c.className),
      el('td', { className: 'num' }, c.count.toLocaleString()),
      el('td', { className: 'num' }, bytes(c.selfBytes)),
      el('td', { className: 'num' }, bytes(c.retainedBytes)),
      el('td', {}, locationLink(c.location)),
    );
    tr.addEventListener('click', () => {
      selected = c.className;
      details = undefined;
      if (c.largestIds[0] !== undefined) vscode.postMessage({ type: 'objectDetails', nodeId: c.largestIds[0] });
      render();
    });
    body.append(tr);
  }
  return el('table', {}, el('thead', {}, head), body);
}

function retainerView(d: ObjectDetails): HTMLElement {
  const list = el('ol', { className: 'path' });
  for (const step of d.retainerPath ?? []) {
    const holder = step.className === '(synthetic)' ? step.name || '(root)' : step.className;
    list.append(el('li', {}, el('span', { className: 'holder' }, holder), step.edge ? el('span', { className: 'edge' }, ` ${step.edgeType === 'context' ? '::' : '.'}${step.edge}`) : ''));
  }
  return el(
    'section',
    {},
    el('h3', {}, `${d.className} @${d.nodeId}: ${bytes(d.retainedBytes)} retained (${bytes(d.selfBytes)} self) `, locationLink(d.location)),
    d.retainerPath ? el('p', {}, 'Shortest retainer path from the GC roots:') : el('p', {}, 'Reachable only through weak references.'),
    list,
  );
}

function diffView(report: DiffReport): HTMLElement {
  const section = el('section', {}, el('h2', {}, report.leaks ? 'Leak suspects (allocated between 1 and 2, alive in 3)' : 'Growth by constructor'));
  if (report.leaks) {
    const leaks = report.leaks;
    section.append(el('p', {}, `${leaks.leakedCount.toLocaleString()} objects, ${bytes(leaks.leakedSelfBytes)} survived.`));
    const body = el('tbody');
    for (const g of leaks.byRetainerPath.slice(0, 20)) {
      body.append(
        el(
          'tr',
          {},
          el('td', {}, `${g.count.toLocaleString()} × ${g.className}`),
          el('td', { className: 'num' }, bytes(g.retainedBytes)),
          el('td', {}, locationLink(g.location)),
          el('td', { className: 'pathtext' }, g.key),
        ),
      );
    }
    section.append(el('table', {}, el('thead', {}, el('tr', {}, el('th', {}, 'Objects'), el('th', { className: 'num' }, 'Retained'), el('th', {}, 'Defined at'), el('th', {}, 'Retainer path'))), body));
  }
  if (report.note) section.append(el('p', { className: 'note' }, report.note));
  const growth = el('tbody');
  if (report.mode === 'by-count') {
    // Ids do not line up: births and frees would be invented, so only the change in totals is shown.
    for (const c of report.classes.slice(0, 50)) {
      const count = c.countDelta > 0 ? `+${c.countDelta.toLocaleString()}` : c.countDelta.toLocaleString();
      growth.append(el('tr', {}, el('td', {}, c.className), el('td', { className: 'num' }, count), el('td', { className: 'num' }, bytes(c.bytesDelta))));
    }
    section.append(el('h3', {}, 'Change in totals, first to second snapshot'), el('table', {}, el('thead', {}, el('tr', {}, el('th', {}, 'Constructor'), el('th', { className: 'num' }, 'Δ count'), el('th', { className: 'num' }, 'Δ size'))), growth));
    return section;
  }
  for (const c of report.classes.slice(0, 50)) {
    growth.append(
      el('tr', {}, el('td', {}, c.className), el('td', { className: 'num' }, `+${c.addedCount.toLocaleString()}`), el('td', { className: 'num' }, `−${c.removedCount.toLocaleString()}`), el('td', { className: 'num' }, bytes(c.bytesDelta))),
    );
  }
  section.append(el('h3', {}, 'Objects new and freed, first to second snapshot'), el('table', {}, el('thead', {}, el('tr', {}, el('th', {}, 'Constructor'), el('th', { className: 'num' }, 'New'), el('th', { className: 'num' }, 'Freed'), el('th', { className: 'num' }, 'Δ size'))), growth));
  return section;
}

function render(): void {
  const focused = document.activeElement?.id;
  app.replaceChildren();
  app.append(el('style', {}, STYLE));
  if (error) app.append(el('p', { className: 'error' }, error));
  if (!summary) {
    app.append(el('p', {}, progress));
    return;
  }
  const compare = el('button', {}, 'Compare with earlier snapshots…');
  compare.addEventListener('click', () => vscode.postMessage({ type: 'compare' }));
  const search = el('input', { id: 'filter', placeholder: 'Filter constructors', value: filter });
  search.addEventListener('input', () => {
    filter = search.value;
    render();
  });
  app.append(
    el('header', {}, el('strong', {}, summary.file.split(/[\\/]/).pop() ?? ''), ` ${summary.nodeCount.toLocaleString()} objects, ${bytes(summary.totalBytes)} `, compare),
  );
  if (diff) app.append(diffView(diff));
  if (details) app.append(retainerView(details));
  app.append(el('h2', {}, 'Summary'), search, summaryTable(summary));
  if (focused === 'filter') {
    search.focus();
    search.setSelectionRange(search.value.length, search.value.length);
  }
}

const STYLE = `
body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); }
table { border-collapse: collapse; width: 100%; margin: 4px 0 12px; }
th, td { text-align: left; padding: 2px 8px; border-bottom: 1px solid var(--vscode-panel-border); white-space: nowrap; }
th { cursor: pointer; position: sticky; top: 0; background: var(--vscode-editor-background); }
.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.internal td:first-child { opacity: 0.7; }
tr.selected { background: var(--vscode-list-activeSelectionBackground); color: var(--vscode-list-activeSelectionForeground); }
tbody tr:hover { background: var(--vscode-list-hoverBackground); cursor: pointer; }
.path li .edge { opacity: 0.8; }
.pathtext { white-space: normal; font-family: var(--vscode-editor-font-family); font-size: 0.9em; }
.error { color: var(--vscode-errorForeground); }
header { margin: 8px 0; display: flex; gap: 12px; align-items: center; }
input { margin: 4px 0; padding: 2px 4px; width: 240px; }
`;

window.addEventListener('message', (event: MessageEvent<SnapshotHostMessage>) => {
  const message = event.data;
  switch (message.type) {
    case 'progress':
      progress = message.text;
      break;
    case 'summary':
      summary = message.report;
      error = '';
      break;
    case 'details':
      details = message.details;
      break;
    case 'diff':
      diff = message.report;
      error = '';
      break;
    case 'error':
      error = message.message;
      break;
  }
  render();
});
render();
vscode.postMessage({ type: 'ready' });
