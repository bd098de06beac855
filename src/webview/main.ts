/**
 * The memory chart webview. Draws live rss / heapTotal / heapUsed / external, the post-GC baseline
 * with its trend, the memory limit and the projected out-of-memory time, active handles by type and
 * the hotspot list. Data arrives from the host (see protocol/webview.ts); clicks on hotspots go back
 * as `revealHotspot`.
 */
import { axisBottom, axisLeft, bisector, extent, line as d3line, max, scaleLinear, scaleTime, select, type Selection } from 'd3';
import {
  CHART_METHOD_RENDER_STATE,
  CHART_SERIES,
  type ChartHotspot,
  type ChartRenderState,
  type ChartSeries,
  type ChartSnapshot,
  type ChartToHost,
  type HostToChart,
  type MemorySample,
  type Verdict,
} from '../protocol/webview';
import { byteTicks, formatBytes, formatClock } from './format';

interface VsCodeApi {
  postMessage(message: ChartToHost): void;
  getState(): ViewPrefs | undefined;
  setState(state: ViewPrefs): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

/** What survives the webview being hidden and shown again; the data itself is replayed by the host. */
interface ViewPrefs {
  hidden: ChartSeries[];
  scaleToLimit: boolean;
}

type GoodSample = Extract<MemorySample, { rss: number }>;

const vscode = acquireVsCodeApi();
const prefs: ViewPrefs = { hidden: [], scaleToLimit: false, ...(vscode.getState() ?? {}) };

/** The most samples kept for drawing; older ones scroll off (an hour at the default 1 s interval). */
const MAX_SAMPLES = 3600;

const SERIES_LABELS: Record<ChartSeries, string> = {
  rss: 'RSS',
  heapTotal: 'Heap total',
  heapUsed: 'Heap used',
  external: 'External',
};

let snapshot: ChartSnapshot = { target: { address: '' }, state: 'attaching', samples: [], hotspots: [] };
let cursorIndex: number | undefined;

const byId = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`chart markup lacks #${id}`);
  return el as T;
};

const chartEl = byId<HTMLDivElement>('chart');
const tooltipEl = byId<HTMLDivElement>('tooltip');
const svg = select(chartEl).append('svg').attr('class', 'chart-svg').attr('aria-hidden', 'true');
const plot = svg.append('g').attr('class', 'plot');
const gridG = plot.append('g').attr('class', 'grid');
const xAxisG = plot.append('g').attr('class', 'axis axis-x');
const yAxisG = plot.append('g').attr('class', 'axis axis-y');
const linesG = plot.append('g').attr('class', 'lines');
const baselineG = plot.append('g').attr('class', 'baseline');
const annotationsG = plot.append('g').attr('class', 'annotations');
const cursorG = plot.append('g').attr('class', 'cursor').style('display', 'none');
cursorG.append('line').attr('class', 'cursor-line');
const overlay = plot.append('rect').attr('class', 'overlay');

const margin = { top: 16, right: 16, bottom: 28, left: 64 };
let size = { width: 0, height: 0 };
let rendered: Pick<ChartRenderState, 'samplesDrawn' | 'series'> = { samplesDrawn: 0, series: [] };

function goodSamples(): GoodSample[] {
  return snapshot.samples.filter((s): s is GoodSample => s.error === undefined);
}

function theme(): ChartRenderState['theme'] {
  const c = document.body.classList;
  if (c.contains('vscode-high-contrast-light')) return 'high-contrast-light';
  if (c.contains('vscode-high-contrast')) return 'high-contrast';
  if (c.contains('vscode-light')) return 'light';
  if (c.contains('vscode-dark')) return 'dark';
  return 'unknown';
}

