// Compare never lies: a process grows one class (Grower) and churns another (Churner, born and freed
// at a steady count) by exactly K per step. Snapshots taken in one inspector session compare by
// object id and show the real births and frees; snapshots from separate sessions or other processes
// say so and invent nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { diffJob, type DiffReport } from '../../src/core/snapshot/index';
import { connect, watch } from '../../src/inspector/index';
import { captureHeapSnapshot, type CaptureOptions } from '../../src/inspector/heapSnapshot';
import type { InspectorSession } from '../../src/inspector/session';
import { SnapshotCompareError } from '../../src/shared/errors';
import { fileSource } from '../../src/worker/fileSource';
import { startTarget, type RunningTarget } from './targets';

const K = 500;

function step(target: RunningTarget, n: number): Promise<void> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port: target.port, path: `/step?n=${n}` }, (res) => {
      res.resume();
      res.on('end', resolve);
    })
      .on('error', reject)
      .end();
  });
}

function fileSink(file: string) {
  const stream = createWriteStream(file);
  return {
    sink: { write: async (chunk: string) => void (stream.write(chunk) || (await once(stream, 'drain'))) },
    close: async () => {
      stream.end();
      await once(stream, 'close');
    },
  };
}

async function captureTo(session: InspectorSession, file: string, identity?: CaptureOptions['identity']): Promise<void> {
  const out = fileSink(file);
  try {
    await captureHeapSnapshot(session, out.sink, { identity });
  } finally {
    await out.close();
  }
}

const row = (report: DiffReport, className: string) => report.classes.find((c) => c.className === className);

test('snapshots of one watch (the editor\'s path) compare by id: births equal the real growth, churn shows frees', async () => {
  const target = await startTarget('grows-and-churns.js');
  const dir = mkdtempSync(join(tmpdir(), 'leak-lens-compare-'));
  try {
    const w = await watch({ url: target.wsUrl }, { intervalMs: 200, heapSampling: true });
    const files = [1, 2, 3].map((k) => join(dir, `s${k}.heapsnapshot`));
    try {
      for (let k = 0; k < 3; k++) {
        if (k > 0) await step(target, K);
        const out = fileSink(files[k]);
        try {
          await w.takeHeapSnapshot(out.sink);
        } finally {
          await out.close();
        }
      }
      assert.equal(w.samples().filter((s) => s.error !== undefined).length, 0, 'the watch went on without failed samples');
    } finally {
      await w.detach();
    }
    const report = await diffJob(files.map(fileSource));
    assert.equal(report.mode, 'by-id', report.note);
    assert.equal(row(report, 'Grower')?.addedCount, K);
    assert.equal(row(report, 'Grower')?.removedCount, 0);
    assert.equal(row(report, 'Churner')?.addedCount, K);
    assert.equal(row(report, 'Churner')?.removedCount, K, 'the churned class shows its frees');
    assert.equal(report.leaks?.byConstructor[0]?.key, 'Grower', JSON.stringify(report.leaks?.byConstructor.slice(0, 3).map((g) => g.key)));
    assert.equal(report.leaks?.byConstructor[0]?.count, K);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await target.stop();
  }
});

test('snapshots from separate inspector sessions compare totals only, and say why', async () => {
  const target = await startTarget('grows-and-churns.js');
  const dir = mkdtempSync(join(tmpdir(), 'leak-lens-compare-'));
  try {
    const files = [join(dir, 'a.heapsnapshot'), join(dir, 'b.heapsnapshot')];
    for (let k = 0; k < 2; k++) {
      if (k > 0) await step(target, K);
      // A new connection per take, as two `leak-lens snapshot take` runs do.
      const { session } = await connect({ url: target.wsUrl });
      try {
        await captureTo(session, files[k]);
      } finally {
        await session.close();
      }
    }
    const report = await diffJob(files.map(fileSource));
    assert.equal(report.mode, 'by-count');
    assert.match(report.note ?? '', /different inspector sessions/);
    assert.equal(row(report, 'Grower')?.countDelta, K);
    assert.equal(row(report, 'Churner'), undefined, 'the churned class did not change in total');
    assert.ok(report.classes.every((c) => c.addedCount === 0 && c.removedCount === 0), 'no births or frees are invented');
    assert.equal(report.leaks, undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await target.stop();
  }
});

test('snapshots of different processes, or of one session out of order, are refused with what to do', async () => {
  const first = await startTarget('grows-and-churns.js');
  const second = await startTarget('grows-and-churns.js');
  const dir = mkdtempSync(join(tmpdir(), 'leak-lens-compare-'));
  try {
    const a = join(dir, 'a.heapsnapshot');
    const b = join(dir, 'b.heapsnapshot');
    const other = join(dir, 'other.heapsnapshot');
    const { session } = await connect({ url: first.wsUrl });
    try {
      await captureTo(session, a, { session: 'one', seq: 1 });
      await step(first, K);
      await captureTo(session, b, { session: 'one', seq: 2 });
    } finally {
      await session.close();
    }
    const { session: otherSession } = await connect({ url: second.wsUrl });
    try {
      await captureTo(otherSession, other);
    } finally {
      await otherSession.close();
    }
    await assert.rejects(diffJob([a, other].map(fileSource)), (e: unknown) => e instanceof SnapshotCompareError && /different processes/.test(e.message) && /same running process/.test(e.hint));
    await assert.rejects(diffJob([b, a].map(fileSource)), (e: unknown) => e instanceof SnapshotCompareError && /not in the order/.test(e.message) && /a\.heapsnapshot b\.heapsnapshot/.test(e.hint));
    assert.equal((await diffJob([a, b].map(fileSource))).mode, 'by-id');
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await first.stop();
    await second.stop();
  }
});
