// The engine on real snapshots of a real leaking Node process (test/fixtures/snapshots/leaky.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { rmSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { parseSnapshot } from '../../../src/core/snapshot/parser';
import { analyzeSnapshot } from '../../../src/core/snapshot/analyze';
import { diffSnapshots, digestSnapshot, findLeaks } from '../../../src/core/snapshot/diff';
import { assertGolden } from './golden';
import { leakyRecordLine, repoRoot, threeSnapshots } from './targets';

const LEAK = 3000;

function parseFile(file: string) {
  return parseSnapshot(createReadStream(file, { highWaterMark: 64 * 1024 }), { source: file });
}

test('three snapshots of a leaking process put LeakyRecord and the Map holding it on top', async () => {
  const files = await threeSnapshots(LEAK);
  try {
    await check(files);
  } finally {
    rmSync(dirname(files.s1), { recursive: true, force: true });
  }
});

async function check(files: Record<string, string>): Promise<void> {
  const first = digestSnapshot(await parseFile(files.s1));
  const second = digestSnapshot(await parseFile(files.s2));
  const third = analyzeSnapshot(await parseFile(files.s3));

  // Summary: 10 warm-up records + two leak steps, each constructor counted exactly.
  const leaky = third.summary.classes.find((c) => c.className === 'LeakyRecord')!;
  assert.equal(leaky.count, 10 + 2 * LEAK);
  assert.equal(third.summary.classes.find((c) => c.className === 'TempRecord'), undefined, 'garbage is collected before a snapshot');
  assert.ok(leaky.retainedBytes > leaky.selfBytes);
  assert.equal(relative(repoRoot, leaky.location!.url), 'test/fixtures/snapshots/leaky.js');
  assert.equal(leaky.location!.line, leakyRecordLine);

  // Two-snapshot diff: exactly LEAK new records between 1 and 2.
  const delta = diffSnapshots(first, second).find((r) => r.className === 'LeakyRecord')!;
  assert.equal(delta.addedCount, LEAK);
  assert.equal(delta.removedCount, 0);

  // Three-snapshot technique: the records allocated between 1 and 2 that are still alive.
  const report = findLeaks(first, second, third);
  const top = report.byConstructor[0];
  assert.equal(top.className, 'LeakyRecord');
  assert.equal(top.count, LEAK);
  assert.match(top.retainerPathText!, /system \/ Context::records → Map\.table → \(array\)\[\] → LeakyRecord$/);
  const path = report.byRetainerPath[0];
  assert.equal(path.className, 'LeakyRecord');
  assert.equal(path.count, LEAK);
  assert.ok(path.retainedBytes >= top.retainedBytes * 0.99);
  assert.equal(path.sampleIds.length, 5);

  assertGolden('test/core/snapshot', 'leaks', {
    summaryTop: third.summary.classes
      .filter((c) => /Record$/.test(c.className))
      .map((c) => ({ className: c.className, count: c.count })),
    byConstructor: report.byConstructor.slice(0, 3).map((g) => ({ key: g.key, count: g.count, internal: g.internal, path: g.retainerPathText })),
    byRetainerPath: report.byRetainerPath.slice(0, 2).map((g) => ({ key: g.key, count: g.count })),
  });
}
