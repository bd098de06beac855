/**
 * CodeLens at hotspot lines while a target is watched: `Leak Lens #1: +240 Timeout/min · 300 live`.
 * Lenses go as soon as the target ends or is detached.
 */
import * as vscode from 'vscode';
import { formatBytes, formatCount, hotspotGrowth } from '../core/format';
import type { Hotspot } from '../core/report';
import type { SessionManager } from './sessions';
import { uiSettings } from './settings';

export class HotspotLens implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly sessions: SessionManager) {
    this.disposables.push(
      this.changed,
      vscode.languages.registerCodeLensProvider([{ scheme: 'file' }, { scheme: 'vscode-remote' }], this),
      sessions.onDidChange(() => this.changed.fire()),
      sessions.onDidUpdateReport(() => this.changed.fire()),
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('leakLens.ui.codeLens') && this.changed.fire()),
    );
  }

  /** Hotspots of every watched target in this file, most suspicious first. */
  hotspotsIn(uri: vscode.Uri): Array<{ hotspot: Hotspot; rank: number }> {
    const out: Array<{ hotspot: Hotspot; rank: number }> = [];
    for (const session of this.sessions.watching) {
      session.report()?.hotspots.forEach((hotspot, i) => {
        if (vscode.Uri.file(hotspot.location.file).fsPath === uri.fsPath) out.push({ hotspot, rank: i + 1 });
      });
    }
    return out;
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    if (!uiSettings().codeLens) return [];
    return this.hotspotsIn(document.uri).map(({ hotspot, rank }) => {
      const line = Math.min(Math.max(0, hotspot.location.line - 1), Math.max(0, document.lineCount - 1));
      const live = [
        hotspot.liveCount !== undefined ? `${formatCount(hotspot.liveCount)} live` : '',
        hotspot.kind === 'heap' && hotspot.liveBytes !== undefined ? formatBytes(hotspot.liveBytes) : '',
      ]
        .filter(Boolean)
        .join(', ');
      const title = `$(flame) Leak Lens #${rank}: ${[hotspotGrowth(hotspot), live].filter(Boolean).join(' · ')}`;
      return new vscode.CodeLens(new vscode.Range(line, 0, line, 0), {
        title,
        tooltip: 'Growing at runtime in the watched process. Click to open the memory chart.',
        command: 'leakLens.showChart',
      });
    });
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
