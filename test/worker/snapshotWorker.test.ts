// The snapshot worker as adapters use it: a real worker thread, real snapshot files, messages only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { SnapshotWorkerReply, SnapshotWorkerRequest, ObjectDetails } from '../../src/protocol/snapshot';
import type { DiffReport, SummaryReport } from '../../src/core/snapshot/index';
import { takeSnapshots, threeSnapshots } from '../core/snapshot/targets';

/** A request without its id (Omit does not distribute over the union by itself). */
type Request = SnapshotWorkerRequest extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never;

const workerFile = join(__dirname, '..', '..', 'src', 'worker', 'snapshotWorker.js');

class Client {
  private nextId = 1;
  readonly progress: SnapshotWorkerReply[] = [];
  private readonly waiting = new Map<number, (reply: SnapshotWorkerReply) => void>();
  constructor(readonly worker: Worker) {
    worker.on('message', (reply: SnapshotWorkerReply) => {
      if ('progress' in reply) this.progress.push(reply);
      else this.waiting.get(reply.id)?.(reply);
    });
  }
  send(request: Request): { id: number; reply: Promise<SnapshotWorkerReply> } {
    const id = this.nextId++;
    const reply = new Promise<SnapshotWorkerReply>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no reply to ${request.method} within 60 s`)), 60_000);
      this.waiting.set(id, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
    });
    this.worker.postMessage({ ...request, id });
    return { id, reply };
  }
  async ok<T>(request: Request): Promise<T> {
    const reply = await this.send(request).reply;
    if ('error' in reply) assert.fail(`${reply.error.name}: ${reply.error.message}`);
    return (reply as unknown as { ok: T }).ok;
  }
}

test('the worker summarises, diffs, explains an object and reports errors as { error }', async () => {
  const files = await threeSnapshots(500);
  const worker = new Worker(workerFile);
  try {
    const client = new Client(worker);
    const summary = await client.ok<SummaryReport>({ method: 'summary', file: files.s3 });
    const leaky = summary.classes.find((c) => c.className === 'LeakyRecord')!;
    assert.equal(leaky.count, 1010);
    assert.ok(leaky.largestIds.length > 0);

    const details = await client.ok<ObjectDetails>({ method: 'objectDetails', nodeId: leaky.largestIds[0] });
    assert.equal(details.className, 'LeakyRecord');
    assert.ok(details.retainedBytes > details.selfBytes);
    assert.match(details.retainerPathText!, /::records → Map\.table → \(array\)\[\d+\] → LeakyRecord$/);

    const diff = await client.ok<DiffReport>({ method: 'diff', files: [files.s1, files.s2, files.s3] });
    assert.equal(diff.leaks!.byConstructor[0].className, 'LeakyRecord');
    assert.equal(diff.leaks!.byConstructor[0].count, 500);

    const missing = await client.send({ method: 'summary', file: join(dirname(files.s1), 'nope.heapsnapshot') }).reply;
    assert.ok('error' in missing && missing.error.code === 'IO', JSON.stringify(missing));

    const truncated = join(dirname(files.s1), 'truncated.heapsnapshot');
    const bytes = readFileSync(files.s1);
    writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const broken = await client.send({ method: 'summary', file: truncated }).reply;
    assert.ok('error' in broken && broken.error.code === 'SNAPSHOT_PARSE', JSON.stringify(broken));
    assert.match((broken as { error: { message: string } }).error.message, new RegExp(`at byte ${Math.floor(bytes.length / 2)}, in `));

    const noSnapshot = await client.send({ method: 'objectDetails', nodeId: 1 }).reply;
    assert.ok('error' in noSnapshot && /no snapshot is open/.test(noSnapshot.error.message));
  } finally {
    await worker.terminate();
    rmSync(dirname(files.s1), { recursive: true, force: true });
  }
});

test('a summary can be cancelled while the file is read', async () => {
  const files = await takeSnapshots([{ cmd: 'leak', count: 20_000 }, { cmd: 'snapshot', name: 'big' }]);
  const worker = new Worker(workerFile);
  try {
    const client = new Client(worker);
    const running = client.send({ method: 'summary', file: files.big });
    const cancel = await client.ok<{ cancelled: boolean }>({ method: 'cancel', target: running.id });
    assert.equal(cancel.cancelled, true);
    const reply = await running.reply;
    assert.ok('error' in reply && reply.error.code === 'CANCELLED', JSON.stringify(reply));
  } finally {
    await worker.terminate();
    rmSync(dirname(files.big), { recursive: true, force: true });
  }
});
