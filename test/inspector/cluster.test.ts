// A real cluster (primary + 2 workers, each leaking an interval per request): its workers are found
// through /proc, every one is watched, and the combined report names the leaking line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { discoverClusterWorkers, watchCluster } from '../../src/inspector/index';
import { describe as describeReport, watchOptions } from './detect';
import { startCluster } from './clusterTarget';
import { expectedLine, load, targetsDir } from './targets';

test('cluster workers are found with their inspectors on the ports after the primary', async () => {
  const cluster = await startCluster();
  try {
    const workers = await discoverClusterWorkers(cluster.pid);
    assert.equal(workers.length, 2, JSON.stringify(workers));
    const primaryPort = Number(/:(\d+)\//.exec(cluster.wsUrl)![1]);
    assert.deepEqual(workers.map((w) => w.inspector?.port).sort(), [primaryPort + 1, primaryPort + 2]);
    assert.ok(workers.every((w) => w.command.includes('cluster.js') && w.pid !== cluster.pid));
    assert.deepEqual(await discoverClusterWorkers(workers[0].pid), []);
  } finally {
    cluster.stop();
  }
});

test('watchCluster watches both workers; leaking, true line in the top 3', async () => {
  const cluster = await startCluster();
  try {
    await load(cluster.port, { requests: 2500, concurrency: 4 });
    const w = await watchCluster({ url: cluster.wsUrl }, watchOptions);
    try {
      assert.equal(w.workers.length, 2, JSON.stringify(w.skipped));
      await load(cluster.port, { requests: 2400, concurrency: 4, perSecond: 300 });
    } finally {
      await w.detach();
    }
    const report = w.report();
    const watched = [report, ...(report.workers ?? [])].map((r) => r.target.pid).sort();
    const expectedPids = [cluster.pid, ...w.workers.map((x) => x.target.pid)].sort();
    assert.deepEqual(watched, expectedPids);
    assert.equal(new Set(watched).size, 3);
    const message = describeReport(report);
    assert.equal(report.verdict.leaking, true, message);
    assert.notEqual(report.target.pid, cluster.pid, 'the primary does not leak: a leaking worker leads');
    const expected = expectedLine('cluster.js');
    const file = join(targetsDir, 'cluster.js');
    const rank = report.hotspots.findIndex((h) => h.kind === expected.kind && h.location.file === file && Math.abs(h.location.line - expected.line) <= 2);
    assert.ok(rank >= 0 && rank < 3, `expected a ${expected.kind} hotspot at cluster.js:${expected.line} in the top 3\n${message}`);
    const keys = report.hotspots.map((h) => `${h.location.file}:${h.location.line}:${h.location.column}`);
    assert.equal(new Set(keys).size, keys.length, 'merged hotspots are one per location');
    const scores = report.hotspots.map((h) => h.score);
    assert.deepEqual(scores, [...scores].sort((a, b) => b - a));
    for (const worker of report.workers!.filter((r) => r.target.pid !== cluster.pid)) assert.equal(worker.verdict.leaking, true, describeReport(worker));
  } finally {
    cluster.stop();
  }
});
