// The walkthrough's first step: "Start the Leaky Demo" runs the bundled demo under a bounded load,
// attaches, and finds the demo's leaks; detaching stops the demo. Also looks at the chart in dark and
// high-contrast themes, since the colours come from theme variables.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { LeakLensApi } from '../../../src/extension/extension';
import { screenshot, waitFor } from './util';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

suite('the leaky demo', () => {
  let api: LeakLensApi;
  let demoPid: number | undefined;

  suiteSetup(async () => {
    const extension = vscode.extensions.getExtension<LeakLensApi>('leak-lens.leak-lens');
    assert.ok(extension);
    api = await extension.activate();
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('leakLens.detachAll');
    if (demoPid !== undefined && alive(demoPid)) process.kill(demoPid);
    await vscode.workspace.getConfiguration('workbench').update('colorTheme', undefined, vscode.ConfigurationTarget.Global);
  });

  test('Start the Leaky Demo attaches and finds the per-request cache timer', async function () {
    this.timeout(90_000);
    const started = (await vscode.commands.executeCommand('leakLens.startDemo')) as { pid?: number; port: number } | undefined;
    assert.ok(started?.pid, 'the demo reports its pid');
    demoPid = started.pid;
    const hotspot = await waitFor(
      () => api.hotspots().slice(0, 3).find((h) => h.location.file.endsWith('leaky-server.js') && h.kind === 'timer'),
      75_000,
      'a timer hotspot in leaky-server.js among the first three',
    );
    // The SessionCache constructor's setInterval (line 14) or the `new SessionCache` in the handler (line 38).
    assert.ok([14, 38].some((line) => Math.abs(hotspot.location.line - line) <= 2), `hotspot at line ${hotspot.location.line}`);
  });

  test('the chart reads in a dark and a high-contrast theme', async function () {
    this.timeout(60_000);
    for (const [theme, name] of [
      ['Default Dark Modern', 'dark'],
      ['Default High Contrast', 'high-contrast'],
    ] as const) {
      await vscode.workspace.getConfiguration('workbench').update('colorTheme', theme, vscode.ConfigurationTarget.Global);
      await vscode.commands.executeCommand('leakLens.showChart');
      const state = await waitFor(
        async () => {
          const s = await api.chartState(5_000);
          // Twenty seconds of data, so the picture shows a trend rather than a few points.
          return s && s.theme === name && s.samplesDrawn >= 20 ? s : undefined;
        },
        30_000,
        `the chart to redraw in the ${name} theme`,
      );
      assert.ok(state.width > 200);
      await screenshot(`chart-${name}`);
    }
  });

  test('the walkthrough opens', async () => {
    await vscode.commands.executeCommand('workbench.action.openWalkthrough', 'leak-lens.leak-lens#leakLens.gettingStarted', false);
    await screenshot('walkthrough');
  });

  test('detaching stops the demo process', async function () {
    this.timeout(20_000);
    assert.ok(demoPid);
    await vscode.commands.executeCommand('leakLens.detach');
    await waitFor(() => !alive(demoPid!), 10_000, 'the demo process to exit');
    assert.equal(api.statusBarText(), undefined);
  });
});
