// Golden files live beside the tests that own them (in test/, not out/). UPDATE_GOLDEN=1 rewrites.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { repoRoot } from './targets';

/** Compares `value` (as pretty JSON) with `<dir>/<name>.golden.json`, `dir` relative to the repo. */
export function assertGolden(dir: string, name: string, value: unknown): void {
  const file = join(repoRoot, dir, `${name}.golden.json`);
  const text = `${JSON.stringify(value, null, 2)}\n`;
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) {
    if (process.env.UPDATE_GOLDEN !== '1') assert.fail(`missing golden file ${relative(repoRoot, file)}: run with UPDATE_GOLDEN=1`);
    writeFileSync(file, text);
    return;
  }
  assert.equal(text, readFileSync(file, 'utf8'), `${relative(repoRoot, file)} differs (UPDATE_GOLDEN=1 rewrites it)`);
}
