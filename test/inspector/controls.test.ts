// Steady servers must not be called leaking: a full bounded cache, a big startup allocation, heavy
// short-lived garbage, a fixed socket pool.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describe as describeReport, detect } from './detect';
import { nodeBinaries } from './targets';

const controls = ['bounded-cache.js', 'startup.js', 'churn.js', 'socket-pool.js'];

for (const node of nodeBinaries()) {
  for (const fixture of controls) {
    test(`${fixture} on ${node.label}: not leaking`, async () => {
      const report = await detect(fixture, node.path);
      assert.equal(report.verdict.leaking, false, describeReport(report));
      console.log(`# ${fixture} (${node.label}): ${report.verdict.summary}`);
    });
  }
}
