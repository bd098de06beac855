import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rankHotspots, type SiteSeries } from '../../../src/core/analyses/hotspots';

const pts = (f: (i: number) => number) => Array.from({ length: 12 }, (_, i) => ({ t: i * 1000, v: f(i) }));
const site = (line: number, kind: SiteSeries['kind'], f: (i: number) => number): SiteSeries => ({
  kind,
  location: { file: '/app/server.js', line, column: 1 },
  function: `f${line}`,
  points: pts(f),
});

test('growing sites come first, flat and shrinking ones are left out', () => {
  const ranked = rankHotspots([
    site(1, 'heap', () => 1_000_000),
    site(2, 'timer', (i) => 10 + i * 20),
    site(3, 'heap', (i) => 1_000_000 + i * 500_000),
    site(4, 'heap', (i) => 5_000_000 - i * 100_000),
    site(5, 'timer', (i) => 3 + (i % 2)),
  ]);
  assert.deepEqual(ranked.map((h) => h.location.line), [3, 2]);
  assert.equal(ranked[1].liveCount, 230);
  assert.ok(ranked[0].growthBytesPerMinute! > 20_000_000);
});