/** Least-squares slope and intercept of y over t; undefined for fewer than two distinct times. */
function fit(points: Array<[number, number]>): { slope: number; intercept: number } | undefined {
  if (points.length < 2) return undefined;
  const n = points.length;
  const mt = points.reduce((a, p) => a + p[0], 0) / n;
  const my = points.reduce((a, p) => a + p[1], 0) / n;
  let num = 0;
  let den = 0;
  for (const [t, y] of points) {
    num += (t - mt) * (y - my);
    den += (t - mt) ** 2;
  }
  if (den === 0) return undefined;
  const slope = num / den;
  return { slope, intercept: my - slope * mt };
}

/** The baseline the verdict is about: post-GC heap where known, else heapUsed. */
function baselinePoints(samples: GoodSample[]): Array<[number, number]> {
  const post = samples.filter((s) => s.postGcHeapUsed !== undefined).map((s): [number, number] => [s.t, s.postGcHeapUsed!]);
  return post.length >= 2 ? post : samples.map((s): [number, number] => [s.t, s.heapUsed]);
}

/** The trend line over the baseline: the verdict's rate through the baseline's centre, else a local fit. */
function trend(samples: GoodSample[], verdict: Verdict | undefined): { slope: number; intercept: number } | undefined {
  const points = baselinePoints(samples);
  if (points.length < 2) return undefined;
  if (verdict) {
    const mt = points.reduce((a, p) => a + p[0], 0) / points.length;
    const my = points.reduce((a, p) => a + p[1], 0) / points.length;
    const slope = verdict.growthBytesPerMinute / 60_000;
    return { slope, intercept: my - slope * mt };
  }
  return fit(points);
}

function limitOf(samples: GoodSample[]): { bytes: number; label: string } | undefined {
  const p = snapshot.verdict?.projectedOutOfMemory;
  if (p) {
    const name = p.limit === 'v8-heap' ? 'V8 heap limit' : p.limit === 'cgroup' ? 'Container limit' : 'Memory limit';
    return { bytes: p.limitBytes, label: `${name} ${formatBytes(p.limitBytes)}` };
  }
  const last = samples[samples.length - 1];
  return last ? { bytes: last.heapLimit, label: `V8 heap limit ${formatBytes(last.heapLimit)}` } : undefined;
}

function draw(): void {
  const samples = goodSamples();
  const width = Math.max(0, size.width);
  const height = Math.max(0, size.height);
  svg.attr('width', width).attr('height', height);
  const innerW = Math.max(10, width - margin.left - margin.right);
  const innerH = Math.max(10, height - margin.top - margin.bottom);
  plot.attr('transform', `translate(${margin.left},${margin.top})`);
  overlay.attr('width', innerW).attr('height', innerH);
  const empty = byId('empty');
  empty.hidden = samples.length > 0;
  empty.textContent = snapshot.state === 'ended' ? 'No samples were recorded before watching ended.' : 'Waiting for the first samples…';

  const visible = CHART_SERIES.filter((s) => !prefs.hidden.includes(s));
  const [t0, t1] = extent(samples, (s) => s.t) as [number | undefined, number | undefined];
  const start = t0 ?? Date.now();
  // At least a minute wide, so the first seconds do not stretch a handful of points across the chart.
  const end = Math.max(t1 ?? start, start + 60_000);
  const x = scaleTime().domain([start, end]).range([0, innerW]);

  const limit = limitOf(samples);
  const tr = trend(samples, snapshot.verdict);
  let yMax = max(samples, (s) => Math.max(...visible.map((k) => s[k]), s.postGcHeapUsed ?? 0)) ?? 1024 * 1024;
  if (tr && t1 !== undefined) yMax = Math.max(yMax, tr.slope * t1 + tr.intercept);
  if (prefs.scaleToLimit && limit) yMax = Math.max(yMax, limit.bytes);
  const yTicks = Math.max(2, Math.floor(innerH / 40));
  const ticks = byteTicks(yMax * 1.05, yTicks);
  const y = scaleLinear().domain([0, Math.max(ticks[ticks.length - 1], yMax * 1.05)]).range([innerH, 0]);

  const xTicks = Math.max(2, Math.floor(innerW / 90));
  xAxisG.attr('transform', `translate(0,${innerH})`).call(axisBottom<Date | number>(x).ticks(xTicks).tickFormat((d) => formatClock(+d)));
  yAxisG.call(axisLeft<number>(y).tickValues(ticks).tickFormat((d) => formatBytes(+d)));
  gridG
    .selectAll('line')
    .data(ticks)
    .join('line')
    .attr('x1', 0)
    .attr('x2', innerW)
    .attr('y1', (d) => y(d))
    .attr('y2', (d) => y(d));

  linesG
    .selectAll<SVGPathElement, ChartSeries>('path')
    .data(visible, (d) => d)
    .join('path')
    .attr('class', (d) => `series series-${d}`)
    .attr('d', (key) => d3line<GoodSample>().x((s) => x(s.t)).y((s) => y(s[key]))(samples) ?? '');

  const post = samples.filter((s) => s.postGcHeapUsed !== undefined);
  baselineG
    .selectAll('circle')
    .data(post)
    .join('circle')
    .attr('class', 'baseline-point')
    .attr('r', 2.5)
    .attr('cx', (s) => x(s.t))
    .attr('cy', (s) => y(s.postGcHeapUsed!));

  drawAnnotations(x, y, innerW, innerH, samples, limit, tr);
  drawCursor(x, y, innerH, samples);
  rendered = { samplesDrawn: samples.length, series: samples.length ? [...visible] : [] };
  chartEl.setAttribute('aria-label', chartSummary(samples));
}

