/**
 * The Leak Lens commands. Each body is wrapped by `guarded` so nothing escapes to the extension
 * host; commands that tests call with arguments return a small plain result.
 */
import * as vscode from 'vscode';
import { discoverProcesses, type DiscoveredProcess } from '../inspector';
import { attachTargetFromArgs, describeAttachTarget, parseAddress, parsePid, type AttachTarget } from '../core/attachTarget';
import { hotspotGrowth } from '../core/format';
import { reportToJson, reportToMarkdown } from '../core/reportMarkdown';
import type { Hotspot, WatchReport } from '../core/report';
import { UsageError } from '../shared/errors';
import type { ChartPanel } from './chartPanel';
import type { OutputLog } from './log';
import { guarded, presentError } from './present';
import type { SessionManager, TargetSession } from './sessions';
import { uiSettings } from './settings';

/** What the commands need; built once by activate(). */
export interface CommandDeps {
  context: vscode.ExtensionContext;
  sessions: SessionManager;
  chart: ChartPanel;
  log: OutputLog;
  /** The language client's scan, once it runs (undefined until then). */
  scanWorkspace?: () => Promise<{ files: number; findings: number }>;
  /** Starts the bundled demo and attaches to it (demo.ts). */
  startDemo: () => Promise<unknown>;
  /** Heap snapshot capture, when this build has it. */
  takeHeapSnapshot?: (session: TargetSession, args: { uri?: vscode.Uri; confirmed?: boolean }) => Promise<unknown>;
}

/** What `leakLens.attach` resolves to, for tests and keybinding users. */
export interface AttachResult {
  address: string;
  pid?: number;
  state: string;
}

type PickItem = vscode.QuickPickItem & { target?: AttachTarget; action?: 'address' | 'pid' };

/** Opens a hotspot's file at its line, selected and centred. */
export async function revealHotspot(hotspot: Hotspot): Promise<void> {
  const uri = vscode.Uri.file(hotspot.location.file);
  try {
    await vscode.workspace.fs.stat(uri);
  } catch {
    const copy = 'Copy Path';
    const picked = await vscode.window.showWarningMessage(
      `Leak Lens: ${hotspot.location.file} is not in this workspace's file system. The target may run on another machine, in a container, or from compiled code without source maps.`,
      copy,
    );
    if (picked === copy) await vscode.env.clipboard.writeText(`${hotspot.location.file}:${hotspot.location.line}`);
    return;
  }
  const line = Math.max(0, hotspot.location.line - 1);
  const column = Math.max(0, hotspot.location.column - 1);
  const editor = await vscode.window.showTextDocument(uri, { preview: true, preserveFocus: false });
  const lineText = editor.document.lineAt(Math.min(line, editor.document.lineCount - 1));
  const start = new vscode.Position(lineText.lineNumber, Math.min(column, lineText.text.length));
  const range = new vscode.Range(start, lineText.range.end);
  editor.selection = new vscode.Selection(range.start, range.end);
  editor.revealRange(range, vscode.TextEditorRevealType.InCenter);
}

function processItem(p: DiscoveredProcess): PickItem {
  const command = p.command.length > 90 ? `${p.command.slice(0, 87)}…` : p.command;
  return {
    label: `$(${p.inspector ? 'debug' : 'debug-disconnect'}) ${command || `node (pid ${p.pid})`}`,
    description: `PID ${p.pid}`,
    detail: p.inspector
      ? `Inspector open on ${p.inspector.host}:${p.inspector.port}`
      : 'No inspector yet: Leak Lens opens it without restarting the process (SIGUSR1)',
    target: p.inspector ? { host: p.inspector.host, port: p.inspector.port } : { pid: p.pid },
  };
}

