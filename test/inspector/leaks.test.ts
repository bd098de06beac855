// Real leaky servers: the verdict says leaking and a hotspot of the marked kind at the marked line (±2)
// is among the first three (a hotspot of another kind near the line does not count).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe as describeReport, detect } from './detect';
import { expectedLine, nodeBinaries, targetsDir } from './targets';

const fixtures = ['timer-cache.js', 'interval.mjs', 'filehandle.js', 'fd.js', 'listener.js', 'abort-listener.mjs', 'agent.js', 'buffers.js', 'ts/map.js'];

for (const node of nodeBinaries()) {
  for (const fixture of fixtures) {
    test(`${fixture} on ${node.label}: leaking, true line in the top 3`, async () => {
      const report = await detect(fixture, node.path);
      // The TS fixture runs compiled: its expected line is in the .ts source, reached through the map.
      const source = fixture.endsWith('ts/map.js') ? 'ts/map.ts' : fixture;
      const expected = expectedLine(source);
      const file = join(targetsDir, source);
      const message = describeReport(report);
      assert.equal(report.verdict.leaking, true, message);
      const rank = report.hotspots.findIndex((h) => h.kind === expected.kind && h.location.file === file && Math.abs(h.location.line - expected.line) <= 2);
      assert.ok(rank >= 0 && rank < 3, `expected a ${expected.kind} hotspot at ${source}:${expected.line} in the top 3\n${message}`);
      assert.ok(report.hotspots[rank].location.line >= 1 && report.hotspots[rank].location.column >= 1);
      console.log(`# ${fixture} (${node.label}): rank ${rank + 1} ${report.hotspots[rank].kind}; ${report.verdict.summary}`);
    });
  }
}
