/**
 * Extension entry point: the composition root. Wires commands, views, status bar, CodeLens, the chart
 * and the language client; decides nothing itself: analysis lives in lint/, inspector/ and core/.
 */
import * as vscode from 'vscode';
import { hotspotGrowth, hotspotLabel, projectionText, verdictHeadline } from '../core/format';
import { redactedWsUrl } from '../core/attachTarget';
import type { Hotspot } from '../core/report';
import { toError } from '../shared/errors';
import type { ChartRenderState } from '../protocol/webview';
import { ChartPanel } from './chartPanel';
import { attachWithProgress, registerCommands, revealHotspot, type CommandDeps } from './commands';
import { adoptDemo, spawnDemo } from './demo';
import { RuntimeEvidence } from './evidence';
import { takeHeapSnapshot } from './heapSnapshotCommand';
import { HotspotLens } from './hotspotLens';
import { HotspotsView } from './hotspotsView';
import { startLanguageClient } from './languageClient';
import { OutputLog } from './log';
import { presentError } from './present';
import { SessionManager } from './sessions';
import { registerSnapshotEditor } from './snapshotEditor';
import { StatusBar } from './statusBar';
import { TargetsView } from './targetsView';

/**
 * What activate() returns: a small, read-only view of the UI state for the extension tests (and for
 * other extensions that want to know what Leak Lens sees). Stable within a minor version.
 */
export interface LeakLensApi {
  /** The hotspots the Leak Hotspots view shows now, most suspicious first. */
  hotspots(): Hotspot[];
  /** Targets in the Targets view. */
  targets(): Array<{ address: string; pid?: number; state: string; leaking?: boolean }>;
  /** The status bar text, or undefined while it is hidden. */
  statusBarText(): string | undefined;
  /** Asks the chart webview what it has drawn (a real postMessage round trip); undefined when closed. */
  chartState(timeoutMs?: number): Promise<ChartRenderState | undefined>;
  /** The runtime evidence last sent to the language server (empty after detach). */
  evidence(): readonly Hotspot[];
  /** How many hotspot CodeLenses a document gets now. */
  codeLensCount(uri: vscode.Uri): number;
}

let sessionsForShutdown: SessionManager | undefined;

export function activate(context: vscode.ExtensionContext): LeakLensApi {
  const log = new OutputLog();
  const output = log.channel;
  context.subscriptions.push(
    log,
    vscode.commands.registerCommand('leakLens.showOutput', () => output.show(true)),
    registerSnapshotEditor(context),
  );
  log.info(`Leak Lens ${context.extension.packageJSON.version as string} activated`);

  const sessions = new SessionManager(log);
  sessionsForShutdown = sessions;
  const evidence = new RuntimeEvidence(sessions, log);
  const chart = new ChartPanel(context, sessions, log, revealHotspot);
  const hotspots = new HotspotsView(sessions);
  const targets = new TargetsView(sessions);
  const statusBar = new StatusBar(sessions);
  const lens = new HotspotLens(sessions);
  context.subscriptions.push(sessions, evidence, chart, hotspots, targets, statusBar, lens, logReports(sessions, log), contextKeys(sessions));

  const deps: CommandDeps = {
    context,
    sessions,
    chart,
    log,
    takeHeapSnapshot: (session, args) => takeHeapSnapshot(session, log, args),
    startDemo: async () => {
      const script = vscode.Uri.joinPath(context.extensionUri, 'media', 'demo', 'leaky-server.js');
      const demo = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'Leak Lens: starting the leaky demo server…' },
        () => spawnDemo(script, log),
      );
      log.info(`demo server on http://127.0.0.1:${demo.port} (pid ${demo.child.pid ?? '?'}), inspector ${redactedWsUrl(demo.wsUrl)}`);
      try {
        const session = await attachWithProgress(deps, { url: demo.wsUrl });
        adoptDemo(session, demo);
        demo.startLoad();
        log.info('demo load started: 40 requests/s to /session and / (stops on detach, or after 10 min)');
        return { address: session.target.address, pid: demo.child.pid, port: demo.port };
      } catch (e) {
        demo.dispose();
        throw e;
      }
    },
  };
  context.subscriptions.push(...registerCommands(deps));

  startLanguageClient(context, output).then(
    (client) => {
      context.subscriptions.push(client);
      evidence.setSink(client);
      deps.scanWorkspace = () => client.scanWorkspace();
    },
    (e: unknown) => presentError(log, output, 'start the language server', e),
  );

  return {
    hotspots: () => hotspots.rows().map((r) => r.hotspot),
    targets: () =>
      sessions.sessions.map((s) => ({ address: s.target.address, pid: s.target.pid, state: s.state, leaking: s.report()?.verdict.leaking })),
    statusBarText: () => statusBar.text,
    chartState: async (timeoutMs) => (chart.isOpen ? chart.renderState(timeoutMs) : undefined),
    evidence: () => evidence.current,
    codeLensCount: (uri) => (vscode.workspace.getConfiguration('leakLens.ui').get<boolean>('codeLens', true) ? lens.hotspotsIn(uri).length : 0),
  };
}

/** Writes verdict changes and new top hotspots to the output channel (not every tick). */
function logReports(sessions: SessionManager, log: OutputLog): vscode.Disposable {
  const last = new WeakMap<object, string>();
  return sessions.onDidUpdateReport(({ session, report }) => {
    const top = report.hotspots.slice(0, 3).map((h) => `${hotspotLabel(h)} ${hotspotGrowth(h)}`);
    const key = `${report.verdict.leaking}|${top.join('|')}`;
    if (last.get(session) === key) return;
    last.set(session, key);
    const projection = projectionText(report.verdict);
    log.info(`${session.label}: ${report.verdict.leaking ? 'LEAKING' : 'steady'} — ${verdictHeadline(report.verdict)}${projection ? `; ${projection}` : ''}`);
    report.hotspots.slice(0, 3).forEach((h, i) => {
      log.info(`  #${i + 1} ${h.kind} ${hotspotGrowth(h)} at ${h.location.file}:${h.location.line}:${h.location.column} (${h.function || '(anonymous)'})${h.via ? ` via ${h.via}` : ''}`);
    });
  });
}

/** `leakLens.attached` / `leakLens.leaking` drive the welcome views and menus. */
function contextKeys(sessions: SessionManager): vscode.Disposable {
  const set = (key: string, value: boolean) =>
    vscode.commands.executeCommand('setContext', key, value).then(undefined, (e: unknown) => console.error(`setContext ${key}: ${toError(e).message}`));
  const update = () => {
    set('leakLens.attached', sessions.sessions.length > 0);
    set('leakLens.watching', sessions.watching.length > 0);
    set('leakLens.leaking', sessions.watching.some((s) => s.report()?.verdict.leaking === true));
  };
  update();
  const a = sessions.onDidChange(update);
  const b = sessions.onDidUpdateReport(update);
  return { dispose: () => (a.dispose(), b.dispose()) };
}

/** Detaches from every target, so no probe stays injected in a process after VS Code goes. */
export async function deactivate(): Promise<void> {
  await sessionsForShutdown?.detachAll();
}