/** Quick pick of discovered processes plus the manual entries. Resolves undefined when dismissed. */
async function pickTarget(): Promise<AttachTarget | undefined> {
  const qp = vscode.window.createQuickPick<PickItem>();
  qp.title = 'Leak Lens: Attach and Watch Memory';
  qp.placeholder = 'Pick a Node.js process, or enter an inspector address';
  qp.matchOnDescription = true;
  qp.matchOnDetail = true;
  const manual: PickItem[] = [
    { label: '', kind: vscode.QuickPickItemKind.Separator },
    { label: '$(plug) Enter port or ws URL…', detail: 'e.g. 9229, 127.0.0.1:9229 or ws://127.0.0.1:9229/…', action: 'address', alwaysShow: true },
    { label: '$(symbol-number) Attach by PID…', detail: 'A local Node.js process; no restart needed', action: 'pid', alwaysShow: true },
  ];
  qp.items = manual.slice(1);
  qp.busy = true;
  const refresh: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('refresh'), tooltip: 'Refresh' };
  qp.buttons = [refresh];
  const load = () => {
    qp.busy = true;
    discoverProcesses().then(
      (processes) => {
        // Our own extension host is a Node process too; attaching to it would watch VS Code.
        const items = processes.filter((p) => p.pid !== process.pid).map(processItem);
        qp.items = items.length ? [...items, ...manual] : manual.slice(1);
        if (!items.length) qp.placeholder = 'No Node.js processes found; enter an inspector address or a PID';
        qp.busy = false;
      },
      (e: unknown) => {
        qp.items = manual.slice(1);
        qp.placeholder = `Could not list processes (${e instanceof Error ? e.message : String(e)}); enter an address or a PID`;
        qp.busy = false;
      },
    );
  };
  load();
  const picked = await new Promise<PickItem | undefined>((resolve) => {
    qp.onDidTriggerButton((b) => b === refresh && load());
    qp.onDidAccept(() => resolve(qp.selectedItems[0]));
    qp.onDidHide(() => resolve(undefined));
    qp.show();
  });
  qp.dispose();
  if (!picked) return undefined;
  if (picked.target) return picked.target;
  if (picked.action === 'address') {
    const text = await vscode.window.showInputBox({
      title: 'Leak Lens: Attach to an Inspector',
      prompt: 'Inspector port, host:port or ws:// URL of a process started with --inspect',
      placeHolder: '9229',
      validateInput: (v) => ('error' in parseAddress(v) && v.trim() ? (parseAddress(v) as { error: string }).error : undefined),
    });
    if (text === undefined) return undefined;
    const r = parseAddress(text);
    if ('error' in r) throw new UsageError(r.error);
    return r.ok;
  }
  if (picked.action === 'pid') {
    const text = await vscode.window.showInputBox({
      title: 'Leak Lens: Attach by PID',
      prompt: 'Process id of a local Node.js process (its inspector is opened with SIGUSR1, no restart)',
      validateInput: (v) => (v.trim() && 'error' in parsePid(v) ? (parsePid(v) as { error: string }).error : undefined),
    });
    if (text === undefined) return undefined;
    const r = parsePid(text);
    if ('error' in r) throw new UsageError(r.error);
    return r.ok;
  }
  return undefined;
}

