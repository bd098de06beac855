/**
 * Which process and which inspector session a snapshot was taken in. V8 numbers objects
 * deterministically, and a new HeapProfiler session numbers them from the start again, so two
 * snapshots compare by object id only when they come from one process *and* one session. Leak Lens
 * writes a marker string into the target right before each capture; it travels inside the file
 * (the snapshot's string table), so a file carries its identity wherever it is copied.
 */

/**
 * How the marker string starts: it is the JSON of a {@link SnapshotIdentity} whose first key names it.
 * It must be one flat string: a rope (what concatenation and JSON.stringify may build) is stored in
 * the snapshot as its pieces.
 */
export const snapshotIdentityPrefix = '{"leakLensSnapshot":1,';

export interface SnapshotIdentity {
  pid: number;
  /** The process's start (performance.timeOrigin, epoch ms): a pid can be reused, a start cannot. */
  started: number;
  /** The HeapProfiler session (one per watch, one per `snapshot leaks`): ids line up only within one. */
  session: string;
  /** Order of the capture within its session. */
  seq: number;
  /** Epoch ms the capture began. */
  takenAt: number;
}

/** The expression (evaluated in the target) that sets the marker; {@link clearIdentityExpression} removes it. */
export function markIdentityExpression(session: string, seq: number): string {
  const fields = `{ leakLensSnapshot: 1, pid: process.pid, started: Math.round(performance.timeOrigin), session: ${JSON.stringify(session)}, seq: ${seq}, takenAt: Date.now() }`;
  // Internalizing (using it as a key) makes V8 store one flat string; JSON.stringify's result may be a
  // rope, which the snapshot would record in pieces.
  return `(function () { var text = JSON.stringify(${fields}); var o = {}; o[text] = 0; globalThis[Symbol.for('leaklens.snapshot.identity')] = Object.keys(o)[0]; return true; })()`;
}

export const clearIdentityExpression = `(function () { return delete globalThis[Symbol.for('leaklens.snapshot.identity')]; })()`;

/** The identity recorded in a snapshot's strings, or undefined for a snapshot not taken by Leak Lens. */
export function identityOf(strings: readonly string[]): SnapshotIdentity | undefined {
  let found: SnapshotIdentity | undefined;
  for (const s of strings) {
    if (!s.startsWith(snapshotIdentityPrefix)) continue;
    try {
      const v = JSON.parse(s) as Partial<SnapshotIdentity>;
      if (typeof v.pid !== 'number' || typeof v.started !== 'number' || typeof v.session !== 'string' || typeof v.seq !== 'number' || typeof v.takenAt !== 'number') continue;
      // A marker of an earlier capture may survive in the string table: the latest one is this capture's.
      if (!found || v.takenAt > found.takenAt) found = v as SnapshotIdentity;
    } catch {
      // Not our JSON after all (a user string with our prefix): ignore it.
    }
  }
  return found;
}

/**
 * How a set of snapshots (in the order given) can be compared:
 * - `by-id`: one process, one session, given oldest first: births and frees are real;
 * - `by-count`: one process but several sessions, or no identity at all: only per-class totals mean
 *   something (ids restart per session);
 * - refused: different processes, or one session given out of order.
 */
export type Comparability =
  | { mode: 'by-id'; note?: string }
  | { mode: 'by-count'; note: string }
  | { mode: 'refused'; reason: string; hint: string };

export function comparability(files: readonly string[], identities: ReadonlyArray<SnapshotIdentity | undefined>): Comparability {
  const known = identities.map((id, i) => ({ id, file: files[i] })).filter((x): x is { id: SnapshotIdentity; file: string } => x.id !== undefined);
  if (known.length < identities.length) {
    const missing = identities.map((id, i) => (id ? undefined : files[i])).filter((f): f is string => f !== undefined);
    if (known.length === 0) {
      return { mode: 'by-id', note: 'These snapshots were not taken by Leak Lens, so nothing proves they come from one process and one inspector session; if they do not, the births and frees below are not real.' };
    }
    return { mode: 'by-count', note: `${missing.join(', ')} carries no process identity (not taken by Leak Lens), so object ids may not line up: only per-class totals are compared.` };
  }
  const first = known[0];
  for (const other of known.slice(1)) {
    if (other.id.pid !== first.id.pid || other.id.started !== first.id.started) {
      return {
        mode: 'refused',
        reason: `${first.file} (pid ${first.id.pid}) and ${other.file} (pid ${other.id.pid}${other.id.pid === first.id.pid ? ', restarted' : ''}) come from different processes, and object ids only mean something within one process`,
        hint: 'Take every snapshot of the comparison from the same running process',
      };
    }
  }
  if (known.some((k) => k.id.session !== first.id.session)) {
    return {
      mode: 'by-count',
      note: 'These snapshots were taken in different inspector sessions of one process, and V8 numbers objects anew in each session: births and frees cannot be told apart, so only per-class totals are compared. Take them within one watch in the editor, or with `leak-lens snapshot leaks`, for a comparison by object.',
    };
  }
  for (let i = 1; i < known.length; i++) {
    if (known[i].id.seq <= known[i - 1].id.seq) {
      const ordered = [...known].sort((a, b) => a.id.seq - b.id.seq).map((k) => k.file);
      return { mode: 'refused', reason: `the snapshots are not in the order they were taken (${known[i].file} was taken before ${known[i - 1].file})`, hint: `Give them oldest first: ${ordered.join(' ')}` };
    }
  }
  return { mode: 'by-id' };
}
