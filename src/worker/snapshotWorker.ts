/**
 * The snapshot worker (`dist/snapshotWorker.js`): runs the heap snapshot engine on a worker thread so
 * parsing a gigabyte never blocks the extension host. Reads files in chunks with fs streams; answers
 * every request of `src/protocol/snapshot.ts` with `{ id, ok }` or `{ id, error }`.
 */
import { parentPort } from 'node:worker_threads';
import {
  diffJob,
  formatRetainerPath,
  readAndAnalyze,
  retainerPath,
  toCodeLocation,
  toSummaryReport,
  type AnalyzedSnapshot,
  type JobProgress,
} from '../core/snapshot/index';
import { LeakLensError, toWireError } from '../shared/errors';
import { fileSource } from './fileSource';
import type { ObjectDetails, SnapshotWorkerReply, SnapshotWorkerRequest } from '../protocol/snapshot';

/** Request handling, separate from the port so it can be driven directly. */
export class SnapshotWorkerHost {
  private current?: AnalyzedSnapshot;
  private idIndex?: Map<number, number>;
  private readonly signals = new Map<number, { aborted: boolean }>();

  constructor(private readonly reply: (message: SnapshotWorkerReply) => void) {}

  async handle(request: SnapshotWorkerRequest): Promise<void> {
    if (request.method === 'cancel') {
      // Reaches a running request while it reads (parsing yields between chunks); the synchronous
      // analysis phases only see it at their end, so adapters terminate the worker for a hard stop.
      const signal = this.signals.get(request.target);
      if (signal) signal.aborted = true;
      this.reply({ id: request.id, ok: { cancelled: signal !== undefined } });
      return;
    }
    const signal = { aborted: false };
    this.signals.set(request.id, signal);
    const onProgress = (progress: JobProgress) => this.reply({ id: request.id, progress });
    try {
      switch (request.method) {
        case 'summary': {
          // Drop the previous graph before reading the next, so two never coexist.
          this.current = undefined;
          this.idIndex = undefined;
          const analyzed = await readAndAnalyze(fileSource(request.file), { signal, onProgress });
          this.current = analyzed;
          this.reply({ id: request.id, ok: toSummaryReport(request.file, analyzed, request.limit) });
          break;
        }
        case 'diff':
          this.reply({ id: request.id, ok: await diffJob(request.files.map(fileSource), { signal, onProgress, limit: request.limit }) });
          break;
        case 'objectDetails':
          this.reply({ id: request.id, ok: this.objectDetails(request.nodeId) });
          break;
        default:
          throw new LeakLensError('USAGE', `unknown method ${(request as { method: string }).method}`);
      }
    } catch (e) {
      this.reply({ id: request.id, error: toWireError(e) });
    } finally {
      this.signals.delete(request.id);
    }
  }

  private objectDetails(nodeId: number): ObjectDetails {
    const analyzed = this.current;
    if (!analyzed) throw new LeakLensError('USAGE', 'no snapshot is open: send "summary" first');
    const { snapshot, paths, dominators, scripts } = analyzed;
    if (!this.idIndex) {
      this.idIndex = new Map();
      for (let v = 0; v < snapshot.nodeCount; v++) this.idIndex.set(snapshot.nodeId[v], v);
    }
    const node = this.idIndex.get(nodeId);
    if (node === undefined) throw new LeakLensError('USAGE', `no object with id @${nodeId} in this snapshot`);
    const steps = retainerPath(snapshot, paths, node);
    const location = toCodeLocation(scripts, snapshot.location(node));
    return {
      nodeId,
      className: snapshot.className(node),
      name: snapshot.name(node),
      selfBytes: snapshot.nodeSelfSize[node],
      retainedBytes: dominators.retainedSize[node],
      ...(steps ? { retainerPath: steps, retainerPathText: formatRetainerPath(steps, true) } : {}),
      ...(location ? { location } : {}),
    };
  }
}

if (parentPort) {
  const port = parentPort;
  const host = new SnapshotWorkerHost((message) => port.postMessage(message));
  port.on('message', (request: SnapshotWorkerRequest) => {
    // handle() never rejects: every failure becomes an { error } reply.
    void host.handle(request).catch((e: unknown) => port.postMessage({ id: request.id, error: toWireError(e) }));
  });
}
