// Snapshot capture against a scripted session for the cases a real target cannot produce on demand
// (a disconnect or a failing disk mid-stream, cancellation between chunks). The happy path against a
// real process is in test/cli/snapshot.test.ts (`snapshot take`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { captureHeapSnapshot, estimateCapture } from '../../src/inspector/heapSnapshot';
import type { InspectorSession } from '../../src/inspector/session';
import { Emitter, type Disposable } from '../../src/shared/disposable';
import { CancelledError, TargetExitedError } from '../../src/shared/errors';

/** Replays `script` when takeHeapSnapshot is sent: each step emits an event, then yields a tick. */
class ScriptedSession implements InspectorSession {
  private readonly listeners = new Map<string, Set<(params: any) => void>>();
  private readonly closeEmitter = new Emitter<Error | undefined>();
  readonly onDidClose = this.closeEmitter.event;
  readonly sent: string[] = [];
  constructor(private readonly script: Array<{ event: string; params: object } | 'close'>) {}
  async send<T>(method: string): Promise<T> {
    this.sent.push(method);
    // The identity marker set before the capture and removed after it.
    if (method === 'Runtime.evaluate') return { result: { value: true } } as T;
    if (method !== 'HeapProfiler.takeHeapSnapshot') return {} as T;
    for (const step of this.script) {
      await new Promise((resolve) => setImmediate(resolve));
      if (step === 'close') {
        this.closeEmitter.fire(new TargetExitedError('scripted', 'gone'));
        return new Promise<T>(() => {});
      }
      for (const listener of this.listeners.get(step.event) ?? []) listener(step.params);
    }
    return {} as T;
  }
  on(event: string, listener: (params: any) => void): Disposable {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener);
    return { dispose: () => set!.delete(listener) };
  }
  listenerCount(): number {
    return [...this.listeners.values()].reduce((n, s) => n + s.size, 0);
  }
  async close(): Promise<void> {}
}

const progress = (done: number, total: number) => ({ event: 'HeapProfiler.reportHeapSnapshotProgress', params: { done, total } });
const chunk = (text: string) => ({ event: 'HeapProfiler.addHeapSnapshotChunk', params: { chunk: text } });

test('the estimate follows the measured points (50 MB → 4.3 s, +330 MB; 300 MB → 27 s, +2.4 GB)', () => {
  const MB = 1024 * 1024;
  const small = estimateCapture(50 * MB);
  assert.equal(small.pauseSeconds, 4.3);
  assert.equal(small.extraRssBytes, 330 * MB);
  const large = estimateCapture(300 * MB);
  assert.equal(large.pauseSeconds, 27);
  assert.equal(large.extraRssBytes, 2400 * MB);
  const tiny = estimateCapture(10 * MB);
  assert.ok(Math.abs(tiny.pauseSeconds - 0.86) < 1e-9);
  assert.ok(estimateCapture(600 * MB).pauseSeconds > 50);
});

test('chunks stream to the sink in order, with progress, and listeners are removed afterwards', async () => {
  const session = new ScriptedSession([progress(1, 3), progress(3, 3), chunk('{"snap'), chunk('shot":1}')]);
  const written: string[] = [];
  const seen: number[] = [];
  const result = await captureHeapSnapshot(
    session,
    { write: async (c) => void written.push(c) },
    { onProgress: (p) => seen.push(p.done) },
  );
  assert.deepEqual(written, ['{"snap', 'shot":1}']);
  assert.equal(result.chars, 14);
  assert.equal(result.chunks, 2);
  assert.deepEqual(session.sent, ['HeapProfiler.enable', 'Runtime.evaluate', 'HeapProfiler.takeHeapSnapshot', 'Runtime.evaluate']);
  assert.ok(seen.includes(3));
  assert.equal(session.listenerCount(), 0);
});

test('a disconnect mid-snapshot rejects with TargetExitedError', async () => {
  const session = new ScriptedSession([chunk('{"a"'), 'close']);
  await assert.rejects(captureHeapSnapshot(session, { write: () => {} }), TargetExitedError);
});

test('cancelling stops writing at once', async () => {
  const controller = new AbortController();
  const written: string[] = [];
  const session = new ScriptedSession([chunk('one'), chunk('two'), chunk('three')]);
  const capture = captureHeapSnapshot(
    session,
    {
      write: (c) => {
        written.push(c);
        if (c === 'one') controller.abort();
      },
    },
    { signal: controller.signal },
  );
  await assert.rejects(capture, CancelledError);
  assert.deepEqual(written, ['one']);
});

test('a failing sink (disk full) fails the capture with its error', async () => {
  const session = new ScriptedSession([chunk('one'), chunk('two')]);
  await assert.rejects(
    captureHeapSnapshot(session, {
      write: async () => {
        throw new Error('ENOSPC: no space left on device');
      },
    }),
    /ENOSPC/,
  );
});