/** Attaches with progress, logs, and opens the chart/views. @throws AttachError */
export async function attachWithProgress(deps: CommandDeps, target: AttachTarget): Promise<TargetSession> {
  const name = describeAttachTarget(target);
  deps.log.info(`attaching to ${name}`);
  const session = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Leak Lens: attaching to ${name}…` },
    () => deps.sessions.attach(target),
  );
  const t = session.target;
  deps.log.info(`attached to ${t.address}${t.pid !== undefined ? ` (pid ${t.pid}${t.nodeVersion ? `, Node ${t.nodeVersion}` : ''})` : ''}`);
  if (uiSettings().openChartOnAttach) deps.chart.show(session);
  vscode.commands.executeCommand('leakLens.hotspots.focus').then(undefined, (e: unknown) => deps.log.debug(`focusing the hotspots view failed: ${String(e)}`));
  return session;
}

function sessionArg(deps: CommandDeps, arg: unknown): TargetSession | undefined {
  if (arg && typeof arg === 'object' && 'attach' in arg && deps.sessions.sessions.includes(arg as TargetSession)) return arg as TargetSession;
  return deps.sessions.active;
}

function hotspotArg(deps: CommandDeps, arg: unknown): Hotspot | undefined {
  if (arg && typeof arg === 'object' && 'location' in arg) return arg as Hotspot;
  // From the tree's context menu the argument is the tree node ({ row }).
  if (arg && typeof arg === 'object' && 'row' in arg) return (arg as { row: { hotspot: Hotspot } }).row.hotspot;
  if (typeof arg === 'number') return deps.sessions.active?.report()?.hotspots[arg];
  return deps.sessions.active?.report()?.hotspots[0];
}

async function exportReport(deps: CommandDeps, args: unknown): Promise<vscode.Uri | undefined> {
  const a = (args && typeof args === 'object' && !('attach' in args) ? args : {}) as { format?: string; uri?: string | vscode.Uri };
  const session = sessionArg(deps, args);
  const report: WatchReport | undefined = session?.report();
  if (!session || !report) {
    await vscode.window.showInformationMessage('Leak Lens: there is no report to export yet. Attach to a process first.', 'Attach…').then((p) =>
      p ? vscode.commands.executeCommand('leakLens.attach') : undefined,
    );
    return undefined;
  }
  let format = a.format === 'json' || a.format === 'markdown' ? a.format : undefined;
  if (!format) {
    const picked = await vscode.window.showQuickPick(
      [
        { label: 'Markdown', description: '.md', detail: 'For people: verdict, memory now, hotspot table', format: 'markdown' as const },
        { label: 'JSON', description: '.json', detail: 'The same shape as `leak-lens watch --json`', format: 'json' as const },
      ],
      { title: 'Leak Lens: Export Leak Report', placeHolder: 'Format' },
    );
    if (!picked) return undefined;
    format = picked.format;
  }
  const ext = format === 'json' ? 'json' : 'md';
  let uri = typeof a.uri === 'string' ? vscode.Uri.file(a.uri) : a.uri;
  if (!uri) {
    const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const name = `leak-lens-report-${session.target.pid ?? session.id}-${stamp}.${ext}`;
    uri = await vscode.window.showSaveDialog({
      title: 'Export Leak Report',
      defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined,
      filters: format === 'json' ? { JSON: ['json'] } : { Markdown: ['md'] },
    });
    if (!uri) return undefined;
  }
  const text = format === 'json' ? reportToJson(report) : reportToMarkdown(report, session.samples());
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
  deps.log.info(`report written to ${uri.fsPath}`);
  if (!a.uri) {
    const open = 'Open';
    vscode.window.showInformationMessage(`Leak Lens: report saved to ${vscode.workspace.asRelativePath(uri)}.`, open).then(
      (p) => (p === open ? vscode.window.showTextDocument(uri!) : undefined),
      (e: unknown) => deps.log.error('showing the export message failed', e),
    );
  }
  return uri;
}

/** Registers every command; the returned disposables go into context.subscriptions. */
export function registerCommands(deps: CommandDeps): vscode.Disposable[] {
  const { sessions, chart, log } = deps;
  const out = log.channel;
  const g = <A extends unknown[]>(doing: string, body: (...args: A) => unknown) => guarded<A>(log, out, doing, body);

  const attach = async (args?: unknown): Promise<AttachResult | undefined> => {
    const fromArgs = attachTargetFromArgs(args);
    if (fromArgs && 'error' in fromArgs) throw new UsageError(fromArgs.error);
    const target = fromArgs?.ok ?? (await pickTarget());
    if (!target) return undefined;
    try {
      const session = await attachWithProgress(deps, target);
      return { address: session.target.address, pid: session.target.pid, state: session.state };
    } catch (e) {
      await presentError(log, out, `attach to ${describeAttachTarget(target)}`, e, [
        { title: 'Try Another Target', run: () => vscode.commands.executeCommand('leakLens.attach') },
      ]);
      return undefined;
    }
  };

  return [
    vscode.commands.registerCommand('leakLens.attach', g('attach', attach)),
    vscode.commands.registerCommand(
      'leakLens.detach',
      g('detach', async (arg?: unknown) => {
        const session = sessionArg(deps, arg);
        if (!session) return;
        await sessions.detach(session);
        log.info(`detached from ${session.target.address}`);
      }),
    ),
    vscode.commands.registerCommand(
      'leakLens.detachAll',
      g('detach', async () => {
        await sessions.detachAll();
        log.info('detached from all targets');
      }),
    ),
    vscode.commands.registerCommand(
      'leakLens.showChart',
      g('open the memory chart', (arg?: unknown) => chart.show(sessionArg(deps, arg))),
    ),
    vscode.commands.registerCommand(
      'leakLens.revealHotspot',
      g('open the hotspot', async (arg?: unknown) => {
        const hotspot = hotspotArg(deps, arg);
        if (!hotspot) {
          await vscode.window.showInformationMessage('Leak Lens: no hotspot yet. Attach to a process and put it under load.');
          return;
        }
        await revealHotspot(hotspot);
      }),
    ),
    vscode.commands.registerCommand(
      'leakLens.copyHotspotLocation',
      g('copy the location', async (arg?: unknown) => {
        const h = hotspotArg(deps, arg);
        if (h) await vscode.env.clipboard.writeText(`${h.location.file}:${h.location.line}:${h.location.column} ${hotspotGrowth(h)}`);
      }),
    ),
    vscode.commands.registerCommand('leakLens.exportReport', g('export the report', (args?: unknown) => exportReport(deps, args))),
    vscode.commands.registerCommand(
      'leakLens.scanWorkspace',
      g('scan the workspace', async () => {
        const scan = deps.scanWorkspace;
        if (!scan) {
          await presentError(log, out, 'scan the workspace', new Error('the Leak Lens language server is not running (see the Leak Lens output)'));
          return undefined;
        }
        const result = await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: 'Leak Lens: scanning the workspace for leaks…' },
          () => scan(),
        );
        log.info(`scan: ${result.findings} findings in ${result.files} files`);
        const problems = 'Show Problems';
        vscode.window
          .showInformationMessage(`Leak Lens: ${result.findings} possible leak${result.findings === 1 ? '' : 's'} in ${result.files} files.`, problems)
          .then(
            (p) => (p === problems ? vscode.commands.executeCommand('workbench.actions.view.problems') : undefined),
            (e: unknown) => log.error('showing the scan result failed', e),
          );
        return result;
      }),
    ),
    vscode.commands.registerCommand(
      'leakLens.takeHeapSnapshot',
      g('take a heap snapshot', async (arg?: unknown) => {
        const session = sessionArg(deps, arg);
        if (!session || session.state !== 'watching') {
          const attachNow = 'Attach…';
          const p = await vscode.window.showInformationMessage('Leak Lens: attach to a process first, then take a heap snapshot of it.', attachNow);
          if (p === attachNow) await vscode.commands.executeCommand('leakLens.attach');
          return undefined;
        }
        if (!deps.takeHeapSnapshot) {
          const exportNow = 'Export Leak Report';
          const p = await vscode.window.showInformationMessage(
            'Leak Lens: heap snapshot capture is not part of this build yet. The hotspots and the exported report already name the lines that keep memory growing.',
            exportNow,
          );
          if (p === exportNow) await vscode.commands.executeCommand('leakLens.exportReport');
          return undefined;
        }
        const a = (arg && typeof arg === 'object' && !('attach' in arg) ? arg : {}) as { uri?: vscode.Uri | string; confirmed?: boolean };
        return deps.takeHeapSnapshot(session, { uri: typeof a.uri === 'string' ? vscode.Uri.file(a.uri) : a.uri, confirmed: a.confirmed === true });
      }),
    ),
    vscode.commands.registerCommand('leakLens.startDemo', g('start the demo', () => deps.startDemo())),
  ];
}
