// Runs every compiled unit/integration test (out/test/**/*.test.js, except the VS Code suite, which
// needs an extension host) with Node's built-in test runner. Extra args are passed to `node --test`
// (e.g. --test-name-pattern). Set LEAK_LENS_TEST_FILTER to a substring of a path to run fewer files.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function collect(dir, out) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (path !== join('out', 'test', 'vscode') && name !== 'fixtures') collect(path, out);
    } else if (name.endsWith('.test.js')) out.push(path);
  }
  return out;
}

const filter = process.env.LEAK_LENS_TEST_FILTER;
const files = collect(join('out', 'test'), []).filter((f) => !filter || f.includes(filter)).sort();
if (files.length === 0) {
  console.error('no test files found under out/test: run `npm run compile-tests` first');
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--test', '--test-concurrency=2', '--test-timeout=300000', ...process.argv.slice(2), ...files], {
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
