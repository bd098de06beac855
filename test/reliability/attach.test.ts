// Attach safety, tried as a careless user and as an attacker would: the wrong PID, a blocked target,
// an inspector that would listen on every interface, host names and inspectors that lie, two
// watchers on one process, a watcher that is killed or terminated. Each case runs real processes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { AttachError } from '../../src/shared/errors';
import { connect, watch } from '../../src/inspector/index';
import { isLoopbackAddress } from '../../src/inspector/attach';
import { findInspector, listeningSockets } from '../../src/inspector/discover';
import { load, poll, root, startTarget } from '../inspector/targets';

const cli = join(root, 'dist', 'cli.js');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('attach by PID refuses a process that is not Node, and does not signal it', async () => {
  const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
  try {
    await poll(() => sleeper.pid !== undefined, 2_000, () => 'sleep did not start');
    await assert.rejects(connect({ pid: sleeper.pid! }), (e: unknown) => e instanceof AttachError && /not a Node\.js process/.test(e.message) && /sleep/.test(e.message));
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(sleeper.exitCode, null, 'sleep was not signalled');
    assert.equal(sleeper.signalCode, null, 'sleep was not signalled');
  } finally {
    sleeper.kill('SIGKILL');
  }
});

test('a Node process whose main thread is blocked is not signalled, so no inspector opens after we gave up', async () => {
  const target = await startTarget('blocks.js', process.execPath, ['--inspect-port=127.0.0.1:0'], false);
  try {
    target.child.send({ blockMs: 4_000 });
    await new Promise((r) => setTimeout(r, 300));
    const began = Date.now();
    await assert.rejects(connect({ pid: target.child.pid! }), (e: unknown) => e instanceof AttachError && /busy or blocked/.test(e.message));
    assert.ok(Date.now() - began < 3_000, 'refused without waiting for the inspector');
    // Once it runs again, it serves, and nothing of ours opens in it.
    await poll(async () => (await load(target.port, { requests: 1 })) === 1, 10_000, () => 'target did not come back');
    await new Promise((r) => setTimeout(r, 1_000));
    assert.equal(await findInspector(target.child.pid!), undefined);
  } finally {
    await target.stop();
  }
});

test('an inspector a PID attach would open on every interface is refused and closed again', async () => {
  const target = await startTarget('timer-cache.js', process.execPath, ['--inspect-port=0.0.0.0:0'], false);
  try {
    await assert.rejects(
      connect({ pid: target.child.pid! }),
      (e: unknown) => e instanceof AttachError && /0\.0\.0\.0/.test(e.message) && /closed again/.test(e.message) && /127\.0\.0\.1/.test(e.hint),
    );
    await poll(() => !listeningSockets(target.child.pid!).some((s) => s.host === '0.0.0.0'), 5_000, () => 'the any-address inspector is still open');
    assert.equal(await load(target.port, { requests: 3 }), 3, 'the target keeps serving');
  } finally {
    await target.stop();
  }
});

test('loopback is decided on addresses, not on names', () => {
  for (const yes of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', '::ffff:127.0.0.1']) assert.equal(isLoopbackAddress(yes), true, yes);
  for (const no of ['127.attacker.example', 'localhost.attacker.example', '10.0.0.1', '0.0.0.0', '::', '192.0.2.1', '::ffff:10.0.0.1']) assert.equal(isLoopbackAddress(no), false, no);
});

async function hostileInspector(webSocketDebuggerUrl: string): Promise<{ server: Server; port: number }> {
  const server = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify([{ id: 'x', type: 'node', title: 'evil', url: 'file://', webSocketDebuggerUrl }]));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port };
}

test('a /json/list that points elsewhere is not followed, whatever the name looks like', async () => {
  for (const [url, reason] of [
    ['ws://192.0.2.1:9229/abc', /192\.0\.2\.1 is not this machine/],
    ['ws://127.attacker.invalid:9229/abc', /cannot resolve|not this machine/],
  ] as const) {
    const { server, port } = await hostileInspector(url);
    try {
      const began = Date.now();
      await assert.rejects(connect({ port }), (e: unknown) => e instanceof AttachError && reason.test(e.message));
      assert.ok(Date.now() - began < 5_000, 'refused before any connection attempt');
    } finally {
      server.close();
    }
  }
  await assert.rejects(connect({ url: 'ws://127.attacker.invalid:9229/abc' }), (e: unknown) => e instanceof AttachError && /cannot resolve|not this machine/.test(e.message));
});

