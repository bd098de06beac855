// Attach to a real leaking Node process through the command, and check what the user sees: the
// hotspot tree has the true line, revealing it opens that line, the chart draws and answers, the
// diagnostic at the line says "confirmed at runtime", and detach leaves nothing behind.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import { join, resolve } from 'node:path';
import * as vscode from 'vscode';
import type { LeakLensApi } from '../../../src/extension/extension';
import { connect } from '../../../src/inspector';
import { presenceExpression } from '../../../src/inspector/probes/probe';
import { evaluate } from '../../../src/inspector/session';
import { screenshot, startTarget, waitFor, type Target } from './util';

const extensionId = 'leak-lens.leak-lens';
const repoRoot = resolve(__dirname, '..', '..', '..', '..');
/** The line of timer-cache.js marked `leak-lens-expect: timer` (the setInterval in the constructor). */
const LEAK_LINE = 8;

/** A bounded loopback load: `perSecond` GETs until stopped. */
function startLoad(port: number, perSecond: number): () => void {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  const timer = setInterval(() => {
    http.get({ host: '127.0.0.1', port, path: '/', agent }, (res) => res.resume()).on('error', () => undefined);
  }, 1000 / perSecond);
  return () => {
    clearInterval(timer);
    agent.destroy();
  };
}

