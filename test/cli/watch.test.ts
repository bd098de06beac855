// `leak-lens watch` end to end, in-process: argv in, stdout/stderr/exit code and the JSON file out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { main } from '../../src/cli/main';
import type { CliIo } from '../../src/cli/io';
import { load, startTarget } from '../inspector/targets';

function captureIo(cwd: string): CliIo & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    stdout: (t: string) => void (io.out += t),
    stderr: (t: string) => void (io.err += t),
    stderrIsTty: false,
    cwd,
  };
  return io;
}

test('watch --url writes the report contract and exits 1 on a leak', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'leak-lens-watch-'));
  const target = await startTarget('timer-cache.js');
  try {
    await load(target.port, { requests: 500 });
    const io = captureIo(dir);
    const running = main(['watch', '--url', target.wsUrl, '--duration', '6', '--interval', '0.25', '--json', 'report.json'], io);
    await load(target.port, { requests: 2400, perSecond: 300 });
    const code = await running;
    assert.equal(code, 1, io.err + io.out);
    assert.match(io.out, /Verdict: Leaking \(\d+% confidence\)/);
    assert.match(io.out, /timer-cache\.js:8:/);
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
    assert.equal(report.target.pid, target.child.pid);
    assert.ok(report.durationSeconds >= 5);
    assert.equal(report.verdict.leaking, true);
    assert.equal(typeof report.verdict.confidence, 'number');
    assert.equal(typeof report.verdict.growthBytesPerMinute, 'number');
    assert.ok('projectedOutOfMemory' in report.verdict);
    const first = report.hotspots[0];
    assert.ok(isAbsolute(first.location.file));
    assert.ok(first.location.line >= 1 && first.location.column >= 1);
    assert.equal(typeof first.kind, 'string');
    assert.equal(typeof first.function, 'string');
    const scores = report.hotspots.map((h: { score: number }) => h.score);
    assert.deepEqual(scores, [...scores].sort((a, b) => b - a));
  } finally {
    await target.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('watch usage errors exit 2 and say what is missing', async () => {
  const io = captureIo(tmpdir());
  assert.equal(await main(['watch', '--duration', '5'], io), 2);
  assert.match(io.err, /watch: give one of port, url or pid \(--port, --url or --pid\)/);
  const two = captureIo(tmpdir());
  assert.equal(await main(['watch', '--port', '9229', '--pid', '1'], two), 2);
  assert.match(two.err, /give only one of port, url or pid/);
  const badPort = captureIo(tmpdir());
  assert.equal(await main(['snapshot', 'take', '--port', 'x', '--output', 'a.heapsnapshot'], badPort), 2);
  assert.match(badPort.err, /--port needs a port number \(1–65535\), got x/);
  const refused = captureIo(tmpdir());
  assert.equal(await main(['watch', '--port', '1'], refused), 2);
  assert.match(refused.err, /connection refused.*--inspect/);
});