test('a loopback host name is resolved, checked and connected to by its address', async () => {
  const target = await startTarget('timer-cache.js');
  try {
    const port = Number(new URL(target.wsUrl).port);
    const { session, target: info } = await connect({ host: 'localhost', port });
    try {
      assert.equal(info.pid, target.child.pid);
      assert.ok(session.remoteAddress && isLoopbackAddress(session.remoteAddress), `connected to ${session.remoteAddress}`);
    } finally {
      await session.close();
    }
  } finally {
    await target.stop();
  }
});

test('a second watcher on the same process is refused, and the first keeps sampling undisturbed', async () => {
  const target = await startTarget('timer-cache.js');
  try {
    const first = await watch({ url: target.wsUrl }, { intervalMs: 100, profileIntervalMs: 500 });
    try {
      await poll(() => first.samples().length >= 3, 5_000, () => 'no samples');
      await assert.rejects(watch({ url: target.wsUrl }, { intervalMs: 100 }), (e: unknown) => e instanceof AttachError && /another Leak Lens watch/.test(e.message) && /Detach the other/.test(e.hint));
      const timers = () => {
        const last = first.samples().at(-1);
        return last && last.error === undefined ? (last.resources.Timeout ?? 0) : 0;
      };
      const before = { samples: first.samples().length, timers: timers() };
      // timer-cache.js starts an interval per request: the first watch must count all 200.
      await load(target.port, { requests: 200 });
      await poll(() => first.samples().length >= before.samples + 5 && timers() >= before.timers + 200, 5_000, () => `the first watch stopped counting (${timers()} timers)`);
      assert.equal(first.samples().filter((s) => s.error !== undefined).length, 0, 'no failed samples in the first watch');
    } finally {
      await first.detach();
    }
  } finally {
    await target.stop();
  }
});

/** Starts `leak-lens watch` as a separate process; resolves once it printed its first sample. */
async function startCliWatch(args: string[]): Promise<{ child: ReturnType<typeof spawn>; stdout: () => string; stderr: () => string; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, [cli, 'watch', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  await poll(() => /heap \d/.test(stderr) || child.exitCode !== null, 15_000, () => `the watcher did not start: ${stderr}`);
  assert.equal(child.exitCode, null, `the watcher exited early: ${stderr}`);
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

test('SIGTERM detaches the way Ctrl-C does: report printed, probe removed, the inspector we opened closed', async () => {
  const target = await startTarget('timer-cache.js', process.execPath, ['--inspect-port=127.0.0.1:0'], false);
  try {
    const watcher = await startCliWatch(['--pid', String(target.child.pid), '--duration', '60']);
    await load(target.port, { requests: 300 });
    watcher.child.kill('SIGTERM');
    const code = await watcher.exited;
    assert.ok(code === 0 || code === 1, `exit code ${code}: ${watcher.stderr()}`);
    assert.match(watcher.stderr(), /detaching \(SIGTERM\)/);
    assert.match(watcher.stdout(), /Verdict: /);
    await poll(async () => (await findInspector(target.child.pid!)) === undefined, 3_000, () => 'the inspector we opened is still open');
  } finally {
    await target.stop();
  }
});

test('a watcher killed outright leaves no inspector open: the probe closes the one we opened when its heartbeat stops', async () => {
  const target = await startTarget('timer-cache.js', process.execPath, ['--inspect-port=127.0.0.1:0'], false);
  try {
    const watcher = await startCliWatch(['--pid', String(target.child.pid), '--duration', '60']);
    assert.notEqual(await findInspector(target.child.pid!), undefined);
    watcher.child.kill('SIGKILL');
    await watcher.exited;
    // The probe's time-to-live is 15 s, checked every second.
    await poll(async () => (await findInspector(target.child.pid!)) === undefined, 25_000, () => 'the inspector is still open after the watchdog should have closed it');
    assert.ok(alive(target.child.pid!), 'the target lives on');
    assert.equal(await load(target.port, { requests: 3 }), 3, 'and serves');
  } finally {
    await target.stop();
  }
});
