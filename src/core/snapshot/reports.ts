/**
 * The end-to-end jobs the CLI and the worker run (summary of one snapshot, diff of two or three),
 * producing plain-data reports that cross process and worker boundaries as JSON. Input comes as
 * chunk sources, so this stays free of fs: adapters open the files.
 */
import { analyzeSnapshot, type AnalyzedSnapshot, type CodeLocation } from './analyze';
import { diffSnapshots, diffTotals, digestSnapshot, findLeaks, type ClassDelta, type LeakReport, type SnapshotDigest } from './diff';
import { comparability, identityOf } from './identity';
import { SnapshotCompareError } from '../../shared/errors';
import { SnapshotParser, type CancellationSignal } from './parser';

/** A snapshot to read: its name (for messages) and its bytes, streamed. */
export interface ChunkSource {
  name: string;
  /** Total size when known, for progress. */
  sizeBytes?: number;
  /** Chunks are consumed before the next one is requested, so a source may reuse one buffer. */
  chunks(): AsyncIterable<string | Uint8Array>;
}

export type JobPhase = 'parsing' | 'dominators' | 'paths' | 'summary' | 'diff';

/** Progress of a job: which file, which phase, and bytes read so far while parsing. */
export interface JobProgress {
  file: string;
  phase: JobPhase;
  bytesRead?: number;
  totalBytes?: number;
}

export interface JobOptions {
  signal?: CancellationSignal;
  onProgress?(progress: JobProgress): void;
  /** Rows to keep in tables (default: all for summaries, 50 for leak groups). */
  limit?: number;
}

export interface ClassRow {
  className: string;
  count: number;
  selfBytes: number;
  retainedBytes: number;
  internal: boolean;
  location?: CodeLocation;
  /** V8 object ids of the largest instances. */
  largestIds: number[];
}

/** What `leak-lens snapshot summary --json` prints. */
export interface SummaryReport {
  file: string;
  nodeCount: number;
  edgeCount: number;
  totalBytes: number;
  classes: ClassRow[];
}

/** What `leak-lens snapshot diff --json` prints: per-class growth, and with three files the leak suspects. */
export interface DiffReport {
  files: string[];
  /**
   * `by-id`: births and frees by object id (one process, one inspector session); `by-count`: ids do
   * not line up, so only per-class totals are compared and `addedCount`/`removedCount` are 0.
   */
  mode: 'by-id' | 'by-count';
  /** Why the comparison is limited, or what it cannot prove; shown above the table. */
  note?: string;
  /** Growth from the first to the second snapshot by constructor, largest first. */
  classes: ClassDelta[];
  /** Only with three snapshots. */
  leaks?: LeakReport;
}

/** Parses one source. @throws SnapshotParseError, CancelledError */
export async function readSnapshot(source: ChunkSource, options: JobOptions = {}) {
  const parser = new SnapshotParser({ source: source.name, signal: options.signal });
  let last = 0;
  for await (const chunk of source.chunks()) {
    parser.write(chunk);
    if (options.onProgress && parser.offset - last >= 8 * 1024 * 1024) {
      last = parser.offset;
      options.onProgress({ file: source.name, phase: 'parsing', bytesRead: parser.offset, totalBytes: source.sizeBytes });
    }
  }
  return parser.end();
}

/** Parses and analyses one source. */
export async function readAndAnalyze(source: ChunkSource, options: JobOptions = {}): Promise<AnalyzedSnapshot> {
  const snapshot = await readSnapshot(source, options);
  return analyzeSnapshot(snapshot, {
    signal: options.signal,
    onPhase: (phase) => options.onProgress?.({ file: source.name, phase }),
  });
}

/** Summary rows of an analysed snapshot. */
export function toSummaryReport(file: string, analyzed: AnalyzedSnapshot, limit?: number): SummaryReport {
  const { snapshot, summary } = analyzed;
  const classes = limit === undefined ? summary.classes : summary.classes.slice(0, limit);
  return {
    file,
    nodeCount: summary.nodeCount,
    edgeCount: summary.edgeCount,
    totalBytes: summary.totalSelfBytes,
    classes: classes.map((c) => ({
      className: c.className,
      count: c.count,
      selfBytes: c.selfBytes,
      retainedBytes: c.retainedBytes,
      internal: c.internal,
      ...(c.location ? { location: c.location } : {}),
      largestIds: c.largest.map((v) => snapshot.nodeId[v]),
    })),
  };
}

/** `leak-lens snapshot summary`. */
export async function summaryJob(source: ChunkSource, options: JobOptions = {}): Promise<SummaryReport> {
  return toSummaryReport(source.name, await readAndAnalyze(source, options), options.limit);
}

async function digest(source: ChunkSource, options: JobOptions): Promise<SnapshotDigest> {
  // Only the digest survives this function, so the full graph can be collected before the next file.
  return digestSnapshot(await readSnapshot(source, options));
}

/**
 * `leak-lens snapshot diff`: two sources compare by object id; with a third, the three-snapshot
 * technique finds what was allocated between 1 and 2 and is still alive at 3. Files are read one
 * after the other so only one full graph is in memory at a time.
 */
export async function diffJob(sources: ChunkSource[], options: JobOptions = {}): Promise<DiffReport> {
  if (sources.length !== 2 && sources.length !== 3) throw new RangeError(`diff takes 2 or 3 snapshots, got ${sources.length}`);
  const first = await digest(sources[0], options);
  const files = sources.map((s) => s.name);
  const second = await digest(sources[1], options);
  const third = sources.length === 3 ? await readAndAnalyze(sources[2], options) : undefined;
  const identities = [first.identity, second.identity, ...(third ? [identityOf(third.snapshot.strings)] : [])];
  const how = comparability(files.map((f) => basename(f)), identities);
  if (how.mode === 'refused') throw new SnapshotCompareError(how.reason, how.hint);
  options.onProgress?.({ file: sources[sources.length - 1].name, phase: 'diff' });
  if (how.mode === 'by-count') {
    // Ids restart per session: only totals are honest, and no suspects can be named by id.
    return { files, mode: 'by-count', note: how.note, classes: limitRows(diffTotals(first, second), options.limit) };
  }
  const classes = limitRows(diffSnapshots(first, second), options.limit);
  const base = { files, mode: 'by-id' as const, ...(how.note ? { note: how.note } : {}), classes };
  if (!third) return base;
  return { ...base, leaks: findLeaks(first, second, third, { signal: options.signal, limit: options.limit }) };
}

function basename(file: string): string {
  return file.split(/[\\/]/).pop() ?? file;
}

function limitRows<T>(rows: T[], limit: number | undefined): T[] {
  return limit === undefined ? rows : rows.slice(0, limit);
}
