// `leak-lens snapshot …` run in-process with captured output, on snapshots of a real leaking process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { main } from '../../src/cli/main';
import type { CliIo } from '../../src/cli/io';
import type { DiffReport, SummaryReport } from '../../src/core/snapshot/index';
import { fixtureDir, leakyRecordLine, repoRoot, threeSnapshots } from '../core/snapshot/targets';

/**
 * The ws:// URL a child started with --inspect=127.0.0.1:0 prints on stderr, once the child has also
 * said (over IPC) that its module body ran: the URL is printed before any user code runs, and a
 * snapshot taken that early would count the fixture's own module-level Map as new.
 */
function inspectorUrl(child: ChildProcess): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let text = '';
    let url: string | undefined;
    let ready = false;
    const timer = setTimeout(() => reject(new Error(`no inspector URL and ready message; stderr: ${text}`)), 10_000);
    const settle = () => {
      if (!url || !ready) return;
      clearTimeout(timer);
      resolve(url);
    };
    child.on('message', (m: { ready?: boolean }) => {
      ready ||= m.ready === true;
      settle();
    });
    child.stderr!.on('data', (d: Buffer) => {
      text += d.toString();
      url ??= /ws:\/\/127\.0\.0\.1:\d+\/[\w-]+/.exec(text)?.[0];
      settle();
    });
  });
}

async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), stderrIsTty: false, cwd: repoRoot };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

test('summary and diff on three snapshots of a leaking process, as text and JSON', async () => {
  const files = await threeSnapshots(800);
  try {
    const summary = await cli(['snapshot', 'summary', files.s3, '--json']);
    assert.equal(summary.code, 0, summary.stderr);
    const report = JSON.parse(summary.stdout) as SummaryReport;
    assert.equal(report.classes.find((c) => c.className === 'LeakyRecord')!.count, 10 + 1600);
    assert.equal(report.file, files.s3);

    const text = await cli(['snapshot', 'summary', files.s3, '--top', '400']);
    assert.equal(text.code, 0);
    assert.match(text.stdout, new RegExp(`^LeakyRecord +1,610 .* test/fixtures/snapshots/leaky\\.js:${leakyRecordLine}:14$`, 'm'));

    const diff = await cli(['snapshot', 'diff', files.s1, files.s2, files.s3, '--json']);
    assert.equal(diff.code, 0, diff.stderr);
    const d = JSON.parse(diff.stdout) as DiffReport;
    assert.equal(d.classes.find((c) => c.className === 'LeakyRecord')!.addedCount, 800);
    assert.equal(d.leaks!.byConstructor[0].className, 'LeakyRecord');
    assert.equal(d.leaks!.byRetainerPath[0].className, 'LeakyRecord');

    const diffText = await cli(['snapshot', 'diff', files.s1, files.s2, files.s3]);
    assert.equal(diffText.code, 0);
    const suspects = diffText.stdout.slice(diffText.stdout.indexOf('By constructor'));
    assert.match(suspects.split('\n')[2], /^LeakyRecord +800 /);
    assert.match(diffText.stdout, new RegExp(`800 × LeakyRecord, .* retained \\(test/fixtures/snapshots/leaky\\.js:${leakyRecordLine}:14\\)\n +.*::records → Map\\.table → \\(array\\)\\[\\] → LeakyRecord\n`));

    const two = await cli(['snapshot', 'diff', files.s1, files.s2]);
    assert.equal(two.code, 0);
    assert.match(two.stdout, /^LeakyRecord +800 +0 +\+800 /m);
    assert.doesNotMatch(two.stdout, /still alive/);
  } finally {
    rmSync(dirname(files.s1), { recursive: true, force: true });
  }
});

test('usage, missing and corrupt files exit 2 with a message saying what is wrong', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'leak-lens-cli-'));
  try {
    const noFile = await cli(['snapshot', 'summary']);
    assert.equal(noFile.code, 2);
    assert.match(noFile.stderr, /snapshot summary takes one file/);
    const oneFile = await cli(['snapshot', 'diff', 'a.heapsnapshot']);
    assert.equal(oneFile.code, 2);
    const missing = await cli(['snapshot', 'summary', join(dir, 'missing.heapsnapshot')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read .*missing\.heapsnapshot/);
    const truncated = join(dir, 'truncated.heapsnapshot');
    const tiny = readFileSync(join(fixtureDir, 'tiny.heapsnapshot'));
    writeFileSync(truncated, tiny.subarray(0, 900));
    const corrupt = await cli(['snapshot', 'summary', truncated]);
    assert.equal(corrupt.code, 2);
    assert.match(corrupt.stderr, /truncated\.heapsnapshot: unexpected end of input while reading \w+ \(at byte 900, in \w+\)/);
    const take = await cli(['snapshot', 'take', '--port', '9']);
    assert.equal(take.code, 2);
    assert.match(take.stderr, /needs --output/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('take captures a snapshot of a live process over the inspector, then summary reads it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'leak-lens-take-'));
  const child = fork(join(fixtureDir, 'leaky.js'), [], { execArgv: ['--inspect=127.0.0.1:0'], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  try {
    const url = await inspectorUrl(child);
    await new Promise<void>((resolve) => {
      child.once('message', () => resolve());
      child.send({ cmd: 'leak', count: 321 });
    });
    const output = join(dir, 'live.heapsnapshot');
    const taken = await cli(['snapshot', 'take', '--url', url, '--output', output]);
    assert.equal(taken.code, 0, taken.stderr);
    assert.match(taken.stderr, /heap [\d.]+ MB; the process will pause for ~[\d.]+ s and its memory grow by ~/);
    assert.equal(taken.stdout, `${output}\n`);
    assert.match(taken.stderr, /live\.heapsnapshot \([\d.]+ MB, [\d.]+ s\)/);
    const summary = await cli(['snapshot', 'summary', output, '--json']);
    assert.equal(summary.code, 0, summary.stderr);
    assert.equal((JSON.parse(summary.stdout) as SummaryReport).classes.find((c) => c.className === 'LeakyRecord')!.count, 321);
  } finally {
    child.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('leaks takes three snapshots of a process that leaks on its own and finds the leak', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'leak-lens-leaks-'));
  const child = spawn(process.execPath, ['--inspect=127.0.0.1:0', join(fixtureDir, 'leaky.js')], {
    // Enough per tick that the leak outweighs what the inspector session itself allocates, even when
    // a loaded machine runs the timer only a few times per period.
    env: { ...process.env, LEAK_EVERY_MS: '10', LEAK_BATCH: '1000' },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  try {
    const url = await inspectorUrl(child);
    const result = await cli(['snapshot', 'leaks', '--url', url, '--output-dir', dir, '--period', '1', '--json']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /per snapshot \(3 snapshots\)/);
    const report = JSON.parse(result.stdout) as DiffReport;
    assert.equal(report.files.length, 3);
    assert.equal(report.leaks!.byConstructor[0].className, 'LeakyRecord');
    assert.ok(report.leaks!.byConstructor[0].count >= 1000);
    assert.match(report.leaks!.byRetainerPath[0].key, /Map\.table → \(array\)\[\] → LeakyRecord$/);
  } finally {
    child.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});
