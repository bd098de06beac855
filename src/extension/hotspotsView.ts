/**
 * The Leak Hotspots view: the active target's hotspots grouped by kind (core/hotspotGroups.ts).
 * Clicking a hotspot opens its line (`leakLens.revealHotspot`).
 */
import * as vscode from 'vscode';
import { groupHotspots, type HotspotGroup, type HotspotRow } from '../core/hotspotGroups';
import { formatBytes, formatCount, hotspotGrowth } from '../core/format';
import type { Hotspot, HotspotKind } from '../core/report';
import type { SessionManager } from './sessions';
import { uiSettings } from './settings';

type Node = { group: HotspotGroup } | { row: HotspotRow };

const KIND_ICONS: Record<HotspotKind, string> = {
  heap: 'symbol-array',
  timer: 'watch',
  socket: 'plug',
  server: 'server',
  'file-handle': 'file',
  watcher: 'eye',
  'child-process': 'terminal',
  worker: 'server-process',
  listener: 'broadcast',
  resource: 'circle-outline',
};

/** A rich tooltip; every string from the target goes through appendText (escaped). */
export function hotspotTooltip(h: Hotspot, rank?: number): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  md.appendMarkdown(`$(flame) **`);
  md.appendText(h.function || '(anonymous)');
  md.appendMarkdown(`**${rank ? ` · #${rank}` : ''}\n\n`);
  md.appendText(`${h.location.file}:${h.location.line}:${h.location.column}`);
  md.appendMarkdown('\n\n');
  const facts: string[] = [];
  const growth = hotspotGrowth(h);
  if (growth) facts.push(`Growth: ${growth}`);
  if (h.liveCount !== undefined) facts.push(`Live: ${formatCount(h.liveCount)}${h.resourceType ? ` ${h.resourceType}` : ''}`);
  if (h.liveBytes !== undefined) facts.push(`Live size: ${formatBytes(h.liveBytes)}`);
  facts.push(`Suspicion: ${Math.round(h.score * 100)}%`);
  if (h.via) facts.push(`Via: ${h.via}`);
  for (const f of facts) {
    md.appendMarkdown('- ');
    md.appendText(f);
    md.appendMarkdown('\n');
  }
  return md;
}

export class HotspotsView implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  readonly view: vscode.TreeView<Node>;
  private groups: HotspotGroup[] = [];
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly sessions: SessionManager) {
    this.view = vscode.window.createTreeView('leakLens.hotspots', { treeDataProvider: this, showCollapseAll: true });
    this.disposables.push(
      this.view,
      this.changed,
      sessions.onDidChange(() => this.refresh()),
      sessions.onDidUpdateReport(({ session }) => {
        if (session === sessions.active) this.refresh();
      }),
    );
    this.refresh();
  }

  /** The rows currently shown, most suspicious first (the test API reads this). */
  rows(): HotspotRow[] {
    return this.groups.flatMap((g) => g.rows).sort((a, b) => a.rank - b.rank);
  }

  refresh(): void {
    const session = this.sessions.active;
    const report = session?.report();
    const max = uiSettings().maxHotspots;
    this.groups = groupHotspots(report ? { hotspots: report.hotspots.slice(0, max) } : undefined);
    const count = this.rows().length;
    this.view.badge = count && session?.state === 'watching' ? { value: count, tooltip: `${count} leak hotspots` } : undefined;
    if (!session) this.view.message = undefined;
    else if (session.state === 'attaching') this.view.message = `Attaching to ${session.label}…`;
    else if (count === 0 && session.state === 'watching')
      this.view.message = 'Watching. Hotspots appear when an allocation or resource creation site keeps growing — put the program under load.';
    else if (session.state === 'ended') this.view.message = `${session.label}: ${session.endedReason() ?? 'ended'}. Showing the last report.`;
    else this.view.message = undefined;
    this.changed.fire(undefined);
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if ('group' in node) {
      const item = new vscode.TreeItem(node.group.label, vscode.TreeItemCollapsibleState.Expanded);
      item.id = `group:${node.group.kind}`;
      item.description = `${node.group.rows.length}`;
      item.iconPath = new vscode.ThemeIcon(KIND_ICONS[node.group.kind] ?? 'circle-outline');
      item.contextValue = 'leakLens.hotspotGroup';
      return item;
    }
    const { row } = node;
    const item = new vscode.TreeItem(row.label, vscode.TreeItemCollapsibleState.None);
    item.id = `hotspot:${row.key}`;
    item.description = row.description;
    item.tooltip = hotspotTooltip(row.hotspot, row.rank);
    item.iconPath = new vscode.ThemeIcon(
      row.rank <= 3 ? 'flame' : KIND_ICONS[row.hotspot.kind] ?? 'circle-outline',
      row.rank <= 3 ? new vscode.ThemeColor('list.warningForeground') : undefined,
    );
    item.contextValue = 'leakLens.hotspot';
    item.accessibilityInformation = { label: `${row.label}, ${row.description}, rank ${row.rank}` };
    item.command = { command: 'leakLens.revealHotspot', title: 'Go to Hotspot', arguments: [row.hotspot] };
    return item;
  }

  getChildren(node?: Node): Node[] {
    if (!node) return this.groups.map((group) => ({ group }));
    if ('group' in node) return node.group.rows.map((row) => ({ row }));
    return [];
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
