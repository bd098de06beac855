// Keeps the dependency direction of STYLE.md honest: the analysis layers never import VS Code, and
// nothing imports the adapters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';

const root = resolve(__dirname, '..', '..');
const src = join(root, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(name) ? [path] : [];
  });
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const m of text.matchAll(/(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|require\(\s*['"]([^'"]+)['"]\s*\)|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
    found.push(m[1] ?? m[2] ?? m[3]);
  }
  return found;
}

/** The layer a source file belongs to, e.g. "core" for src/core/snapshot/parser.ts. */
function layerOf(file: string): string {
  return relative(src, file).split(/[\\/]/)[0];
}

const allowed: Record<string, string[]> = {
  shared: ['shared'],
  core: ['shared', 'core'],
  lint: ['shared', 'core', 'lint'],
  inspector: ['shared', 'core', 'inspector'],
  protocol: ['shared', 'core', 'lint', 'protocol'],
  server: ['shared', 'core', 'lint', 'protocol', 'server'],
  extension: ['shared', 'core', 'lint', 'inspector', 'protocol', 'extension'],
  webview: ['protocol', 'webview'],
  cli: ['shared', 'core', 'lint', 'inspector', 'worker', 'cli'],
  worker: ['shared', 'core', 'protocol', 'worker'],
};

test('src/core, src/lint and src/inspector never import vscode', () => {
  const offenders = ['core', 'lint', 'inspector', 'shared', 'protocol']
    .flatMap((layer) => {
      try {
        return sourceFiles(join(src, layer));
      } catch {
        return [];
      }
    })
    .filter((file) => imports(file).some((spec) => spec === 'vscode' || spec.startsWith('vscode-languag')));
  assert.deepEqual(offenders.map((f) => relative(root, f)), []);
});

test('imports point inward (STYLE.md layout)', () => {
  const violations: string[] = [];
  for (const file of sourceFiles(src)) {
    const from = layerOf(file);
    const permitted = allowed[from];
    assert.ok(permitted, `unknown layer src/${from}: add it to the layering test and STYLE.md`);
    for (const spec of imports(file)) {
      if (!spec.startsWith('.')) continue;
      const target = resolve(dirname(file), spec);
      if (!target.startsWith(src)) continue;
      const to = layerOf(target);
      if (!permitted.includes(to)) violations.push(`${relative(root, file)} imports ${spec} (${from} -> ${to})`);
    }
  }
  assert.deepEqual(violations, []);
});

test('the layering check itself sees imports', () => {
  // Guards against a regex that silently matches nothing, which would make the tests above pass vacuously.
  const self = imports(join(src, 'cli', 'main.ts'));
  assert.ok(self.includes('../shared/errors'), `found ${JSON.stringify(self)}`);
});