function drawAnnotations(
  x: (t: number) => number,
  y: ReturnType<typeof scaleLinear<number, number>>,
  innerW: number,
  innerH: number,
  samples: GoodSample[],
  limit: { bytes: number; label: string } | undefined,
  tr: { slope: number; intercept: number } | undefined,
): void {
  annotationsG.selectAll('*').remove();
  const [, yTop] = y.domain();
  if (tr && samples.length >= 2) {
    // Over the data only: extrapolating a young, noisy slope across the empty part of the chart
    // suggests a forecast we do not make (the projection line says when the limit is reached).
    const a = samples[0].t;
    const b = samples[samples.length - 1].t;
    const ya = tr.slope * a + tr.intercept;
    const yb = tr.slope * b + tr.intercept;
    annotationsG
      .append('line')
      .attr('class', 'trend')
      .attr('x1', x(a))
      .attr('x2', x(b))
      .attr('y1', y(Math.max(0, ya)))
      .attr('y2', y(Math.max(0, yb)));
  }
  if (limit) {
    if (limit.bytes <= yTop) {
      annotationsG.append('line').attr('class', 'limit').attr('x1', 0).attr('x2', innerW).attr('y1', y(limit.bytes)).attr('y2', y(limit.bytes));
      annotationsG
        .append('text')
        .attr('class', 'limit-label')
        .attr('x', innerW - 4)
        .attr('y', y(limit.bytes) - 4)
        .attr('text-anchor', 'end')
        .text(limit.label);
    } else {
      // The limit is far above the data: say where it is instead of squashing every line flat.
      annotationsG
        .append('text')
        .attr('class', 'limit-label off-chart')
        .attr('x', innerW - 4)
        .attr('y', 12)
        .attr('text-anchor', 'end')
        .text(`▲ ${limit.label} (off scale)`);
    }
  }
  if (innerH < 40) annotationsG.selectAll('text').remove();
}

