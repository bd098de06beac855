// The snapshot editor's webview bundle in a real headless Chromium: renders a summary made by the
// engine, sorts, filters, asks for retainer paths and opens locations, only through messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { chromium } from 'playwright-core';
import { analyzeSnapshot } from '../../src/core/snapshot/analyze';
import { toSummaryReport } from '../../src/core/snapshot/reports';
import { buildSnapshot } from '../core/snapshot/build';
import { repoRoot } from '../core/snapshot/targets';

const chromiumPath = process.env.LEAK_LENS_CHROMIUM ?? '/usr/bin/chromium';

test('the snapshot view sorts, filters, asks for a retainer path and opens a location', async () => {
  assert.ok(existsSync(chromiumPath), `no chromium at ${chromiumPath}: run node test/setupHost.mjs (npm test does), or set LEAK_LENS_CHROMIUM`);
  const outdir = join(tmpdir(), `leak-lens-view-${process.pid}`);
  await esbuild.build({ entryPoints: [join(repoRoot, 'src/webview/snapshot/main.ts')], bundle: true, format: 'iife', platform: 'browser', outfile: join(outdir, 'view.js'), logLevel: 'error' });
  const script = readFileSync(join(outdir, 'view.js'), 'utf8');
  const snapshot = buildSnapshot([
    { name: '', edges: [{ to: 1 }, { to: 2 }, { to: 3 }] },
    { name: 'Big', self: 10, edges: [{ to: 4 }] },
    { name: 'Small', self: 20 },
    { name: 'Small', self: 20 },
    { name: 'payload', type: 'string', self: 500 },
  ]);
  const report = toSummaryReport('/tmp/x/app.heapsnapshot', analyzeSnapshot(snapshot));
  report.classes.find((c) => c.className === 'Big')!.location = { url: 'file:///src/app.js', line: 12, column: 3 };
  const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage();
    await page.setContent('<div id="app"></div>');
    await page.evaluate(() => {
      (window as any).posted = [];
      (window as any).acquireVsCodeApi = () => ({ postMessage: (m: unknown) => (window as any).posted.push(m) });
    });
    await page.addScriptTag({ content: script });
    const posted = () => page.evaluate(() => (window as any).posted as Array<{ type: string; [k: string]: unknown }>);
    assert.deepEqual(await posted(), [{ type: 'ready' }]);
    await page.evaluate((r) => window.postMessage({ type: 'summary', report: r }, '*'), report);
    await page.waitForSelector('tbody tr');
    const names = () => page.$$eval('tbody tr td:first-child', (cells) => cells.map((c) => c.textContent));
    // Default order: retained size, largest first.
    assert.deepEqual((await names()).slice(0, 2), ['(synthetic)', 'Big']);
    await page.click('th:has-text("Count")');
    assert.equal((await names())[0], 'Small');
    await page.fill('#filter', 'big');
    assert.deepEqual(await names(), ['Big']);
    await page.click('tbody tr');
    const bigId = report.classes.find((c) => c.className === 'Big')!.largestIds[0];
    assert.deepEqual((await posted()).at(-1), { type: 'objectDetails', nodeId: bigId });
    await page.evaluate(
      (id) =>
        window.postMessage(
          {
            type: 'details',
            details: {
              nodeId: id, className: 'Big', name: 'Big', selfBytes: 10, retainedBytes: 510,
              retainerPath: [
                { node: 0, className: '(synthetic)', name: '', edge: 'e1', edgeType: 'property' },
                { node: 1, className: 'Big', name: 'Big', edge: '', edgeType: '' },
              ],
            },
          },
          '*',
        ),
      bigId,
    );
    await page.waitForSelector('ol.path li');
    assert.deepEqual(await page.$$eval('ol.path li', (items) => items.map((i) => i.textContent)), ['(root) .e1', 'Big']);
    await page.click('td a:has-text("app.js:12")');
    assert.deepEqual((await posted()).at(-1), { type: 'openLocation', location: { url: 'file:///src/app.js', line: 12, column: 3 } });
    mkdirSync(join(repoRoot, 'test-results', 'screenshots'), { recursive: true });
    await page.screenshot({ path: join(repoRoot, 'test-results', 'screenshots', 'snapshot-view.png'), fullPage: true });
  } finally {
    await browser.close();
    rmSync(outdir, { recursive: true, force: true });
  }
});
