/**
 * The status bar item while a target is watched: `$(pulse) 182 MB ↗ 3.2 MB/min`, warning background
 * once a leak is confirmed; click opens the chart. Hidden when nothing is watched.
 */
import * as vscode from 'vscode';
import { lastGoodSample, projectionText, statusText, verdictHeadline } from '../core/format';
import type { SessionManager } from './sessions';
import { uiSettings } from './settings';

export class StatusBar implements vscode.Disposable {
  readonly item: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];
  private visible = false;

  constructor(private readonly sessions: SessionManager) {
    this.item = vscode.window.createStatusBarItem('leakLens.status', vscode.StatusBarAlignment.Left, 50);
    this.item.name = 'Leak Lens';
    this.item.command = { command: 'leakLens.showChart', title: 'Show Memory Chart' };
    this.disposables.push(
      this.item,
      sessions.onDidChange(() => this.update()),
      sessions.onDidSample(({ session }) => session === sessions.active && this.update()),
      sessions.onDidUpdateReport(({ session }) => session === sessions.active && this.update()),
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('leakLens.ui.statusBar') && this.update()),
    );
    this.update();
  }

  /** The text shown, or undefined while hidden (the test API reads this). */
  get text(): string | undefined {
    return this.visible ? this.item.text : undefined;
  }

  private update(): void {
    const session = this.sessions.active;
    if (!session || session.state === 'ended' || !uiSettings().statusBar) {
      this.visible = false;
      this.item.hide();
      return;
    }
    const report = session.report();
    const sample = lastGoodSample(session.samples());
    this.item.text = session.state === 'attaching' ? '$(loading~spin) Leak Lens: attaching…' : statusText(sample, report?.verdict, report?.hotspots[0]);
    const leaking = report?.verdict.leaking === true;
    this.item.backgroundColor = leaking ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown('**Leak Lens** · ');
    md.appendText(session.label);
    md.appendMarkdown('\n\n');
    md.appendText(report ? verdictHeadline(report.verdict) : 'Collecting samples…');
    const projection = report && projectionText(report.verdict);
    if (projection) {
      md.appendMarkdown('\n\n$(clock) ');
      md.appendText(projection);
    }
    md.appendMarkdown('\n\nClick to open the memory chart.');
    this.item.tooltip = md;
    this.item.accessibilityInformation = { label: `Leak Lens: ${this.item.text.replace(/\$\([^)]+\)\s*/g, '')}${leaking ? ', leak confirmed' : ''}` };
    this.visible = true;
    this.item.show();
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
