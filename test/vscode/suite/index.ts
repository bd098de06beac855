/**
 * Entry point of the extension tests inside VS Code (the `extensionTestsPath` module). VS Code calls
 * {@link run} in the extension host once the workbench is up; the returned promise decides the
 * exit code. Used by both harnesses: test/runVscodeTests.mjs (offline, code-server) and
 * test/electron.mjs (@vscode/test-electron).
 *
 * Tests use mocha's TDD interface (`suite` / `test` / `suiteSetup` / `teardown`), as VS Code's own
 * extension tests do, in files named `*.test.ts` anywhere under test/vscode/suite/.
 * Set LEAK_LENS_TEST_FILTER to a substring of a test file's path to run fewer files.
 */
import Mocha from 'mocha';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Printed before mocha starts, so the harness knows the suite is running (its start timeout ends). */
export const SUITE_STARTED_MARKER = '[leak-lens-suite] started';

function testFiles(dir: string): string[] {
  return readdirSync(dir)
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return testFiles(path);
      return name.endsWith('.test.js') ? [path] : [];
    })
    .sort();
}

export function run(): Promise<void> {
  const filter = process.env.LEAK_LENS_TEST_FILTER;
  const files = testFiles(__dirname).filter((f) => !filter || f.includes(filter));
  console.log(`${SUITE_STARTED_MARKER} ${files.length} test file(s): ${files.map((f) => relative(__dirname, f)).join(', ')}`);
  if (files.length === 0) {
    console.log('vscode: 0 passed, 0 failed, 0 skipped');
    return Promise.reject(new Error(`no *.test.js files under ${__dirname}${filter ? ` matching ${filter}` : ''}`));
  }
  // Slow machines and CI: an extension-host test that starts processes and waits for the UI may
  // need seconds; the harness's overall bound catches a real hang.
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 60_000, reporter: 'spec' });
  for (const file of files) mocha.addFile(file);
  return new Promise((resolve, reject) => {
    try {
      const runner = mocha.run((failures) => {
        const stats = runner.stats ?? { passes: 0, failures, pending: 0 };
        // The line CI reads: mocha's own "N passing" is not stable enough to parse.
        console.log(`vscode: ${stats.passes} passed, ${stats.failures} failed, ${stats.pending} skipped`);
        if (failures > 0) reject(new Error(`${failures} extension test(s) failed`));
        else resolve();
      });
    } catch (error) {
      // A test file that throws while loading (e.g. a bad import) lands here, not in a test result.
      console.error(error);
      console.log('vscode: 0 passed, 1 failed, 0 skipped');
      reject(error instanceof Error ? error : new Error(String(error)));
    }
  });
}
