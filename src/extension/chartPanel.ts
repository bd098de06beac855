/**
 * Host side of the memory chart: one webview panel that follows the active target. The webview keeps
 * nothing while hidden (retainContextWhenHidden is off); when it (re)loads it posts `ready` and gets
 * the whole series replayed.
 */
import * as vscode from 'vscode';
import { KIND_LABELS, hotspotGrowth, hotspotKey, hotspotLabel, projectionText, verdictHeadline } from '../core/format';
import type { Hotspot, WatchReport } from '../core/report';
import {
  CHART_METHOD_PING,
  CHART_METHOD_RENDER_STATE,
  type ChartHotspot,
  type ChartRenderState,
  type ChartSnapshot,
  type ChartToHost,
  type HostToChart,
} from '../protocol/webview';
import { TimeoutError, fromWireError } from '../shared/errors';
import type { Logger } from '../shared/logger';
import type { SessionManager, TargetSession } from './sessions';
import { uiSettings } from './settings';

function nonce(): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let s = '';
  for (let i = 0; i < 32; i++) s += chars[Math.floor(Math.random() * chars.length)];
  return s;
}

function chartHotspots(report: WatchReport | undefined): ChartHotspot[] {
  return (report?.hotspots ?? []).slice(0, uiSettings().maxHotspots).map((h) => ({
    key: hotspotKey(h),
    label: hotspotLabel(h),
    growth: hotspotGrowth(h),
    kindLabel: KIND_LABELS[h.kind] ?? h.kind,
    kind: h.kind,
    file: h.location.file,
    line: h.location.line,
    via: h.via,
    score: h.score,
  }));
}

