/** Reads the `leakLens.watch.*` and `leakLens.ui.*` settings (declared in package.json). */
import * as vscode from 'vscode';

/** How to watch a target; passed to the inspector's watch(). */
export interface WatchSettings {
  intervalMs: number;
  trackCreationSites: boolean;
  heapSampling: boolean;
  allowRemoteAttach: boolean;
}

/** How to present it. */
export interface UiSettings {
  statusBar: boolean;
  codeLens: boolean;
  openChartOnAttach: boolean;
  maxHotspots: number;
}

export function watchSettings(): WatchSettings {
  const c = vscode.workspace.getConfiguration('leakLens.watch');
  return {
    intervalMs: Math.max(250, c.get<number>('intervalMs', 1000)),
    trackCreationSites: c.get<boolean>('trackCreationSites', true),
    heapSampling: c.get<boolean>('heapSampling', true),
    allowRemoteAttach: c.get<boolean>('allowRemoteAttach', false),
  };
}

export function uiSettings(): UiSettings {
  const c = vscode.workspace.getConfiguration('leakLens.ui');
  return {
    statusBar: c.get<boolean>('statusBar', true),
    codeLens: c.get<boolean>('codeLens', true),
    openChartOnAttach: c.get<boolean>('openChartOnAttach', true),
    maxHotspots: Math.max(1, c.get<number>('maxHotspots', 20)),
  };
}
