// Folding a cluster's reports into one: who leads, what goes under `workers`, how hotspots merge.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { combineClusterReports, mergeHotspots } from '../../src/core/clusterReport';
import type { Hotspot, WatchReport } from '../../src/core/report';

function hotspot(line: number, score: number, kind: Hotspot['kind'] = 'timer'): Hotspot {
  return { kind, location: { file: '/app/server.js', line, column: 5 }, function: 'handler', score };
}

function report(pid: number, leaking: boolean, hotspots: Hotspot[] = []): WatchReport {
  return {
    target: { address: `pid ${pid}`, pid },
    durationSeconds: 10,
    verdict: { leaking, confidence: leaking ? 0.9 : 0.1, growthBytesPerMinute: 0, projectedOutOfMemory: null, summary: leaking ? 'leaking' : 'stable' },
    hotspots,
  };
}

test('the primary leads when it leaks or nothing does; else the first leaking worker', () => {
  assert.equal(combineClusterReports([report(1, true), report(2, true)]).target.pid, 1);
  assert.equal(combineClusterReports([report(1, false), report(2, false)]).target.pid, 1);
  const led = combineClusterReports([report(1, false), report(2, false), report(3, true), report(4, true)]);
  assert.equal(led.target.pid, 3);
  assert.equal(led.verdict.leaking, true);
  assert.deepEqual(led.workers!.map((r) => r.target.pid), [1, 2, 4]);
  assert.deepEqual(combineClusterReports([report(1, false)]).workers, []);
  assert.throws(() => combineClusterReports([]), RangeError);
});

test('hotspots merge to one per location, the most suspicious kept, sorted by score', () => {
  const merged = mergeHotspots([report(1, false, [hotspot(3, 0.4)]), report(2, true, [hotspot(8, 0.7), hotspot(3, 0.5)]), report(3, true, [hotspot(8, 0.9, 'heap')])]);
  assert.deepEqual(
    merged.map((h) => [h.location.line, h.score, h.kind]),
    [
      [8, 0.9, 'heap'],
      [3, 0.5, 'timer'],
    ],
  );
  const combined = combineClusterReports([report(1, false), report(2, true, [hotspot(8, 0.7)])]);
  assert.deepEqual(combined.hotspots, [hotspot(8, 0.7)]);
  assert.equal(combined.workers![0].workers, undefined);
});
