// Builds one bundle per entry point into dist/. Entries that do not exist yet are skipped, so the
// build works while the tree grows. `--watch` rebuilds on change; `--production` minifies.
import * as esbuild from 'esbuild';
import { existsSync, readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

/** @type {Array<{ in: string, out: string, platform: 'node' | 'browser', banner?: string }>} */
const entries = [
  { in: 'src/extension/extension.ts', out: 'extension', platform: 'node' },
  { in: 'src/server/server.ts', out: 'server', platform: 'node' },
  { in: 'src/cli/main.ts', out: 'cli', platform: 'node', banner: '#!/usr/bin/env node' },
  { in: 'src/worker/snapshotWorker.ts', out: 'snapshotWorker', platform: 'node' },
  { in: 'src/webview/snapshot/main.ts', out: 'snapshotView', platform: 'browser' },
  { in: 'src/webview/main.ts', out: 'webview', platform: 'browser' },
].filter((e) => existsSync(e.in));

const contexts = await Promise.all(
  entries.map((e) =>
    esbuild.context({
      entryPoints: { [e.out]: e.in },
      outdir: 'dist',
      bundle: true,
      platform: e.platform,
      format: e.platform === 'node' ? 'cjs' : 'iife',
      target: e.platform === 'node' ? 'node20' : 'es2022',
      external: ['vscode'],
      sourcemap: true,
      minify: production,
      keepNames: true,
      logLevel: 'warning',
      define: { LEAK_LENS_VERSION: JSON.stringify(pkg.version) },
      banner: e.banner ? { js: e.banner } : undefined,
      // The TypeScript compiler probes for optional modules it never needs in a bundle.
      mainFields: e.platform === 'node' ? ['module', 'main'] : ['browser', 'module', 'main'],
    }),
  ),
);

if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
  console.log(`watching ${entries.length} entry points`);
} else {
  const started = Date.now();
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
  console.log(`built ${entries.map((e) => `dist/${e.out}.js`).join(', ')} in ${Date.now() - started} ms`);
}