function drawCursor(x: (t: number) => number, y: (v: number) => number, innerH: number, samples: GoodSample[]): void {
  const i = cursorIndex;
  if (i === undefined || i >= samples.length) {
    cursorG.style('display', 'none');
    tooltipEl.hidden = true;
    return;
  }
  const s = samples[i];
  cursorG.style('display', null);
  cursorG.select('line').attr('x1', x(s.t)).attr('x2', x(s.t)).attr('y1', 0).attr('y2', innerH);
  cursorG
    .selectAll<SVGCircleElement, ChartSeries>('circle')
    .data(CHART_SERIES.filter((k) => !prefs.hidden.includes(k)), (d) => d)
    .join('circle')
    .attr('class', (k) => `dot series-${k}`)
    .attr('r', 3)
    .attr('cx', x(s.t))
    .attr('cy', (k) => y(s[k]));
  tooltipEl.hidden = false;
  const rows: Array<[string, string]> = [
    ['Time', formatClock(s.t)],
    ...CHART_SERIES.map((k): [string, string] => [SERIES_LABELS[k], formatBytes(s[k])]),
  ];
  if (s.postGcHeapUsed !== undefined) rows.push(['After GC', formatBytes(s.postGcHeapUsed)]);
  select(tooltipEl)
    .selectAll('div')
    .data(rows)
    .join('div')
    .text(([k, v]) => `${k}: ${v}`);
  const left = margin.left + x(s.t);
  const tipW = tooltipEl.offsetWidth;
  tooltipEl.style.left = `${left + 12 + tipW > size.width ? left - 12 - tipW : left + 12}px`;
  tooltipEl.style.top = `${margin.top + 4}px`;
}

function chartSummary(samples: GoodSample[]): string {
  const last = samples[samples.length - 1];
  if (!last) return 'Memory chart: no samples yet';
  return `Memory chart, ${samples.length} samples. Now: RSS ${formatBytes(last.rss)}, heap used ${formatBytes(last.heapUsed)}, heap total ${formatBytes(last.heapTotal)}, external ${formatBytes(last.external)}. ${snapshot.headline ?? ''}`;
}

function renderHeader(): void {
  byId('target').textContent = snapshot.target.title ?? snapshot.target.address;
  const details = [snapshot.target.address, snapshot.target.pid !== undefined ? `pid ${snapshot.target.pid}` : '', snapshot.target.nodeVersion ?? '']
    .filter(Boolean)
    .join(' · ');
  byId('target-details').textContent = details;
  const state = byId('state');
  state.textContent =
    snapshot.state === 'ended' ? `Ended${snapshot.endedReason ? `: ${snapshot.endedReason}` : ''}` : snapshot.state === 'attaching' ? 'Attaching…' : 'Watching';
  state.className = `badge state-${snapshot.state}`;
  const headline = byId('headline');
  headline.textContent = snapshot.headline ?? 'Collecting samples: the verdict appears after a few garbage collections.';
  headline.className = snapshot.verdict?.leaking ? 'headline leaking' : 'headline';
  const projection = byId('projection');
  projection.textContent = snapshot.projection ?? '';
  projection.hidden = !snapshot.projection;
}

function renderHotspots(): void {
  const list = select(byId<HTMLOListElement>('hotspots'));
  byId('hotspots-empty').hidden = snapshot.hotspots.length > 0;
  const items = list
    .selectAll<HTMLLIElement, ChartHotspot>('li')
    .data(snapshot.hotspots, (h) => h.key)
    .join((enter) => {
      const li = enter.append('li');
      const button = li.append('button').attr('type', 'button').attr('class', 'hotspot');
      const top = button.append('span').attr('class', 'hotspot-top');
      top.append('span').attr('class', 'hotspot-label');
      top.append('span').attr('class', 'hotspot-growth');
      button.append('span').attr('class', 'hotspot-detail');
      return li;
    })
    .order();
  items
    .select('button')
    .attr('title', (h) => `${h.file}:${h.line}`)
    .attr('aria-label', (h) => `${h.label}, ${h.growth}, ${h.kindLabel}. Open ${h.file} at line ${h.line}`)
    .on('click', (_event, h) => vscode.postMessage({ type: 'revealHotspot', key: h.key }));
  items.select('.hotspot-label').text((h) => h.label);
  items.select('.hotspot-growth').text((h) => h.growth);
  items.select('.hotspot-detail').text((h) => [h.kindLabel, h.via ? `via ${h.via}` : ''].filter(Boolean).join(' · '));
}

