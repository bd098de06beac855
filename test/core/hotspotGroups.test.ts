import { test } from 'node:test';
import assert from 'node:assert/strict';
import { groupHotspots } from '../../src/core/hotspotGroups';
import type { Hotspot } from '../../src/core/report';

const at = (line: number, over: Partial<Hotspot> = {}): Hotspot => ({
  kind: 'heap',
  location: { file: '/app/server.js', line, column: 1 },
  function: `f${line}`,
  score: 0.5,
  ...over,
});

test('groups by kind, most suspicious group first, ranks across the whole report', () => {
  const groups = groupHotspots({
    hotspots: [
      at(10, { kind: 'timer', score: 0.95, resourceType: 'Timeout', countGrowthPerMinute: 240 }),
      at(20, { score: 0.8, growthBytesPerMinute: 1024 * 1024 }),
      at(30, { kind: 'timer', score: 0.4, resourceType: 'Timeout', countGrowthPerMinute: 12 }),
      at(40, { score: 0.85 }),
    ],
  });
  assert.deepEqual(
    groups.map((g) => [g.label, g.rows.map((r) => [r.rank, r.label, r.description])]),
    [
      ['Timers', [[1, 'f10 server.js:10', '+240 Timeout/min'], [4, 'f30 server.js:30', '+12 Timeout/min']]],
      ['Heap allocations', [[2, 'f40 server.js:40', ''], [3, 'f20 server.js:20', '+1.0 MB/min']]],
    ],
  );
});

test('a site reported twice is shown once, and no report means no groups', () => {
  const groups = groupHotspots({ hotspots: [at(10, { score: 0.9 }), at(10, { score: 0.7 })] });
  assert.equal(groups.length, 1);
  assert.equal(groups[0].rows.length, 1);
  assert.equal(groups[0].rows[0].hotspot.score, 0.9);
  assert.deepEqual(groupHotspots(undefined), []);
  assert.deepEqual(groupHotspots({ hotspots: [] }), []);
});
