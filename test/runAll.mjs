// `npm test`: install the test host once (VS Code server, the Node 24 that runs it and that the watch
// tests also run targets on, Debian's chromium), typecheck and compile, build the bundles, run the
// unit/integration tests, then the extension tests in a real VS Code. Nothing is skipped for want of
// an install. Stops at the first failing stage and exits non-zero.
import { spawnSync } from 'node:child_process';

const stages = [
  ['test host (VS Code server, Node 24, chromium)', process.execPath, ['test/setupHost.mjs']],
  ['compile (typecheck + tests)', 'npx', ['tsc', '-p', '.']],
  ['build bundles', process.execPath, ['esbuild.mjs']],
  ['unit and integration tests', process.execPath, ['test/runUnit.mjs']],
  ['extension tests in VS Code', process.execPath, ['test/runVscodeTests.mjs']],
];

for (const [name, command, args] of stages) {
  console.log(`\n=== ${name} ===`);
  const started = Date.now();
  const result = spawnSync(command, args, { stdio: 'inherit' });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (result.status !== 0) {
    console.error(`\n${name} failed (exit ${result.status ?? result.signal}) after ${seconds} s`);
    process.exit(1);
  }
  console.log(`=== ${name}: ok in ${seconds} s ===`);
}
