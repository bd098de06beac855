// `leak-lens watch --workers` end to end on a real cluster: every worker watched, one combined report.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main';
import type { CliIo } from '../../src/cli/io';
import type { WatchReport } from '../../src/core/report';
import { startCluster } from '../inspector/clusterTarget';
import { expectedLine, load, targetsDir } from '../inspector/targets';

test('watch --workers reports the leaking workers of a cluster and exits 1', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'leak-lens-workers-'));
  const cluster = await startCluster();
  try {
    await load(cluster.port, { requests: 1000 });
    const io = { out: '', err: '', stdout: (t: string) => void (io.out += t), stderr: (t: string) => void (io.err += t), stderrIsTty: false, cwd: dir } satisfies CliIo & { out: string; err: string };
    const running = main(['watch', '--url', cluster.wsUrl, '--workers', '--duration', '6', '--interval', '0.25', '--json', 'report.json'], io);
    await load(cluster.port, { requests: 2400, perSecond: 300 });
    const code = await running;
    assert.equal(code, 1, io.err + io.out);
    assert.match(io.err, /watching the primary \(pid \d+\) and 2 workers/);
    assert.match(io.err, /primary [\d.]+ \w+ (ok|LEAK\?|…) \| \d+ /);
    assert.doesNotMatch(io.err, /exited while watched/);
    assert.match(io.out, /Verdict: Leaking \(\d+% confidence\)/);
    assert.match(io.out, /Also watched:\n(  pid \d+ .*\n){2}/);
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as WatchReport;
    assert.equal(report.verdict.leaking, true);
    assert.equal(report.workers?.length, 2);
    const pids = [report, ...report.workers].map((r) => r.target.pid);
    assert.equal(new Set(pids).size, 3);
    assert.ok(pids.includes(cluster.pid));
    const file = join(targetsDir, 'cluster.js');
    const line = expectedLine('cluster.js').line;
    const rank = report.hotspots.findIndex((h) => h.location.file === file && Math.abs(h.location.line - line) <= 2);
    assert.ok(rank >= 0 && rank < 3, JSON.stringify(report.hotspots.slice(0, 5), null, 1));
  } finally {
    cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('watch --help documents --workers', async () => {
  let out = '';
  const code = await main(['watch', '--help'], { stdout: (t) => void (out += t), stderr: () => undefined, stderrIsTty: false, cwd: tmpdir() });
  assert.equal(code, 0);
  assert.match(out, /--workers/);
});
