// Failure paths a user meets: a report file that cannot be written, a target that dies young or runs
// into its heap limit, a source map that is a FIFO or a device, source files too deep to parse.
// Each must end with a clear message and nothing lost, never a hang or a stack trace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { watch } from '../../src/inspector/index';
import { expectedLine, poll, root, startTarget, targetsDir } from '../inspector/targets';

const cli = join(root, 'dist', 'cli.js');

function runCli(args: string[], timeoutMs = 60_000): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: timeoutMs });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function assertNoStackTrace(text: string): void {
  assert.doesNotMatch(text, /\n\s+at .+:\d+:\d+\)?\n/, `a stack trace was printed:\n${text}`);
}

test('--json into a missing folder is refused before attaching, in one line', () => {
  const began = Date.now();
  const r = runCli(['watch', '--port', '9', '--json', join(tmpdir(), 'leak-lens-no-such-folder', 'report.json')]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--json: the folder .*leak-lens-no-such-folder does not exist/);
  assert.doesNotMatch(r.stderr, /connection refused/, 'checked before attaching');
  assertNoStackTrace(r.stderr);
  assert.ok(Date.now() - began < 10_000);
});

test('a target that dies young is judged on what was seen, and the report says the window was short and keeps no inspector URL', async () => {
  const target = await startTarget('dies-young.js');
  const dir = mkdtempSync(join(tmpdir(), 'leak-lens-report-'));
  try {
    const file = join(dir, 'report.json');
    const child = spawn(process.execPath, [cli, 'watch', '--url', target.wsUrl, '--duration', '60', '--json', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    assert.equal(code, 1, `leaking exits 1\n${stdout}\n${stderr}`);
    assert.match(stderr, /the target exited after \d+ s/);
    assert.match(stdout, /Verdict: Leaking .*Timeout .*short window of \d+ s/);
    const expected = expectedLine('dies-young.js');
    assert.match(stdout, new RegExp(`1\\. timer +${join(targetsDir, 'dies-young.js').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:${expected.line}:`));
    const json = readFileSync(file, 'utf8');
    const secret = new URL(target.wsUrl).pathname.slice(1);
    assert.ok(!json.includes(secret), 'the inspector URL (its secret path) is not in the report');
    assert.ok(!/ws:\/\/[^"]*\/[0-9a-f-]{8,}/.test(json), 'no ws:// URL with a path in the report');
    assert.equal(JSON.parse(json).verdict.leaking, true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await target.stop();
  }
});

test('the out-of-memory projection is against the old-space limit the process dies at', async () => {
  const target = await startTarget('heap-limit.js', process.execPath, ['--max-old-space-size=48']);
  try {
    const died = new Promise<number>((r) => target.child.once('exit', () => r(Date.now())));
    const w = await watch({ url: target.wsUrl }, { intervalMs: 250, profileIntervalMs: 1_000 });
    await new Promise((r) => setTimeout(r, 7_000));
    await w.detach();
    const projectedAt = Date.now();
    const projection = w.report().verdict.projectedOutOfMemory;
    assert.ok(projection, `a projection: ${w.report().verdict.summary}`);
    assert.equal(projection.limit, 'v8-heap');
    assert.equal(projection.limitBytes, 48 * 1024 * 1024, 'the old-space limit, not heap_size_limit (which adds the young generation)');
    const actual = ((await died) - projectedAt) / 1000;
    const ratio = projection.secondsUntil / actual;
    console.log(`# projected ${projection.secondsUntil.toFixed(1)} s, died after ${actual.toFixed(1)} s (×${ratio.toFixed(2)})`);
    assert.ok(ratio > 0.5 && ratio < 1.7, `projected ${projection.secondsUntil.toFixed(1)} s to the limit; it died after ${actual.toFixed(1)} s`);
  } finally {
    await target.stop();
  }
});

test('a sourceMappingURL naming a FIFO or a device does not hang the watch; positions stay unmapped', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'leak-lens-fifo-'));
  try {
    const mkfifo = spawnSync('mkfifo', [join(dir, 'pipe.map')]);
    assert.equal(mkfifo.status, 0, 'mkfifo (coreutils) is needed for this case');
    const body = (map: string) =>
      [
        "'use strict';",
        "const http = require('node:http');",
        'const timers = [];',
        'setInterval(() => { for (let i = 0; i < 5; i++) timers.push(setInterval(() => {}, 60000)); }, 50);',
        "const server = http.createServer((req, res) => res.end('ok'));",
        "server.listen(0, '127.0.0.1', () => console.log(`listening on ${server.address().port}`));",
        `//# sourceMappingURL=${map}`,
        '',
      ].join('\n');
    for (const [name, map] of [
      ['fifo.js', 'pipe.map'],
      ['zero.js', '/dev/zero'],
    ]) {
      const file = join(dir, name);
      writeFileSync(file, body(map));
      const target = await startTarget(file);
      try {
        const w = await watch({ url: target.wsUrl }, { intervalMs: 200, profileIntervalMs: 1_000, reportEveryTicks: 2 });
        await new Promise((r) => setTimeout(r, 3_000));
        const began = Date.now();
        await w.detach();
        assert.ok(Date.now() - began < 10_000, 'detach (and the final report) did not wait on the map');
        const hotspot = w.report().hotspots.find((h) => h.kind === 'timer');
        assert.ok(hotspot, `${name}: a timer hotspot`);
        assert.equal(hotspot.location.file, file);
        assert.equal(hotspot.location.line, 4);
      } finally {
        await target.stop();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('scan skips files too deep to parse or walk, one line each, and the SARIF keeps every other finding', () => {
  const dir = mkdtempSync(join(tmpdir(), 'leak-lens-deep-'));
  try {
    writeFileSync(join(dir, 'nested.js'), `const a = ${'['.repeat(5000)}${']'.repeat(5000)};\n`);
    writeFileSync(join(dir, 'functions.js'), `${'function f() {'.repeat(2000)}${'}'.repeat(2000)}\n`);
    writeFileSync(join(dir, 'long.js'), `const x = ${Array.from({ length: 200_000 }, (_, i) => `a${i % 10}`).join(' + ')};\n`);
    writeFileSync(
      join(dir, 'leaky.js'),
      "const http = require('node:http');\nhttp.createServer((req, res) => {\n  setInterval(() => res.write('.'), 1000);\n}).listen(0);\n",
    );
    const r = runCli(['scan', dir, '--format', 'sarif']);
    assert.equal(r.status, 1, r.stderr);
    const sarif = JSON.parse(r.stdout) as { runs: Array<{ results: Array<{ ruleId: string }>; invocations: Array<{ toolExecutionNotifications: unknown[] }> }> };
    assert.deepEqual(
      sarif.runs[0].results.map((x) => x.ruleId),
      ['no-uncleared-timer'],
    );
    assert.equal(sarif.runs[0].invocations[0].toolExecutionNotifications.length, 3);
    const skipped = r.stderr.split('\n').filter((l) => /^leak-lens: skipped /.test(l));
    assert.equal(skipped.length, 3, r.stderr);
    for (const line of skipped) assert.match(line, /nested too deeply/);
    assertNoStackTrace(r.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a watch of a target that dies at once still reports, exit code and all', async () => {
  const target = await startTarget('exits.js');
  try {
    const w = await watch({ url: target.wsUrl }, { intervalMs: 100 });
    target.child.send('exit');
    await poll(() => target.child.exitCode !== null, 5_000, () => 'target did not exit');
    await w.detach();
    const report = w.report();
    assert.equal(report.verdict.leaking, false);
    assert.match(report.verdict.summary, /not enough samples|too short/);
  } finally {
    await target.stop();
  }
});