function renderResources(): void {
  const samples = goodSamples();
  const first = samples[0];
  const last = samples[samples.length - 1];
  const rows = last
    ? Object.entries(last.resources)
        .map(([type, count]) => ({ type, count, delta: count - (first?.resources[type] ?? 0) }))
        .sort((a, b) => b.delta - a.delta || b.count - a.count)
        .slice(0, 12)
    : [];
  byId('resources-empty').hidden = rows.length > 0;
  const maxCount = Math.max(1, ...rows.map((r) => r.count));
  // The last few minutes of each count as a sparkline: a resource leak shows as a rising line here
  // even when the memory chart stays flat (a Timeout is small).
  const recent = samples.slice(-300);
  const sparkW = 80;
  const sparkH = 16;
  const tr = select(byId<HTMLTableSectionElement>('resources-body'))
    .selectAll<HTMLTableRowElement, (typeof rows)[number]>('tr')
    .data(rows, (r) => r.type)
    .join((enter) => {
      const row = enter.append('tr');
      row.append('th').attr('scope', 'row');
      const bar = row.append('td').attr('class', 'bar-cell');
      bar.append('span').attr('class', 'bar');
      row
        .append('td')
        .attr('class', 'spark-cell')
        .append('svg')
        .attr('class', 'spark')
        .attr('width', sparkW)
        .attr('height', sparkH)
        .attr('aria-hidden', 'true')
        .append('path');
      row.append('td').attr('class', 'num count');
      row.append('td').attr('class', 'num delta');
      return row;
    })
    .order();
  tr.select('th').text((r) => r.type);
  tr.select<HTMLSpanElement>('.bar').style('width', (r) => `${Math.round((r.count / maxCount) * 100)}%`);
  tr.select('.count').text((r) => String(r.count));
  tr.select('.spark path').attr('d', (r) => {
    const values = recent.map((s) => s.resources[r.type] ?? 0);
    const hi = Math.max(1, ...values);
    const lo = Math.min(...values);
    const sx = scaleLinear().domain([0, Math.max(1, values.length - 1)]).range([1, sparkW - 1]);
    const sy = scaleLinear().domain([lo, Math.max(hi, lo + 1)]).range([sparkH - 2, 2]);
    return d3line<number>().x((_v, i) => sx(i)).y((v) => sy(v))(values) ?? '';
  });
  tr.select('.spark').classed('growing', (r) => r.delta > 0);
  tr.select('.delta')
    .text((r) => (r.delta > 0 ? `+${r.delta}` : r.delta < 0 ? `−${-r.delta}` : '±0'))
    .classed('growing', (r) => r.delta > 0);
}

function renderLegend(): void {
  const legend = select(byId('legend'));
  legend
    .selectAll<HTMLButtonElement, ChartSeries>('button.series-toggle')
    .data(CHART_SERIES, (d) => d)
    .join((enter) => {
      const b = enter.append('button').attr('type', 'button').attr('class', 'series-toggle');
      b.append('span').attr('class', (d) => `swatch series-${d}`);
      b.append('span').text((d) => SERIES_LABELS[d]);
      return b;
    })
    .attr('aria-pressed', (d) => String(!prefs.hidden.includes(d)))
    .on('click', (_e, d) => {
      prefs.hidden = prefs.hidden.includes(d) ? prefs.hidden.filter((k) => k !== d) : [...prefs.hidden, d];
      vscode.setState(prefs);
      renderLegend();
      draw();
    });
  const scale = byId<HTMLButtonElement>('scale-to-limit');
  scale.setAttribute('aria-pressed', String(prefs.scaleToLimit));
}

function renderAll(): void {
  renderHeader();
  renderLegend();
  renderHotspots();
  renderResources();
  draw();
}

function pointerToIndex(clientX: number): number | undefined {
  const samples = goodSamples();
  if (!samples.length) return undefined;
  const rect = chartEl.getBoundingClientRect();
  const innerW = Math.max(10, size.width - margin.left - margin.right);
  const start = samples[0].t;
  const end = Math.max(samples[samples.length - 1].t, start + 60_000);
  const t = start + ((clientX - rect.left - margin.left) / innerW) * (end - start);
  const i = bisector((s: GoodSample) => s.t).center(samples, t);
  return Math.max(0, Math.min(samples.length - 1, i));
}