export class ChartPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private shown: TargetSession | undefined;
  private ready = false;
  private nextRequestId = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private readonly disposables: vscode.Disposable[] = [];
  private panelDisposables: vscode.Disposable[] = [];

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly sessions: SessionManager,
    private readonly log: Logger,
    private readonly revealHotspot: (hotspot: Hotspot) => Promise<void>,
  ) {
    this.disposables.push(
      sessions.onDidChange(() => this.follow()),
      sessions.onDidSample(({ session, sample }) => session === this.shown && this.post({ type: 'samples', samples: [sample] })),
      sessions.onDidUpdateReport(({ session, report }) => session === this.shown && this.post(this.reportMessage(report))),
    );
  }

  /** Opens (or focuses) the chart on a target: the given one, else the active one. */
  show(session?: TargetSession): void {
    if (session) this.sessions.setActive(session);
    const target = session ?? this.sessions.active;
    if (!this.panel) this.create();
    else this.panel.reveal(undefined, false);
    this.shown = target;
    this.replay();
  }

  /** True while the panel exists. */
  get isOpen(): boolean {
    return this.panel !== undefined;
  }

  /** Asks the webview what it has drawn: a real round trip through postMessage. @throws TimeoutError */
  async renderState(timeoutMs = 5000): Promise<ChartRenderState> {
    return (await this.request(CHART_METHOD_RENDER_STATE, timeoutMs)) as ChartRenderState;
  }

  private request(method: typeof CHART_METHOD_RENDER_STATE, timeoutMs: number): Promise<unknown> {
    const panel = this.panel;
    if (!panel) return Promise.reject(new Error('the memory chart is not open'));
    const id = this.nextRequestId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new TimeoutError(`chart request ${method}`, timeoutMs));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      const send = () => panel.webview.postMessage({ type: 'request', id, method } satisfies HostToChart);
      // A request before the webview said `ready` would be lost: queue it behind the ready message.
      if (this.ready) send().then(undefined, (e: unknown) => this.pending.get(id)?.reject(e instanceof Error ? e : new Error(String(e))));
      else this.afterReady.push(send);
    });
  }

  private afterReady: Array<() => Thenable<boolean>> = [];

  private follow(): void {
    if (!this.panel) return;
    // Changes (attach, end, a better name) are rare: redrawing from a full replay keeps one code path.
    this.shown = this.sessions.active;
    this.replay();
  }

  private title(): string {
    return this.shown ? `Memory: ${this.shown.label}` : 'Leak Lens Memory';
  }

  private create(): void {
    const media = vscode.Uri.joinPath(this.context.extensionUri, 'media');
    const dist = vscode.Uri.joinPath(this.context.extensionUri, 'dist');
    const panel = vscode.window.createWebviewPanel(
      'leakLens.chart',
      this.title(),
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      { enableScripts: true, retainContextWhenHidden: false, localResourceRoots: [media, dist] },
    );
    panel.iconPath = vscode.Uri.joinPath(media, 'leak-lens.svg');
    this.panel = panel;
    this.ready = false;
    panel.webview.html = this.html(panel.webview);
    this.panelDisposables = [
      panel.webview.onDidReceiveMessage((m: ChartToHost) => this.receive(m)),
      panel.onDidChangeViewState(() => {
        // A hidden webview is destroyed; it posts `ready` again when shown.
        if (!panel.visible) this.ready = false;
      }),
      panel.onDidDispose(() => {
        this.panel = undefined;
        this.ready = false;
        for (const d of this.panelDisposables.splice(0)) d.dispose();
        for (const p of this.pending.values()) p.reject(new Error('the memory chart was closed'));
        this.pending.clear();
      }),
    ];
  }

  private receive(message: ChartToHost): void {
    switch (message.type) {
      case 'ready':
        this.ready = true;
        this.replay();
        for (const send of this.afterReady.splice(0)) send().then(undefined, (e: unknown) => this.log.error('chart request failed', e));
        break;
      case 'revealHotspot': {
        // The webview sends only a key; the location comes from our own report, never from the page.
        const hotspot = this.shown?.report()?.hotspots.find((h) => hotspotKey(h) === message.key);
        if (hotspot) this.revealHotspot(hotspot).catch((e) => this.log.error('revealing a hotspot failed', e));
        break;
      }
      case 'request':
        if (message.method === CHART_METHOD_PING) this.post({ type: 'response', id: message.id, ok: 'pong' });
        break;
      case 'response': {
        const p = this.pending.get(message.id);
        if (!p) break;
        this.pending.delete(message.id);
        if (message.error) p.reject(fromWireError(message.error));
        else p.resolve(message.ok);
        break;
      }
    }
  }

  private reportMessage(report: WatchReport): HostToChart {
    return {
      type: 'report',
      verdict: report.verdict,
      headline: verdictHeadline(report.verdict),
      projection: projectionText(report.verdict),
      hotspots: chartHotspots(report),
    };
  }

  private replay(): void {
    if (!this.panel) return;
    this.panel.title = this.title();
    if (!this.ready) return;
    const s = this.shown;
    const report = s?.report();
    const snapshot: ChartSnapshot = s
      ? {
          target: { ...s.target, title: s.label },
          state: s.state,
          endedReason: s.endedReason(),
          samples: [...s.samples()],
          verdict: report?.verdict,
          headline: report ? verdictHeadline(report.verdict) : undefined,
          projection: report ? projectionText(report.verdict) : undefined,
          hotspots: chartHotspots(report),
        }
      : { target: { address: 'Not attached', title: 'Not attached' }, state: 'ended', endedReason: 'run “Leak Lens: Attach and Watch Memory”', samples: [], hotspots: [] };
    this.post({ type: 'snapshot', snapshot });
  }

  private post(message: HostToChart): void {
    if (!this.panel || !this.ready) return;
    this.panel.webview.postMessage(message).then(undefined, (e: unknown) => this.log.error('posting to the memory chart failed', e));
  }

  private html(webview: vscode.Webview): string {
    const n = nonce();
    const script = webview.asWebviewUri(vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'webview.js'));
    const css = webview.asWebviewUri(vscode.Uri.joinPath(this.context.extensionUri, 'media', 'chart.css'));
    const csp = [
      "default-src 'none'",
      `style-src ${webview.cspSource}`,
      `img-src ${webview.cspSource} data:`,
      `font-src ${webview.cspSource}`,
      `script-src 'nonce-${n}'`,
    ].join('; ');
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${css.toString()}">
<title>Leak Lens Memory</title>
</head>
<body>
<main>
  <header>
    <div class="title-row"><h1 id="target">Leak Lens</h1><span id="state" class="badge">Attaching…</span></div>
    <div id="target-details" class="details"></div>
    <p id="headline" class="headline" role="status" aria-live="polite"></p>
    <p id="projection" class="projection" hidden></p>
  </header>
  <section class="chart-section" aria-label="Memory over time">
    <div class="toolbar">
      <div id="legend" role="group" aria-label="Series shown" class="toolbar"></div>
      <span class="legend-note"><span class="swatch baseline"></span>after GC</span>
      <span class="legend-note"><span class="swatch trend"></span>trend</span>
      <span class="spacer"></span>
      <button id="scale-to-limit" type="button" aria-pressed="false" title="Include the memory limit in the scale">Scale to limit</button>
    </div>
    <div id="chart" tabindex="0" role="img" aria-label="Memory chart" aria-describedby="chart-help">
      <div id="empty" class="chart-empty">Waiting for the first samples…</div>
      <div id="tooltip" class="tooltip" hidden></div>
    </div>
    <span id="chart-help" class="visually-hidden">Use the left and right arrow keys to read values, Home and End to jump, Escape to hide.</span>
  </section>
  <div class="panels">
    <section aria-labelledby="hotspots-title">
      <h2 id="hotspots-title">Leak hotspots</h2>
      <p id="hotspots-empty" class="empty">No growing allocation or resource creation site yet.</p>
      <ol id="hotspots"></ol>
    </section>
    <section aria-labelledby="resources-title">
      <h2 id="resources-title">Active handles by type</h2>
      <p id="resources-empty" class="empty">No samples yet.</p>
      <table id="resources">
        <thead><tr><th scope="col">Type</th><th scope="col"><span class="visually-hidden">Share</span></th><th scope="col"><span class="visually-hidden">Recent trend</span></th><th scope="col" class="num">Now</th><th scope="col" class="num">Since attach</th></tr></thead>
        <tbody id="resources-body"></tbody>
      </table>
    </section>
  </div>
</main>
<script nonce="${n}" src="${script.toString()}"></script>
</body>
</html>`;
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel?.dispose();
  }
}
