/**
 * Comparing snapshots by V8 object id. V8 keeps an object's id across snapshots of one process, so
 * "new" means "id not seen before". Earlier snapshots are reduced to a compact, id-sorted digest
 * first, so only one full graph is ever in memory while diffing.
 *
 * The three-snapshot technique: objects allocated between snapshots 1 and 2 that are still alive at
 * 3 survived a whole load period twice over; they are the leak suspects. They are grouped by
 * constructor and by shortest retainer path, ranked by retained size.
 */
import { CancelledError } from '../../shared/errors';
import { toCodeLocation, type AnalyzedSnapshot, type CodeLocation } from './analyze';
import type { HeapSnapshot } from './heapSnapshot';
import { identityOf, type SnapshotIdentity } from './identity';
import type { CancellationSignal } from './parser';
import { formatRetainerPath, isReachable, retainerPath, type RetainerStep } from './retainers';
import { buildClassIndex, retainedByGroup, type ClassIndex } from './summary';

/** What a diff needs from an earlier snapshot: ids sorted ascending, with class and self size. */
export interface SnapshotDigest {
  ids: Uint32Array;
  classOf: Uint32Array;
  selfSize: Uint32Array;
  classNames: string[];
  /** Where it was taken, when Leak Lens took it: decides whether ids can be compared. */
  identity?: SnapshotIdentity;
}

/** Sorts indexes 0..n-1 by a 32-bit key with two 16-bit LSD radix passes (stable, O(n)). */
export function sortIndexesByKey(keys: Uint32Array): Uint32Array {
  const n = keys.length;
  let from = new Uint32Array(n);
  for (let k = 0; k < n; k++) from[k] = k;
  let to = new Uint32Array(n);
  const counts = new Uint32Array(65537);
  for (const shift of [0, 16]) {
    counts.fill(0);
    for (let k = 0; k < n; k++) counts[((keys[k] >>> shift) & 0xffff) + 1]++;
    for (let b = 0; b < 65536; b++) counts[b + 1] += counts[b];
    for (let k = 0; k < n; k++) {
      const index = from[k];
      to[counts[(keys[index] >>> shift) & 0xffff]++] = index;
    }
    [from, to] = [to, from];
  }
  return from;
}

/** Reduces a snapshot to what later diffs need (about 12 bytes per object). */
export function digestSnapshot(snapshot: HeapSnapshot, classes: ClassIndex = buildClassIndex(snapshot)): SnapshotDigest {
  const order = sortIndexesByKey(snapshot.nodeId);
  const n = order.length;
  const ids = new Uint32Array(n);
  const classOf = new Uint32Array(n);
  const selfSize = new Uint32Array(n);
  for (let k = 0; k < n; k++) {
    const v = order[k];
    ids[k] = snapshot.nodeId[v];
    classOf[k] = classes.classOf[v];
    selfSize[k] = snapshot.nodeSelfSize[v];
  }
  return { ids, classOf, selfSize, classNames: classes.names, identity: identityOf(snapshot.strings) };
}

/** Growth of one constructor between two snapshots. */
export interface ClassDelta {
  className: string;
  addedCount: number;
  addedBytes: number;
  removedCount: number;
  removedBytes: number;
  countDelta: number;
  bytesDelta: number;
}

/**
 * Per-class totals compared when ids do not line up (snapshots from different inspector sessions):
 * only count and size changes, no births or frees (they are left at 0 and the report says why).
 */
export function diffTotals(before: SnapshotDigest, after: SnapshotDigest): ClassDelta[] {
  const totals = (d: SnapshotDigest) => {
    const count = new Map<string, number>();
    const bytes = new Map<string, number>();
    for (let k = 0; k < d.ids.length; k++) {
      const name = d.classNames[d.classOf[k]];
      count.set(name, (count.get(name) ?? 0) + 1);
      bytes.set(name, (bytes.get(name) ?? 0) + d.selfSize[k]);
    }
    return { count, bytes };
  };
  const a = totals(before);
  const b = totals(after);
  const names = new Set([...a.count.keys(), ...b.count.keys()]);
  const rows: ClassDelta[] = [];
  for (const className of names) {
    const countDelta = (b.count.get(className) ?? 0) - (a.count.get(className) ?? 0);
    const bytesDelta = (b.bytes.get(className) ?? 0) - (a.bytes.get(className) ?? 0);
    if (countDelta === 0 && bytesDelta === 0) continue;
    rows.push({ className, addedCount: 0, addedBytes: 0, removedCount: 0, removedBytes: 0, countDelta, bytesDelta });
  }
  rows.sort((x, y) => y.bytesDelta - x.bytesDelta || y.countDelta - x.countDelta || x.className.localeCompare(y.className));
  return rows;
}

