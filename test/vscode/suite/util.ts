/**
 * Helpers for extension tests running inside VS Code (see test/vscode/README.md).
 */
import { existsSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { TimeoutError, UsageError } from '../../../src/shared/errors';
import { launchWithInspector, type LaunchedTarget } from '../../../src/inspector/launch';

/**
 * The console line the harness watches for (it arrives through the workbench's automation log):
 * `[leak-lens-screenshot] <name>` asks it to capture the page into `<screenshot dir>/<name>.png`.
 */
export const SCREENSHOT_MARKER = '[leak-lens-screenshot]';

/** What a screenshot name may contain: it becomes a file name, never a path. */
export const SCREENSHOT_NAME_PATTERN = /^[\w.-]+$/;

/**
 * Polls `predicate` every 50 ms until it returns a truthy value, and returns that value.
 * @param what says what we are waiting for; it ends up in the error message.
 * @throws TimeoutError when `timeoutMs` passes first. A predicate that throws fails at once.
 */
export async function waitFor<T>(predicate: () => T | Promise<T>, timeoutMs: number, what: string): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await predicate();
    if (value) return value as NonNullable<T>;
    if (Date.now() >= deadline) throw new TimeoutError(`waiting for ${what}`, timeoutMs);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Captures the whole workbench as `test-results/screenshots/<name>.png` and resolves once the file
 * is written. Look at it: it is what a user sees at this point of the test.
 * Outside the offline harness (e.g. under @vscode/test-electron) nobody takes the picture, so this
 * logs that and returns without waiting.
 * @param name letters, digits, `.`, `_` and `-` only.
 * @throws UsageError for a name outside that set; TimeoutError if the harness does not write the file within 15 s.
 */
export async function screenshot(name: string): Promise<void> {
  if (!SCREENSHOT_NAME_PATTERN.test(name)) throw new UsageError(`screenshot name must match [\\w.-]+, got ${JSON.stringify(name)}`);
  const dir = process.env.LEAK_LENS_SCREENSHOT_DIR;
  if (!dir) {
    console.log(`${SCREENSHOT_MARKER} skipped ${name}: LEAK_LENS_SCREENSHOT_DIR is not set (not the offline harness)`);
    return;
  }
  const file = join(dir, `${name}.png`);
  // Removing the old picture first means the poll below can only see the new one.
  rmSync(file, { force: true });
  console.log(`${SCREENSHOT_MARKER} ${name}`);
  await waitFor(() => existsSync(file) && statSync(file).size > 0, 15_000, `the harness to write ${file}`);
}

export type Target = LaunchedTarget;

/** Starts a fixture with an inspector on a free loopback port (Node 24 when the harness gives one). */
export function startTarget(file: string): Promise<Target> {
  return launchWithInspector(file, { node: process.env.LEAK_LENS_NODE24 ?? process.execPath });
}