suite('watch a leaking process', () => {
  let api: LeakLensApi;
  let target: Target | undefined;
  let stopLoad: (() => void) | undefined;
  let file: string;

  suiteSetup(async function () {
    this.timeout(30_000);
    const extension = vscode.extensions.getExtension<LeakLensApi>(extensionId);
    assert.ok(extension);
    api = await extension.activate();
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the test workspace is open');
    // The target runs from the workspace, so its hotspot file is one the language server lints.
    file = join(folder.uri.fsPath, 'leaky-timers.js');
    copyFileSync(join(repoRoot, 'test', 'fixtures', 'targets', 'timer-cache.js'), file);
    target = await startTarget(file);
    stopLoad = startLoad(target.port, 40);
  });

  suiteTeardown(async () => {
    stopLoad?.();
    await vscode.commands.executeCommand('leakLens.detachAll');
    if (target && target.child.exitCode === null) target.child.kill();
    rmSync(file, { force: true });
  });

  test('with nothing attached the views welcome the user with next steps', async () => {
    assert.deepEqual(api.targets(), []);
    assert.equal(api.statusBarText(), undefined);
    await vscode.commands.executeCommand('leakLens.targets.focus');
    await screenshot('welcome');
  });

  test('a refused attach is reported, not thrown, and leaves nothing attached', async function () {
    this.timeout(20_000);
    // A port that was free a moment ago: nothing listens there.
    const port = await new Promise<number>((done) => {
      const s = http.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => done(p));
      });
    });
    const result = await vscode.commands.executeCommand('leakLens.attach', { port, host: '127.0.0.1' });
    assert.equal(result, undefined);
    assert.deepEqual(api.targets(), []);
    assert.equal(api.statusBarText(), undefined);
    // What the user reads: the AttachError with its next step, also in the Leak Lens output.
    await vscode.commands.executeCommand('leakLens.showOutput');
    const output = await waitFor(
      () => vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'output' && d.getText().includes(`Cannot attach to 127.0.0.1:${port}`)),
      10_000,
      'the attach error in the Leak Lens output',
    );
    assert.match(output.getText(), new RegExp(`error could not attach to 127\\.0\\.0\\.1:${port}: Cannot attach to 127\\.0\\.0\\.1:${port}: .+\\. \\S`));
  });

  test('a non-loopback inspector is refused unless remote attach is allowed', async () => {
    // 192.0.2.0/24 is reserved for documentation: nothing is contacted, the refusal comes first.
    const result = await vscode.commands.executeCommand('leakLens.attach', { host: '192.0.2.1', port: 9229 });
    assert.equal(result, undefined);
    assert.deepEqual(api.targets(), []);
    const output = await waitFor(
      () => vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'output' && d.getText().includes('Cannot attach to 192.0.2.1:9229')),
      10_000,
      'the remote refusal in the Leak Lens output',
    );
    assert.match(output.getText(), /Cannot attach to 192\.0\.2\.1:9229: .*Tunnel the port/);
  });

  test('attach with arguments: the Leak Hotspots view gets the true line', async function () {
    this.timeout(90_000);
    const result = (await vscode.commands.executeCommand('leakLens.attach', { url: target!.wsUrl })) as { state: string; pid?: number } | undefined;
    assert.equal(result?.state, 'watching', 'leakLens.attach resolves with a watching target');
    assert.equal(api.targets().length, 1);
    const hotspot = await waitFor(
      () => api.hotspots().slice(0, 3).find((h) => h.location.file === file && Math.abs(h.location.line - LEAK_LINE) <= 2),
      75_000,
      `a top-3 hotspot at ${file}:${LEAK_LINE}`,
    );
    assert.equal(hotspot.kind, 'timer');
    assert.match(api.statusBarText() ?? '', /^\$\(pulse\) \d+(\.\d)? MB [↗↘→]/);
  });

  test('revealing a hotspot opens its file at its line, with a live CodeLens', async () => {
    const hotspot = api.hotspots().find((h) => h.location.file === file);
    assert.ok(hotspot);
    await vscode.commands.executeCommand('leakLens.revealHotspot', hotspot);
    const editor = vscode.window.activeTextEditor;
    assert.ok(editor);
    assert.equal(editor.document.uri.fsPath, file);
    assert.equal(editor.selection.active.line + 1, hotspot.location.line);
    assert.ok(api.codeLensCount(editor.document.uri) > 0);
    const lenses = await waitFor(
      async () => {
        const found = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', editor.document.uri);
        return found?.filter((l) => l.command?.title.includes('Leak Lens #'));
      },
      10_000,
      'a Leak Lens CodeLens',
    );
    assert.ok(lenses.some((l) => l.range.start.line + 1 === hotspot.location.line && /Timeout\/min/.test(l.command!.title)), JSON.stringify(lenses.map((l) => l.command?.title)));
    await vscode.commands.executeCommand('workbench.action.closePanel');
    await vscode.commands.executeCommand('leakLens.hotspots.focus');
    await screenshot('hotspots');
  });

  test('the chart webview renders the series and answers a round trip', async function () {
    this.timeout(30_000);
    await vscode.commands.executeCommand('leakLens.showChart');
    const state = await waitFor(
      async () => {
        const s = await api.chartState(5_000);
        return s && s.samplesDrawn > 3 && s.hotspotRows > 0 ? s : undefined;
      },
      20_000,
      'the chart to draw samples and hotspots',
    );
    assert.deepEqual(state.series, ['rss', 'heapTotal', 'heapUsed', 'external']);
    assert.ok(state.width > 200 && state.height > 150, `chart size ${state.width}x${state.height}`);
    assert.notEqual(state.theme, 'unknown');
    assert.ok(state.resourceRows > 0);
    await screenshot('chart');
  });

  test('a static finding at the leaking line is confirmed at runtime', async function () {
    assert.ok(existsSync(join(repoRoot, 'dist', 'server.js')), 'dist/server.js is missing: build first (npm test does)');
    this.timeout(40_000);
    const uri = vscode.Uri.file(file);
    await vscode.window.showTextDocument(uri, { viewColumn: vscode.ViewColumn.One });
    const confirmed = await waitFor(
      () => vscode.languages.getDiagnostics(uri).find((d) => d.source === 'leak-lens' && d.message.includes('confirmed at runtime')),
      30_000,
      'a leak-lens diagnostic confirmed at runtime',
    );
    assert.match(confirmed.message, / — confirmed at runtime: \+[\d.]+k? Timeout\/min$/);
    assert.equal(confirmed.severity, vscode.DiagnosticSeverity.Error);
    assert.ok(api.evidence().length > 0);
    await vscode.commands.executeCommand('workbench.actions.view.problems');
    await screenshot('confirmed-diagnostic');
  });

  test('export writes a Markdown report naming the hotspot', async () => {
    const folder = vscode.workspace.workspaceFolders![0].uri;
    const out = vscode.Uri.joinPath(folder, 'leak-report.md');
    const written = (await vscode.commands.executeCommand('leakLens.exportReport', { format: 'markdown', uri: out })) as vscode.Uri | undefined;
    assert.ok(written);
    const text = readFileSync(out.fsPath, 'utf8');
    assert.match(text, /^# Leak Lens report: /);
    assert.ok(text.includes(`leaky-timers.js:${api.hotspots().find((h) => h.location.file === file)!.location.line}`), text);
    rmSync(out.fsPath, { force: true });
  });

  test('a heap snapshot of the watched target streams to a file while the watch goes on', async function () {
    this.timeout(45_000);
    const folder = vscode.workspace.workspaceFolders![0].uri;
    const out = vscode.Uri.joinPath(folder, 'leaky.heapsnapshot');
    try {
      const written = (await vscode.commands.executeCommand('leakLens.takeHeapSnapshot', { uri: out, confirmed: true })) as vscode.Uri | undefined;
      assert.equal(written?.fsPath, out.fsPath);
      const head = readFileSync(out.fsPath, 'utf8').slice(0, 40);
      assert.match(head, /^\{"snapshot":\{/);
      assert.equal(api.targets()[0]?.state, 'watching');
    } finally {
      rmSync(out.fsPath, { force: true });
    }
  });

  test('detach clears every surface and leaves nothing in the target', async function () {
    this.timeout(30_000);
    await vscode.commands.executeCommand('leakLens.detach');
    assert.equal(api.statusBarText(), undefined);
    assert.deepEqual(api.hotspots(), []);
    assert.deepEqual(api.targets(), []);
    assert.deepEqual(api.evidence(), []);
    assert.equal(api.codeLensCount(vscode.Uri.file(file)), 0);
    if (existsSync(join(repoRoot, 'dist', 'server.js'))) {
      await waitFor(
        () => !vscode.languages.getDiagnostics(vscode.Uri.file(file)).some((d) => d.message.includes('confirmed at runtime')),
        10_000,
        'the runtime confirmation to go',
      );
    }
    const { session } = await connect({ url: target!.wsUrl });
    try {
      const presence = await evaluate<{ global: boolean; addListenerPatched: boolean; openPatched: boolean }>(session, presenceExpression);
      assert.deepEqual(presence, { global: false, addListenerPatched: false, openPatched: false });
    } finally {
      await session.close();
    }
  });

  test('when the target exits, its evidence and status go and its last report stays readable', async function () {
    this.timeout(30_000);
    const result = (await vscode.commands.executeCommand('leakLens.attach', { url: target!.wsUrl })) as { state: string } | undefined;
    assert.equal(result?.state, 'watching');
    await waitFor(() => api.statusBarText(), 10_000, 'the status bar');
    target!.child.kill();
    await waitFor(() => api.targets()[0]?.state === 'ended', 15_000, 'the target to be shown as ended');
    assert.equal(api.statusBarText(), undefined);
    assert.deepEqual(api.evidence(), []);
    assert.equal(api.codeLensCount(vscode.Uri.file(file)), 0);
    await vscode.commands.executeCommand('leakLens.targets.focus');
    await screenshot('target-exited');
    await vscode.commands.executeCommand('leakLens.detach');
    assert.deepEqual(api.targets(), []);
  });
});

