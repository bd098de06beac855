// What goes wrong in real life: the target dies, the port is wrong, an evaluate hangs, we leave.
// (Part of the fault-and-abuse suite; see README.md here.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { AttachError, InspectorError, TimeoutError } from '../../src/shared/errors';
import { connect, watch } from '../../src/inspector/index';
import type { WatchEnd } from '../../src/inspector/index';
import { findInspector } from '../../src/inspector/discover';
import { evaluate } from '../../src/inspector/session';
import { installExpression, presenceExpression } from '../../src/inspector/probes/probe';
import { load, poll, startTarget } from '../inspector/targets';

test('target killed mid-watch: the watch ends with target-exited and keeps its report', async () => {
  const target = await startTarget('timer-cache.js');
  try {
    const w = await watch({ url: target.wsUrl }, { intervalMs: 100, profileIntervalMs: 500 });
    const ended = new Promise<WatchEnd>((r) => w.onDidEnd(r));
    await load(target.port, { requests: 300 });
    await poll(() => w.samples().length >= 3, 5_000, () => 'no samples');
    target.child.kill('SIGKILL');
    const end = await ended;
    assert.equal(end.reason, 'target-exited');
    assert.ok(w.samples().length >= 3);
    assert.equal(typeof w.report().verdict.leaking, 'boolean');
    await w.detach(); // idempotent after the end
  } finally {
    await target.stop();
  }
});

test('a refused port gives an AttachError that says how to start the inspector', async () => {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  await assert.rejects(connect({ port }), (e: unknown) => {
    assert.ok(e instanceof AttachError);
    assert.match(e.message, /connection refused/);
    assert.match(e.hint, /--inspect=127\.0\.0\.1:/);
    return true;
  });
});

test('a remote host is refused unless allowed', async () => {
  await assert.rejects(connect({ host: '192.0.2.1', port: 9229 }), (e: unknown) => e instanceof AttachError && /run any code/.test(e.message));
});

test('a hung evaluate times out and the target keeps serving', async () => {
  const target = await startTarget('churn.js');
  try {
    const { session } = await connect({ url: target.wsUrl });
    try {
      await assert.rejects(evaluate(session, 'while (true) {}', { timeoutMs: 200 }), (e: unknown) => e instanceof InspectorError && /terminated/i.test(e.message));
      // A promise that never settles: V8's timeout does not cover the wait, our client-side bound does.
      await assert.rejects(evaluate(session, 'new Promise(() => {})', { timeoutMs: 200, awaitPromise: true }), (e: unknown) => e instanceof TimeoutError);
      assert.equal(await load(target.port, { requests: 20 }), 20);
    } finally {
      await session.close();
    }
  } finally {
    await target.stop();
  }
});

test('detach leaves nothing behind, and the watchdog removes an abandoned probe', async () => {
  const target = await startTarget('listener.js');
  try {
    const w = await watch({ url: target.wsUrl }, { intervalMs: 100 });
    await load(target.port, { requests: 50 });
    await poll(() => w.samples().length >= 4, 5_000, () => 'no samples');
    await w.detach();
    const { session } = await connect({ url: target.wsUrl });
    try {
      assert.deepEqual(await evaluate(session, presenceExpression), { global: false, addListenerPatched: false, openPatched: false });
      // Abandon a probe (no remove, no ticks): its watchdog must take it out by itself.
      await evaluate(session, installExpression({ trackCreationSites: true, ttlMs: 300, listenerThreshold: 5, stackTraceLimit: 20 }));
      assert.equal((await evaluate<{ global: boolean }>(session, presenceExpression)).global, true);
      await poll(async () => !(await evaluate<{ global: boolean }>(session, presenceExpression)).global, 5_000, () => 'watchdog did not remove the probe');
      assert.deepEqual(await evaluate(session, presenceExpression), { global: false, addListenerPatched: false, openPatched: false });
    } finally {
      await session.close();
    }
  } finally {
    await target.stop();
  }
});

test('attach by PID opens the inspector of a process started without --inspect, and closes it after', async () => {
  // --inspect-port=…:0 makes SIGUSR1 pick a free port, so parallel tests never fight over 9229.
  const target = await startTarget('timer-cache.js', process.execPath, ['--inspect-port=127.0.0.1:0'], false);
  try {
    const w = await watch({ pid: target.child.pid! }, { intervalMs: 100, heapSampling: false });
    assert.equal(w.target.pid, target.child.pid);
    await load(target.port, { requests: 100 });
    await poll(() => w.samples().length >= 3, 5_000, () => 'no samples');
    await w.detach();
    await poll(async () => (await findInspector(target.child.pid!)) === undefined, 5_000, () => 'inspector still open');
  } finally {
    await target.stop();
  }
});

test('attach by PID to a process with its own SIGUSR1 handler says so', async () => {
  const target = await startTarget('own-sigusr1.js', process.execPath, ['--inspect-port=127.0.0.1:0'], false);
  try {
    await assert.rejects(connect({ pid: target.child.pid! }), (e: unknown) => e instanceof AttachError && /handles SIGUSR1 itself/.test(e.message) && /event loop runs/.test(e.message) && /--inspect/.test(e.hint));
    await assert.rejects(connect({ pid: 2 ** 22 + 1 }), (e: unknown) => e instanceof AttachError && /no such process/.test(e.message));
  } finally {
    await target.stop();
  }
});

test('a target that exits by itself is let go (Node 20 would wait for the debugger)', async () => {
  const target = await startTarget('exits.js');
  try {
    const w = await watch({ url: target.wsUrl }, { intervalMs: 100 });
    const ended = new Promise<WatchEnd>((r) => w.onDidEnd(r));
    const exited = new Promise<number | null>((r) => target.child.once('exit', (code) => r(code)));
    await poll(() => w.samples().length >= 2, 5_000, () => 'no samples');
    target.child.send('exit');
    assert.equal((await ended).reason, 'target-exited');
    assert.equal(await exited, 0);
  } finally {
    await target.stop();
  }
});