function wireInteractions(): void {
  (overlay as Selection<SVGRectElement, unknown, null, undefined>)
    .on('pointermove', (event: PointerEvent) => {
      cursorIndex = pointerToIndex(event.clientX);
      draw();
    })
    .on('pointerleave', () => {
      cursorIndex = undefined;
      draw();
    });
  // Keyboard users move the same cursor with the arrow keys; Escape hides it.
  chartEl.addEventListener('keydown', (event) => {
    const n = goodSamples().length;
    if (!n) return;
    const step = event.shiftKey ? 10 : 1;
    if (event.key === 'ArrowLeft') cursorIndex = Math.max(0, (cursorIndex ?? n) - step);
    else if (event.key === 'ArrowRight') cursorIndex = Math.min(n - 1, (cursorIndex ?? n - 2) + step);
    else if (event.key === 'Home') cursorIndex = 0;
    else if (event.key === 'End') cursorIndex = n - 1;
    else if (event.key === 'Escape') cursorIndex = undefined;
    else return;
    event.preventDefault();
    draw();
  });
  chartEl.addEventListener('blur', () => {
    cursorIndex = undefined;
    draw();
  });
  byId('scale-to-limit').addEventListener('click', () => {
    prefs.scaleToLimit = !prefs.scaleToLimit;
    vscode.setState(prefs);
    renderLegend();
    draw();
  });
  new ResizeObserver((entries) => {
    const box = entries[0].contentRect;
    if (box.width === size.width && box.height === size.height) return;
    size = { width: box.width, height: box.height };
    draw();
  }).observe(chartEl);
}

function renderState(): ChartRenderState {
  return {
    ...rendered,
    hotspotRows: document.querySelectorAll('#hotspots li').length,
    resourceRows: document.querySelectorAll('#resources-body tr').length,
    width: Math.round(size.width),
    height: Math.round(size.height),
    theme: theme(),
    headline: byId('headline').textContent ?? '',
  };
}

// Batch bursts of sample messages into one redraw per frame.
let frame = 0;
function scheduleRender(): void {
  if (frame) return;
  frame = requestAnimationFrame(() => {
    frame = 0;
    renderAll();
  });
}

window.addEventListener('message', (event: MessageEvent<HostToChart>) => {
  const message = event.data;
  try {
    switch (message.type) {
      case 'snapshot':
        snapshot = { ...message.snapshot, samples: message.snapshot.samples.slice(-MAX_SAMPLES) };
        renderAll();
        break;
      case 'samples':
        snapshot.samples = snapshot.samples.concat(message.samples).slice(-MAX_SAMPLES);
        scheduleRender();
        break;
      case 'report':
        snapshot = { ...snapshot, verdict: message.verdict, headline: message.headline, projection: message.projection, hotspots: message.hotspots };
        scheduleRender();
        break;
      case 'state':
        snapshot = { ...snapshot, state: message.state, endedReason: message.endedReason };
        renderHeader();
        break;
      case 'request':
        if (message.method === CHART_METHOD_RENDER_STATE) {
          // Draw what is pending first, so the answer describes what the user sees now.
          if (frame) {
            cancelAnimationFrame(frame);
            frame = 0;
            renderAll();
          }
          vscode.postMessage({ type: 'response', id: message.id, ok: renderState() });
        } else {
          vscode.postMessage({ type: 'response', id: message.id, error: { name: 'Error', message: `unknown method ${String(message.method)}` } });
        }
        break;
      case 'response':
        break;
    }
  } catch (e) {
    const error = e instanceof Error ? e : new Error(String(e));
    if (message.type === 'request') vscode.postMessage({ type: 'response', id: message.id, error: { name: error.name, message: error.message } });
    console.error('Leak Lens chart:', error);
  }
});

wireInteractions();
renderAll();
vscode.postMessage({ type: 'ready' });
