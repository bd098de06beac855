/**
 * The Targets view: attached (and recently ended) targets with their state and verdict. Selecting
 * one makes it the active target shown by the other views.
 */
import * as vscode from 'vscode';
import { formatBytes, lastGoodSample, projectionText, statusText, verdictHeadline } from '../core/format';
import type { SessionManager, TargetSession } from './sessions';

export class TargetsView implements vscode.TreeDataProvider<TargetSession>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TargetSession | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  readonly view: vscode.TreeView<TargetSession>;
  private readonly disposables: vscode.Disposable[] = [];
  private lastRefresh = 0;

  constructor(private readonly sessions: SessionManager) {
    this.view = vscode.window.createTreeView('leakLens.targets', { treeDataProvider: this });
    this.disposables.push(
      this.view,
      this.changed,
      sessions.onDidChange(() => this.changed.fire(undefined)),
      sessions.onDidUpdateReport(() => this.changed.fire(undefined)),
      // Live numbers in the description, at most every 2 s so the tree does not flicker.
      sessions.onDidSample(() => {
        const now = Date.now();
        if (now - this.lastRefresh < 2000) return;
        this.lastRefresh = now;
        this.changed.fire(undefined);
      }),
      this.view.onDidChangeSelection((e) => {
        if (e.selection[0]) sessions.setActive(e.selection[0]);
      }),
    );
  }

  getTreeItem(session: TargetSession): vscode.TreeItem {
    const item = new vscode.TreeItem(session.label, vscode.TreeItemCollapsibleState.None);
    item.id = `target:${session.id}`;
    const report = session.report();
    const leaking = report?.verdict.leaking === true;
    const sample = lastGoodSample(session.samples());
    if (session.state === 'attaching') {
      item.description = 'attaching…';
      item.iconPath = new vscode.ThemeIcon('loading~spin');
    } else if (session.state === 'ended') {
      item.description = session.endedReason() ?? 'ended';
      item.iconPath = new vscode.ThemeIcon('debug-disconnect', new vscode.ThemeColor('disabledForeground'));
    } else {
      item.description = `${leaking ? 'leaking · ' : ''}${statusText(sample, report?.verdict, report?.hotspots[0]).replace('$(pulse) ', '')}`;
      item.iconPath = leaking
        ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'))
        : new vscode.ThemeIcon('pulse', new vscode.ThemeColor('charts.green'));
    }
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown('**');
    md.appendText(session.label);
    md.appendMarkdown('**\n\n');
    md.appendText([session.target.address, session.target.pid !== undefined ? `pid ${session.target.pid}` : '', session.target.nodeVersion ?? ''].filter(Boolean).join(' · '));
    md.appendMarkdown('\n\n');
    if (report) {
      md.appendText(verdictHeadline(report.verdict));
      const projection = projectionText(report.verdict);
      if (projection) {
        md.appendMarkdown('\n\n$(clock) ');
        md.appendText(projection);
      }
    }
    if (sample) {
      md.appendMarkdown('\n\n');
      md.appendText(`RSS ${formatBytes(sample.rss)} · heap ${formatBytes(sample.heapUsed)} of ${formatBytes(sample.heapTotal)} · external ${formatBytes(sample.external)}`);
    }
    item.tooltip = md;
    item.contextValue = `leakLens.target.${session.state}`;
    item.command = { command: 'leakLens.showChart', title: 'Show Memory Chart', arguments: [session] };
    return item;
  }

  getChildren(session?: TargetSession): TargetSession[] {
    return session ? [] : [...this.sessions.sessions];
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
