// The .heapsnapshot custom editor in a real VS Code: a snapshot written by a real Node process opens
// in Leak Lens' editor, whose worker parses and summarises it (5,000 Records counted).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as vscode from 'vscode';
import { screenshot, waitFor } from './util';

suite('heap snapshot editor', () => {
  test('a .heapsnapshot opens in the Leak Lens editor', async () => {
    const [folder] = vscode.workspace.workspaceFolders ?? [];
    assert.ok(folder, 'the fixture workspace is not open');
    const file = vscode.Uri.joinPath(folder.uri, 'records.heapsnapshot');
    // A small real snapshot: a child Node process holding 5,000 Record objects in a Map.
    const program = [
      'class Record { constructor(i) { this.i = i; this.label = "record " + i; } }',
      'globalThis.records = new Map();',
      'for (let i = 0; i < 5000; i++) globalThis.records.set(i, new Record(i));',
      `require('v8').writeHeapSnapshot(${JSON.stringify(file.fsPath)});`,
    ].join('\n');
    execFileSync(process.execPath, ['-e', program], { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, timeout: 60_000 });
    await vscode.commands.executeCommand('vscode.openWith', file, 'leakLens.heapSnapshot');
    const tab = await waitFor(
      () => {
        const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
        return input instanceof vscode.TabInputCustom && input.viewType === 'leakLens.heapSnapshot' ? input : undefined;
      },
      20_000,
      'the Leak Lens heap snapshot editor to open',
    );
    assert.equal(tab.uri.fsPath, file.fsPath);
    type State = { state: string; message?: string; classes?: Array<{ className: string; count: number }> };
    const state = await waitFor(
      async () => {
        const s = await vscode.commands.executeCommand<State | undefined>('leakLens.heapSnapshot.state', file);
        return s && s.state !== 'loading' ? s : undefined;
      },
      60_000,
      'the snapshot worker to summarise the file',
    );
    assert.equal(state.state, 'ready', state.message);
    assert.equal(state.classes!.find((c) => c.className === 'Record')?.count, 5000);
    await screenshot('heap-snapshot-editor');
  });
});
