import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SourceResolver, isUserScript, libraryLabel, parseStack } from '../../src/inspector/sourceMaps';
import { targetsDir } from './targets';

const compiled = join(targetsDir, 'ts', 'map.js');
const generatedLine = readFileSync(compiled, 'utf8').split('\n').findIndex((l) => l.includes('tags: Array.from')) + 1;

test('external source map: compiled line maps to the .ts line, CJS path or file URL alike', async () => {
  const resolver = new SourceResolver();
  // Nothing is read synchronously: before preload the generated position is all there is.
  assert.equal(resolver.resolve(compiled, generatedLine, 3)?.file, compiled);
  await resolver.preload([compiled]);
  for (const url of [compiled, pathToFileURL(compiled).href]) {
    const loc = resolver.resolve(url, generatedLine, 3);
    assert.equal(loc?.file, join(targetsDir, 'ts', 'map.ts'));
    assert.equal(loc?.line, 15);
  }
});

test('inline data: source map announced by Debugger.scriptParsed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'leak-lens-map-'));
  try {
    const js = readFileSync(compiled, 'utf8').replace(/\/\/# sourceMappingURL=.*$/m, '');
    const map = JSON.parse(readFileSync(compiled + '.map', 'utf8'));
    map.sources = [join(targetsDir, 'ts', 'map.ts')];
    const file = join(dir, 'inline.js');
    writeFileSync(file, js);
    const resolver = new SourceResolver();
    resolver.registerScript(pathToFileURL(file).href, `data:application/json;base64,${Buffer.from(JSON.stringify(map)).toString('base64')}`);
    await resolver.preload([pathToFileURL(file).href]);
    const loc = resolver.resolve(file, generatedLine, 3);
    assert.equal(loc?.file, join(targetsDir, 'ts', 'map.ts'));
    assert.equal(loc?.line, 15);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('stack parsing and the user-code boundary', () => {
  const frames = parseStack(
    [
      'Error',
      '    at new Timeout (node:internal/timers:199:5)',
      '    at setInterval (node:timers:217:19)',
      '    at new NodeCache (/app/node_modules/node-cache/lib/node_cache.js:61:20)',
      '    at async Server.<anonymous> (file:///app/server.mjs:12:7)',
      '    at /app/server.js:3:1',
    ].join('\n'),
  );
  assert.deepEqual(
    frames.map((f) => [f.functionName, f.line, f.isConstructor]),
    [['Timeout', 199, true], ['setInterval', 217, false], ['NodeCache', 61, true], ['Server.<anonymous>', 12, false], ['(anonymous)', 3, false]],
  );
  assert.deepEqual(frames.map((f) => isUserScript(f.url)), [false, false, false, true, true]);
  assert.equal(libraryLabel(frames[2].url, 61), 'node-cache/lib/node_cache.js:61');
});
