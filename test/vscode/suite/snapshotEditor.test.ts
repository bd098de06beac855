// The .heapsnapshot custom editor in a real VS Code: a snapshot written by a real Node process opens
// in Leak Lens' editor, whose worker parses and summarises it (5,000 Records counted).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import * as http from 'node:http';
import { join, resolve } from 'node:path';
import * as vscode from 'vscode';
import type { DiffReport } from '../../../src/core/snapshot/reports';
import { screenshot, startTarget, waitFor } from './util';

const repoRoot = resolve(__dirname, '..', '..', '..', '..');

/** GET /step?n=K of grows-and-churns.js: K more Growers kept, K Churners replaced. */
function step(port: number, n: number): Promise<void> {
  return new Promise((done, fail) => {
    http.get({ host: '127.0.0.1', port, path: `/step?n=${n}` }, (res) => res.resume().on('end', () => done())).on('error', fail);
  });
}

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

  test('three snapshots taken with the command compare in the editor: the growing class leads with its exact count', async function () {
    this.timeout(120_000);
    const [folder] = vscode.workspace.workspaceFolders ?? [];
    assert.ok(folder);
    await vscode.commands.executeCommand('leakLens.detachAll');
    const target = await startTarget(join(repoRoot, 'test', 'fixtures', 'targets', 'grows-and-churns.js'));
    const files = [1, 2, 3].map((k) => vscode.Uri.joinPath(folder.uri, `compare-${k}.heapsnapshot`));
    const K = 400;
    try {
      const attached = (await vscode.commands.executeCommand('leakLens.attach', { url: target.wsUrl })) as { state: string } | undefined;
      assert.equal(attached?.state, 'watching');
      for (let k = 0; k < 3; k++) {
        if (k > 0) await step(target.port, K);
        const written = (await vscode.commands.executeCommand('leakLens.takeHeapSnapshot', { uri: files[k], confirmed: true })) as vscode.Uri | undefined;
        assert.equal(written?.fsPath, files[k].fsPath);
      }
      await vscode.commands.executeCommand('vscode.openWith', files[2], 'leakLens.heapSnapshot');
      await waitFor(
        async () => ((await vscode.commands.executeCommand<{ state: string } | undefined>('leakLens.heapSnapshot.state', files[2]))?.state === 'ready' ? true : undefined),
        60_000,
        'the third snapshot to load in the editor',
      );
      const report = (await vscode.commands.executeCommand('leakLens.heapSnapshot.compare', files[2], [files[1], files[0]])) as DiffReport;
      assert.equal(report.mode, 'by-id', report.note);
      assert.equal(report.classes.find((c) => c.className === 'Churner')?.removedCount, K, 'churn shows as frees: ids line up across the takes');
      assert.equal(report.leaks?.byConstructor[0]?.key, 'Grower', JSON.stringify(report.leaks?.byConstructor.slice(0, 3).map((g) => g.key)));
      assert.equal(report.leaks?.byConstructor[0]?.count, K);
      await screenshot('heap-snapshot-compare');
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      await vscode.commands.executeCommand('leakLens.detachAll');
      target.child.kill();
      for (const f of files) rmSync(f.fsPath, { force: true });
    }
  });
});
