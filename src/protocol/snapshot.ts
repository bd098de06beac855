/**
 * Messages between an adapter (the extension's snapshot editor) and the snapshot worker
 * (`dist/snapshotWorker.js`, `src/worker/snapshotWorker.ts`). Types and constants only. Every
 * request gets exactly one `{ id, ok }` or `{ id, error }` reply, possibly after `{ id, progress }`.
 */
import type { DiffReport, JobProgress, RetainerStep, SummaryReport } from '../core/snapshot/index';
import type { WireError } from '../shared/errors';

export type { ClassDelta, ClassRow, DiffReport, JobProgress, LeakGroup, LeakReport, RetainerStep, SummaryReport } from '../core/snapshot/index';

export type SnapshotWorkerRequest =
  /** Parse and analyse one file; the worker keeps it for `objectDetails` until the next `summary`. */
  | { id: number; method: 'summary'; file: string; limit?: number }
  /** Two files: growth by constructor; three: also the three-snapshot leak suspects. */
  | { id: number; method: 'diff'; files: string[]; limit?: number }
  /** Retainer path and retained size of one object of the snapshot opened last, by V8 id. */
  | { id: number; method: 'objectDetails'; nodeId: number }
  /** Stops the request `target` at its next check; it replies with a CancelledError. */
  | { id: number; method: 'cancel'; target: number };

export interface ObjectDetails {
  nodeId: number;
  className: string;
  name: string;
  selfBytes: number;
  retainedBytes: number;
  /** Shortest path from the GC roots, root first; absent when only weak references lead to it. */
  retainerPath?: RetainerStep[];
  retainerPathText?: string;
  /** Where its constructor or function was defined (1-based, script URL). */
  location?: { url: string; line: number; column: number };
}

export interface SnapshotWorkerResults {
  summary: SummaryReport;
  diff: DiffReport;
  objectDetails: ObjectDetails;
  cancel: { cancelled: boolean };
}

export type SnapshotWorkerReply =
  | { id: number; ok: SnapshotWorkerResults[keyof SnapshotWorkerResults] }
  | { id: number; error: WireError }
  | { id: number; progress: JobProgress };

/** From the snapshot editor's webview to the extension. */
export type SnapshotViewMessage =
  | { type: 'ready' }
  | { type: 'objectDetails'; nodeId: number }
  | { type: 'openLocation'; location: { url: string; line: number; column: number } }
  /** Ask the user for one or two earlier snapshots and diff them with this one. */
  | { type: 'compare' };

/** From the extension to the snapshot editor's webview. */
export type SnapshotHostMessage =
  | { type: 'progress'; text: string }
  | { type: 'summary'; report: SummaryReport }
  | { type: 'details'; details: ObjectDetails }
  | { type: 'diff'; report: DiffReport }
  | { type: 'error'; message: string };