/** Two-snapshot comparison by id, grouped by constructor, largest growth first. */
export function diffSnapshots(before: SnapshotDigest, after: SnapshotDigest): ClassDelta[] {
  const rows = new Map<string, ClassDelta>();
  const row = (className: string): ClassDelta => {
    let r = rows.get(className);
    if (!r) {
      r = { className, addedCount: 0, addedBytes: 0, removedCount: 0, removedBytes: 0, countDelta: 0, bytesDelta: 0 };
      rows.set(className, r);
    }
    return r;
  };
  // Per-class tallies by class id first (no Map lookup per object), names joined at the end.
  const addedCount = new Float64Array(after.classNames.length);
  const addedBytes = new Float64Array(after.classNames.length);
  const removedCount = new Float64Array(before.classNames.length);
  const removedBytes = new Float64Array(before.classNames.length);
  let a = 0;
  let b = 0;
  const na = before.ids.length;
  const nb = after.ids.length;
  while (a < na || b < nb) {
    const ia = a < na ? before.ids[a] : Infinity;
    const ib = b < nb ? after.ids[b] : Infinity;
    if (ia === ib) {
      a++;
      b++;
    } else if (ia < ib) {
      removedCount[before.classOf[a]]++;
      removedBytes[before.classOf[a]] += before.selfSize[a];
      a++;
    } else {
      addedCount[after.classOf[b]]++;
      addedBytes[after.classOf[b]] += after.selfSize[b];
      b++;
    }
  }
  after.classNames.forEach((name, c) => {
    if (addedCount[c] === 0) return;
    const r = row(name);
    r.addedCount += addedCount[c];
    r.addedBytes += addedBytes[c];
  });
  before.classNames.forEach((name, c) => {
    if (removedCount[c] === 0) return;
    const r = row(name);
    r.removedCount += removedCount[c];
    r.removedBytes += removedBytes[c];
  });
  const result = [...rows.values()];
  for (const r of result) {
    r.countDelta = r.addedCount - r.removedCount;
    r.bytesDelta = r.addedBytes - r.removedBytes;
  }
  result.sort((x, y) => y.bytesDelta - x.bytesDelta || y.countDelta - x.countDelta || x.className.localeCompare(y.className));
  return result;
}

/** One group of leak suspects. */
export interface LeakGroup {
  /** The constructor name, or the retainer path signature. */
  key: string;
  /** Constructor of the group (for path groups: of its largest member). */
  className: string;
  count: number;
  selfBytes: number;
  /** Retained by the group's members, each object counted once. */
  retainedBytes: number;
  /** True for engine-internal groups ("(array)", "(system)", strings...), ranked after the rest. */
  internal: boolean;
  /** Shortest retainer path of the largest member, root first. */
  retainerPath?: RetainerStep[];
  /** The same path as text, e.g. `(GC roots) → … → Map.table → (array)[] → LeakyRecord`. */
  retainerPathText?: string;
  /** Where the constructor (or function) was defined. */
  location?: CodeLocation;
  /** V8 ids of the largest members (at most 5), to find them in DevTools or in the viewer. */
  sampleIds: number[];
}

export interface LeakReport {
  /** Objects in snapshot 2 that were not in snapshot 1. */
  newInSecond: number;
  /** Of those, the ones still alive in snapshot 3. */
  leakedCount: number;
  leakedSelfBytes: number;
  byConstructor: LeakGroup[];
  byRetainerPath: LeakGroup[];
}

/** Ids present in `ids` (sorted) for each node of `snapshot`, as a mask. */
function membership(snapshot: HeapSnapshot, order: Uint32Array, ids: Uint32Array): Uint8Array {
  const mask = new Uint8Array(snapshot.nodeCount);
  let j = 0;
  for (let k = 0; k < order.length; k++) {
    const v = order[k];
    const id = snapshot.nodeId[v];
    while (j < ids.length && ids[j] < id) j++;
    if (j < ids.length && ids[j] === id) mask[v] = 1;
  }
  return mask;
}

/** Ids of `second` not in `first`, sorted. */
export function newIds(first: SnapshotDigest, second: SnapshotDigest): Uint32Array {
  const out = new Uint32Array(second.ids.length);
  let count = 0;
  let a = 0;
  for (let b = 0; b < second.ids.length; b++) {
    const id = second.ids[b];
    while (a < first.ids.length && first.ids[a] < id) a++;
    if (a < first.ids.length && first.ids[a] === id) continue;
    out[count++] = id;
  }
  return out.slice(0, count);
}

export interface FindLeaksOptions {
  signal?: CancellationSignal;
  /** How many groups of each kind to return (default 50). */
  limit?: number;
}

/**
 * The three-snapshot technique. `third` is fully analysed; the first two are digests.
 * @throws CancelledError
 */
