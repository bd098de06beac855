/**
 * Per-constructor summary (count, self bytes, retained bytes), the table DevTools calls "Summary".
 * A class's retained bytes count each object once: an instance dominated by another instance of
 * the same class is already inside that one's retained size.
 */
import { CancelledError } from '../../shared/errors';
import { buildDominatorTree, type DominatorResult, type DominatorTree } from './dominators';
import type { HeapSnapshot, ScriptLocation } from './heapSnapshot';
import type { CodeLocation } from './analyze';
import type { CancellationSignal } from './parser';

/** Class (constructor group) of every node, as small integers. */
export interface ClassIndex {
  names: string[];
  /** Class id per node ordinal. */
  classOf: Uint32Array;
  /** Whether each class is engine-internal (see {@link HeapSnapshot.isInternalClass}). */
  internal: boolean[];
}

/** Groups nodes by {@link HeapSnapshot.className} without building a string per node. */
export function buildClassIndex(snapshot: HeapSnapshot): ClassIndex {
  const { nodeCount, nodeType, nodeName, strings } = snapshot;
  const typeCount = snapshot.meta.nodeTypes.length;
  // Named classes are keyed by string index, the others by type, in one lookup table.
  const slot = new Int32Array(strings.length + typeCount).fill(-1);
  const byName = new Map<string, number>();
  const names: string[] = [];
  const internal: boolean[] = [];
  const classOf = new Uint32Array(nodeCount);
  const object = snapshot.types.object;
  const native = snapshot.types.native;
  for (let v = 0; v < nodeCount; v++) {
    const type = nodeType[v];
    const key = type === object || type === native ? nodeName[v] : strings.length + type;
    let id = slot[key];
    if (id < 0) {
      const name = snapshot.className(v);
      id = byName.get(name) ?? -1;
      if (id < 0) {
        id = names.length;
        names.push(name);
        internal.push(snapshot.isInternalClass(v));
        byName.set(name, id);
      }
      slot[key] = id;
    }
    classOf[v] = id;
  }
  return { names, classOf, internal };
}

/** One row of the summary. */
export interface ClassSummary {
  className: string;
  count: number;
  selfBytes: number;
  /** Retained by the class's instances, each object counted once. */
  retainedBytes: number;
  internal: boolean;
  /** Where the constructor or function was defined (1-based), when V8 recorded it and the script is known. */
  location?: CodeLocation;
  /** Node ordinals of the largest instances by retained size (at most 5). */
  largest: number[];
}

export interface SnapshotSummary {
  nodeCount: number;
  edgeCount: number;
  totalSelfBytes: number;
  classes: ClassSummary[];
}

/**
 * Walks the dominator tree once with a per-class "open ancestors" counter, so `include(v)` nodes
 * only add their retained size when no ancestor of the same group is already counted.
 * @param outermost when given, set to 1 for each node that was counted (no same-group ancestor)
 * @returns retained bytes per group id
 */
export function retainedByGroup(
  tree: DominatorTree,
  retainedSize: Float64Array,
  groupOf: Uint32Array,
  groupCount: number,
  include: (node: number) => boolean = () => true,
  signal?: CancellationSignal,
  outermost?: Uint8Array,
): Float64Array {
  const { firstChild, children } = tree;
  const open = new Uint32Array(groupCount);
  const result = new Float64Array(groupCount);
  // Growable stacks: dominator trees are usually shallow, and a node-count-sized pair of stacks
  // would be the largest allocation of the whole summary.
  let stackNode = new Uint32Array(1024);
  let stackCursor = new Uint32Array(1024);
  let top = 0;
  stackNode[0] = 0;
  stackCursor[0] = firstChild[0];
  enter(0);
  let steps = 0;
  function enter(v: number): void {
    if (!include(v)) return;
    const g = groupOf[v];
    if (open[g] === 0) {
      result[g] += retainedSize[v];
      if (outermost) outermost[v] = 1;
    }
    open[g]++;
  }
  while (top >= 0) {
    const v = stackNode[top];
    const cursor = stackCursor[top];
    if (cursor < firstChild[v + 1]) {
      stackCursor[top] = cursor + 1;
      const child = children[cursor];
      top++;
      if (top === stackNode.length) {
        const grownNode = new Uint32Array(top * 2);
        grownNode.set(stackNode);
        stackNode = grownNode;
        const grownCursor = new Uint32Array(top * 2);
        grownCursor.set(stackCursor);
        stackCursor = grownCursor;
      }
      stackNode[top] = child;
      stackCursor[top] = firstChild[child];
      enter(child);
    } else {
      // include() is a pure test, so asking again on exit matches what enter() decided.
      if (include(v)) open[groupOf[v]]--;
      top--;
    }
    if ((++steps & 0xfffff) === 0 && signal?.aborted) throw new CancelledError('Summarising the heap snapshot');
  }
  return result;
}

/** Builds the per-constructor summary, largest retained first. */
export function summarize(
  snapshot: HeapSnapshot,
  dominators: DominatorResult,
  classes: ClassIndex = buildClassIndex(snapshot),
  tree: DominatorTree = buildDominatorTree(dominators),
  signal?: CancellationSignal,
  scripts?: Map<number, string>,
): SnapshotSummary {
  const classCount = classes.names.length;
  const count = new Float64Array(classCount);
  const self = new Float64Array(classCount);
  const largest: number[][] = classes.names.map(() => []);
  const { classOf } = classes;
  const sizes = snapshot.nodeSelfSize;
  const retained = dominators.retainedSize;
  for (let v = 0; v < snapshot.nodeCount; v++) {
    const c = classOf[v];
    count[c]++;
    self[c] += sizes[v];
    const top = largest[c];
    if (top.length < 5 || retained[v] > retained[top[top.length - 1]]) {
      top.push(v);
      top.sort((a, b) => retained[b] - retained[a]);
      if (top.length > 5) top.pop();
    }
  }
  const retainedBytes = retainedByGroup(tree, retained, classOf, classCount, undefined, signal);
  const classes_: ClassSummary[] = classes.names.map((className, c) => {
    const raw: ScriptLocation | undefined = largest[c].map((v) => snapshot.location(v)).find((l) => l !== undefined);
    const url = raw && scripts?.get(raw.scriptId);
    const location: CodeLocation | undefined = raw && url ? { url, line: raw.line + 1, column: raw.column + 1 } : undefined;
    return {
      className,
      count: count[c],
      selfBytes: self[c],
      retainedBytes: retainedBytes[c],
      internal: classes.internal[c],
      ...(location ? { location } : {}),
      largest: largest[c],
    };
  });
  classes_.sort((a, b) => b.retainedBytes - a.retainedBytes || b.selfBytes - a.selfBytes || a.className.localeCompare(b.className));
  return { nodeCount: snapshot.nodeCount, edgeCount: snapshot.edgeCount, totalSelfBytes: snapshot.totalSelfBytes(), classes: classes_ };
}
