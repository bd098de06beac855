/**
 * `Leak Lens: Take Heap Snapshot` of a watched target: states the cost first (the target pauses and
 * its RSS grows), asks where to save, streams the chunks to the file with progress and cancel, then
 * offers to open it. Capture goes through the watch's own session (Watch.takeHeapSnapshot), so the
 * snapshots of one attach compare by object id.
 */
import { createWriteStream } from 'node:fs';
import * as vscode from 'vscode';
import { estimateCapture } from '../inspector/heapSnapshot';
import { formatBytes, formatDuration, lastGoodSample } from '../core/format';
import { CancelledError, TargetExitedError } from '../shared/errors';
import type { Logger } from '../shared/logger';
import type { TargetSession } from './sessions';

/** Options tests pass to skip the dialogs. */
export interface TakeHeapSnapshotArgs {
  uri?: vscode.Uri;
  /** Skip the cost confirmation. */
  confirmed?: boolean;
}

/**
 * Captures a heap snapshot of the session's target into a file. Resolves with the file, or
 * undefined when the user declined or cancelled. @throws InspectorError, TargetExitedError
 */
export async function takeHeapSnapshot(session: TargetSession, log: Logger, args: TakeHeapSnapshotArgs = {}): Promise<vscode.Uri | undefined> {
  // Through the watch's own session: it lives as long as the attach, so object ids line up across
  // snapshots and Compare can tell births from frees.
  const watch = session.watch;
  if (!watch || session.state !== 'watching') throw new TargetExitedError(session.label, 'it is not attached any more; attach again to take a snapshot');
  const sample = lastGoodSample(session.samples());
  const estimate = estimateCapture(sample?.heapUsed ?? 0);
  if (!args.confirmed) {
    const take = 'Take Snapshot';
    const picked = await vscode.window.showWarningMessage(
      `Take a heap snapshot of ${session.label}?`,
      {
        modal: true,
        detail: `The process stops for about ${formatDuration(Math.max(1, estimate.pauseSeconds))} while V8 walks its heap (${formatBytes(estimate.heapUsedBytes)} used), its memory grows by about ${formatBytes(estimate.extraRssBytes)}, and the file will be about ${formatBytes(estimate.snapshotBytes)}. Avoid this on a process close to its memory limit.`,
      },
      take,
    );
    if (picked !== take) return undefined;
  }
  let uri = args.uri;
  if (!uri) {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const name = `${session.label.replace(/[^\w.-]+/g, '_')}-${new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)}.heapsnapshot`;
    uri = await vscode.window.showSaveDialog({
      title: 'Save Heap Snapshot',
      defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined,
      filters: { 'Heap snapshot': ['heapsnapshot'] },
    });
    if (!uri) return undefined;
  }
  if (uri.scheme !== 'file') throw new Error(`heap snapshots are streamed to local files; ${uri.toString()} is not one`);
  const target = uri;
  // A second inspector session next to the watch's: capture needs the raw session, the watch keeps sampling.
  try {
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Leak Lens: heap snapshot of ${session.label}`, cancellable: true },
      async (progress, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort());
        const out = createWriteStream(target.fsPath);
        let last = 0;
        try {
          const result = await watch.takeHeapSnapshot(
            {
              write: (chunk) =>
                out.write(chunk) ? undefined : new Promise<void>((resolve) => out.once('drain', () => resolve())),
            },
            {
              signal: controller.signal,
              onProgress: (p) => {
                const percent = p.total ? Math.min(100, Math.round((p.done / p.total) * 100)) : 0;
                const message = p.receivedChars ? `writing ${formatBytes(p.receivedChars)}` : `walking the heap (${percent}%)`;
                progress.report({ message, increment: p.receivedChars ? 0 : Math.max(0, percent - last) });
                last = Math.max(last, percent);
              },
            },
          );
          if (controller.signal.aborted) throw new CancelledError('heap snapshot');
          log.info(`heap snapshot of ${session.label}: ${formatBytes(result.chars)} in ${formatDuration(result.durationMs / 1000)} -> ${target.fsPath}`);
        } finally {
          await new Promise<void>((resolve) => out.end(() => resolve()));
        }
      },
    );
  } catch (e) {
    // A half-written snapshot is useless and large; if it cannot be deleted it simply stays behind.
    await vscode.workspace.fs.delete(target).then(undefined, (d: unknown) => log.debug(`removing ${target.fsPath}: ${String(d)}`));
    throw e;
  }
  if (!args.uri) {
    const open = 'Open';
    vscode.window.showInformationMessage(`Leak Lens: heap snapshot saved to ${vscode.workspace.asRelativePath(target)}.`, open).then(
      (p) => (p === open ? vscode.commands.executeCommand('vscode.open', target) : undefined),
      (e: unknown) => log.error('opening the heap snapshot failed', e),
    );
  }
  return target;
}
