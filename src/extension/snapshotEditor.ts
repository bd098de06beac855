/**
 * The `.heapsnapshot` custom editor: a read-only webview showing the per-constructor summary,
 * retainer paths, and diffs against earlier snapshots. All analysis runs in the snapshot worker
 * (dist/snapshotWorker.js, one per open editor), so the extension host never holds the graph.
 */
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { DiffReport, SummaryReport } from '../core/snapshot/reports';
import type { ObjectDetails, SnapshotHostMessage, SnapshotViewMessage, SnapshotWorkerReply, SnapshotWorkerRequest } from '../protocol/snapshot';
import { fromWireError, toError } from '../shared/errors';

export const snapshotEditorViewType = 'leakLens.heapSnapshot';

/** A request without its id (Omit does not distribute over the union by itself). */
type Request = SnapshotWorkerRequest extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never;

/** Talks to one snapshot worker; every request gets exactly one reply. */
class SnapshotWorkerClient implements vscode.Disposable {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void; onProgress?(text: string): void }>();

  constructor(file: string) {
    this.worker = new Worker(file);
    this.worker.on('message', (reply: SnapshotWorkerReply) => {
      const request = this.pending.get(reply.id);
      if (!request) return;
      if ('progress' in reply) {
        const p = reply.progress;
        const percent = p.bytesRead && p.totalBytes ? ` ${Math.round((100 * p.bytesRead) / p.totalBytes)}%` : '';
        request.onProgress?.(`${basename(p.file)}: ${p.phase}${percent}`);
        return;
      }
      this.pending.delete(reply.id);
      if ('error' in reply) request.reject(fromWireError(reply.error));
      else request.resolve(reply.ok);
    });
    this.worker.on('error', (e) => this.failAll(e));
    this.worker.on('exit', (code) => this.failAll(new Error(`the snapshot worker exited (code ${code})`)));
  }

  request<T>(request: Request, onProgress?: (text: string) => void): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject, onProgress });
      this.worker.postMessage({ ...request, id });
    });
  }

  private failAll(error: Error): void {
    for (const request of this.pending.values()) request.reject(error);
    this.pending.clear();
  }

  dispose(): void {
    this.failAll(new Error('the snapshot editor was closed'));
    // Terminating is the hard stop: analysis phases are synchronous inside the worker.
    this.worker.terminate().catch(() => undefined);
  }
}

/** `file:///x.js` or `/x.js` → a local path; undefined for `node:…` and other URLs. */
export function localPathOf(url: string): string | undefined {
  if (url.startsWith('file://')) {
    try {
      return fileURLToPath(url);
    } catch {
      return undefined;
    }
  }
  return url.startsWith('/') || /^[A-Za-z]:[\\/]/.test(url) ? url : undefined;
}

/** What an open snapshot editor shows, by document URI: for tests and for the status command. */
export type SnapshotEditorState =
  | { state: 'loading' }
  | { state: 'ready'; nodeCount: number; classes: Array<{ className: string; count: number; retainedBytes: number }> }
  | { state: 'error'; message: string };

class SnapshotEditorProvider implements vscode.CustomReadonlyEditorProvider {
  readonly states = new Map<string, SnapshotEditorState>();
  /** Per open editor: compare it with earlier snapshots (picked, or given) and show the result. */
  readonly comparers = new Map<string, (earlier?: readonly vscode.Uri[]) => Promise<DiffReport | undefined>>();

  constructor(private readonly context: vscode.ExtensionContext) {}

  openCustomDocument(uri: vscode.Uri): vscode.CustomDocument {
    return { uri, dispose: () => undefined };
  }