export function findLeaks(first: SnapshotDigest, second: SnapshotDigest, third: AnalyzedSnapshot, options: FindLeaksOptions = {}): LeakReport {
  const { signal, limit = 50 } = options;
  const { snapshot, dominators, tree, paths, classes } = third;
  const candidates = newIds(first, second);
  const order = sortIndexesByKey(snapshot.nodeId);
  const leaked = membership(snapshot, order, candidates);
  if (signal?.aborted) throw new CancelledError('Comparing heap snapshots');
  const retained = dominators.retainedSize;
  const self = snapshot.nodeSelfSize;
  const classCount = classes.names.length;

  // By constructor.
  const count = new Float64Array(classCount);
  const selfBytes = new Float64Array(classCount);
  const largest: number[][] = classes.names.map(() => []);
  let leakedCount = 0;
  let leakedSelfBytes = 0;
  for (let v = 0; v < snapshot.nodeCount; v++) {
    if (!leaked[v]) continue;
    const c = classes.classOf[v];
    leakedCount++;
    leakedSelfBytes += self[v];
    count[c]++;
    selfBytes[c] += self[v];
    pushLargest(largest[c], v, retained);
  }
  const classRetained = retainedByGroup(tree, retained, classes.classOf, classCount, (v) => leaked[v] === 1, signal);
  const byConstructor: LeakGroup[] = [];
  for (let c = 0; c < classCount; c++) {
    if (count[c] === 0) continue;
    const top = largest[c][0];
    byConstructor.push(
      group(third, classes.names[c], classes.names[c], count[c], selfBytes[c], classRetained[c], classes.internal[c], largest[c], top),
    );
  }
  rank(byConstructor);

  // By retainer path: the outermost non-internal suspects (not inside another one's retained
  // size), grouped by the signature of their shortest path.
  const single = new Uint32Array(snapshot.nodeCount);
  const outermost = new Uint8Array(snapshot.nodeCount);
  retainedByGroup(tree, retained, single, 1, (v) => leaked[v] === 1 && !classes.internal[classes.classOf[v]], signal, outermost);
  const signatures = new Map<number, string>();
  const groups = new Map<string, { count: number; self: number; retained: number; members: number[] }>();
  for (let v = 0; v < snapshot.nodeCount; v++) {
    if (!outermost[v] || !isReachable(paths, v)) continue;
    const key = prefixOf(third, v, signatures) + holderStep(third, v);
    let g = groups.get(key);
    if (!g) {
      g = { count: 0, self: 0, retained: 0, members: [] };
      groups.set(key, g);
    }
    g.count++;
    g.self += self[v];
    g.retained += retained[v];
    pushLargest(g.members, v, retained);
  }
  const byRetainerPath: LeakGroup[] = [];
  for (const [key, g] of groups) {
    const top = g.members[0];
    byRetainerPath.push(group(third, key, snapshot.className(top), g.count, g.self, g.retained, false, g.members, top));
  }
  rank(byRetainerPath);
  return {
    newInSecond: candidates.length,
    leakedCount,
    leakedSelfBytes,
    byConstructor: byConstructor.slice(0, limit),
    byRetainerPath: byRetainerPath.slice(0, limit),
  };
}

function pushLargest(top: number[], v: number, retained: Float64Array): void {
  if (top.length < 5 || retained[v] > retained[top[top.length - 1]]) {
    top.push(v);
    top.sort((a, b) => retained[b] - retained[a]);
    if (top.length > 5) top.pop();
  }
}

function rank(groups: LeakGroup[]): void {
  groups.sort(
    (a, b) =>
      Number(a.internal) - Number(b.internal) || b.retainedBytes - a.retainedBytes || b.count - a.count || a.key.localeCompare(b.key),
  );
}

function group(
  analyzed: AnalyzedSnapshot,
  key: string,
  className: string,
  count: number,
  selfBytes: number,
  retainedBytes: number,
  internal: boolean,
  members: number[],
  top: number,
): LeakGroup {
  const { snapshot, paths, scripts } = analyzed;
  const steps = retainerPath(snapshot, paths, top);
  const location = toCodeLocation(scripts, members.map((v) => snapshot.location(v)).find((l) => l !== undefined));
  return {
    key,
    className,
    count,
    selfBytes,
    retainedBytes,
    internal,
    ...(steps ? { retainerPath: steps, retainerPathText: formatRetainerPath(steps) } : {}),
    ...(location ? { location } : {}),
    sampleIds: members.map((v) => snapshot.nodeId[v]),
  };
}

/** One hop as it appears in a path signature: holder class plus normalised edge name. */
function holderStep(analyzed: AnalyzedSnapshot, node: number): string {
  const { snapshot } = analyzed;
  return formatRetainerPath([{ node, className: snapshot.className(node), name: snapshot.name(node), edge: '', edgeType: '' }]);
}

/**
 * Path text from the root up to and including the edge into `node` ("(GC roots)[] → Map.table →
 * … → "), memoised per node since suspects share their holders.
 */
function prefixOf(analyzed: AnalyzedSnapshot, node: number, memo: Map<number, string>): string {
  const { snapshot, paths } = analyzed;
  const chain: number[] = [];
  let v = node;
  while (v !== 0 && !memo.has(v)) {
    chain.push(v);
    v = paths.parentNode[v];
  }
  let text = v === 0 ? '' : memo.get(v)!;
  for (let k = chain.length - 1; k >= 0; k--) {
    const w = chain[k];
    const from = paths.parentNode[w];
    const edge = paths.parentEdge[w];
    text += `${formatRetainerPath([
      { node: from, className: snapshot.className(from), name: snapshot.name(from), edge: snapshot.edgeName(edge), edgeType: snapshot.edgeTypeName(edge) },
    ])} → `;
    memo.set(w, text);
  }
  return text;
}