  resolveCustomEditor(document: vscode.CustomDocument, panel: vscode.WebviewPanel): void {
    const dist = vscode.Uri.joinPath(this.context.extensionUri, 'dist');
    panel.webview.options = { enableScripts: true, localResourceRoots: [dist] };
    panel.webview.html = this.html(panel.webview, vscode.Uri.joinPath(dist, 'snapshotView.js'));
    const client = new SnapshotWorkerClient(vscode.Uri.joinPath(dist, 'snapshotWorker.js').fsPath);
    const post = (message: SnapshotHostMessage) => void panel.webview.postMessage(message).then(undefined, () => undefined);
    const fail = (e: unknown) => post({ type: 'error', message: toError(e).message });
    const progress = (text: string) => post({ type: 'progress', text });
    const file = document.uri.fsPath;
    const key = document.uri.toString();
    this.states.set(key, { state: 'loading' });
    const subscription = panel.webview.onDidReceiveMessage((message: SnapshotViewMessage) => {
      switch (message.type) {
        case 'ready':
          client.request<SummaryReport>({ method: 'summary', file }, progress).then(
            (report) => {
              const classes = report.classes.slice(0, 50).map((c) => ({ className: c.className, count: c.count, retainedBytes: c.retainedBytes }));
              this.states.set(key, { state: 'ready', nodeCount: report.nodeCount, classes });
              post({ type: 'summary', report });
            },
            (e: unknown) => {
              this.states.set(key, { state: 'error', message: toError(e).message });
              fail(e);
            },
          );
          break;
        case 'objectDetails':
          client.request<ObjectDetails>({ method: 'objectDetails', nodeId: message.nodeId }).then(
            (details) => post({ type: 'details', details }),
            fail,
          );
          break;
        case 'openLocation':
          this.open(message.location).catch(fail);
          break;
        case 'compare':
          compare().catch(fail);
          break;
      }
    });
    const compare = async (earlier?: readonly vscode.Uri[]) => {
      const report = await this.compare(client, file, progress, earlier);
      if (report) post({ type: 'diff', report });
      return report;
    };
    this.comparers.set(key, compare);
    panel.onDidDispose(() => {
      this.states.delete(key);
      this.comparers.delete(key);
      subscription.dispose();
      client.dispose();
    });
  }

  private async compare(client: SnapshotWorkerClient, file: string, progress: (text: string) => void, given?: readonly vscode.Uri[]) {
    const picked = given ?? await vscode.window.showOpenDialog({
      canSelectMany: true,
      filters: { 'Heap snapshots': ['heapsnapshot'] },
      title: 'Pick 1 earlier snapshot (growth), or 2 (three-snapshot leak suspects: before and during the load)',
      openLabel: 'Compare',
    });
    if (!picked || picked.length === 0) return undefined;
    if (picked.length > 2) throw new Error('pick one or two earlier snapshots');
    // Oldest first, by modification time, then this snapshot last.
    const earlier = await Promise.all(picked.map(async (uri) => ({ uri, mtime: (await vscode.workspace.fs.stat(uri)).mtime })));
    earlier.sort((a, b) => a.mtime - b.mtime);
    return client.request<DiffReport>(
      { method: 'diff', files: [...earlier.map((e) => e.uri.fsPath), file], limit: 200 },
      progress,
    );
  }

  private async open(location: { url: string; line: number; column: number }): Promise<void> {
    const path = localPathOf(location.url);
    if (!path || !existsSync(path)) {
      void vscode.window.showWarningMessage(`Leak Lens: ${location.url} is not a file on this machine.`).then(undefined, () => undefined);
      return;
    }
    const position = new vscode.Position(Math.max(0, location.line - 1), Math.max(0, location.column - 1));
    await vscode.window.showTextDocument(vscode.Uri.file(path), { selection: new vscode.Range(position, position), preview: true });
  }

  private html(webview: vscode.Webview, script: vscode.Uri): string {
    const nonce = Array.from({ length: 16 }, () => Math.floor(Math.random() * 36).toString(36)).join('');
    return `<!DOCTYPE html>
<html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${webview.cspSource} 'unsafe-inline'; script-src 'nonce-${nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0"><title>Heap snapshot</title></head>
<body><div id="app">Reading the snapshot…</div><script nonce="${nonce}" src="${webview.asWebviewUri(script).toString()}"></script></body></html>`;
  }
}

/**
 * Registers the `.heapsnapshot` editor, the internal command `leakLens.heapSnapshot.state`
 * (uri → {@link SnapshotEditorState}) that tests use to wait for the analysis, and
 * `leakLens.heapSnapshot.compare` (uri, earlier uris → DiffReport), the Compare button without its dialog.
 */
export function registerSnapshotEditor(context: vscode.ExtensionContext): vscode.Disposable {
  const provider = new SnapshotEditorProvider(context);
  return vscode.Disposable.from(
    vscode.window.registerCustomEditorProvider(snapshotEditorViewType, provider, {
      webviewOptions: { retainContextWhenHidden: true },
      supportsMultipleEditorsPerDocument: false,
    }),
    vscode.commands.registerCommand('leakLens.heapSnapshot.state', (uri: vscode.Uri) => provider.states.get(uri.toString())),
    // What the Compare button does, with the earlier snapshots given instead of picked (tests, scripts).
    vscode.commands.registerCommand('leakLens.heapSnapshot.compare', async (uri: vscode.Uri, earlier: vscode.Uri[]) => {
      const compare = provider.comparers.get(uri.toString());
      if (!compare) throw new Error(`${uri.fsPath} is not open in the heap snapshot editor`);
      return compare(earlier);
    }),
  );
}
