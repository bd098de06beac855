/**
 * Dominator tree and retained sizes with the Lengauer–Tarjan algorithm, fully iterative (explicit
 * stacks for the depth-first search and for path compression), so a linked list of a million
 * objects costs the same as a bushy tree and never overflows the call stack. Runs in
 * O(E log N) time with a handful of Uint32Arrays of node count length.
 *
 * Edges follow DevTools' rules: weak edges never retain, and shortcut edges only count from the
 * synthetic root (they mark the user's global objects there). Nodes reachable only through weak
 * edges are treated as retained by the root, as DevTools does, so every node gets a dominator.
 */
import { CancelledError } from '../../shared/errors';
import type { HeapSnapshot } from './heapSnapshot';
import type { CancellationSignal } from './parser';

/** Dominator tree and retained sizes, indexed by node ordinal. */
export interface DominatorResult {
  /** Immediate dominator of each node; the root's is itself (0). */
  idom: Uint32Array;
  /** Bytes freed if the node were released (self size plus everything it alone keeps alive). */
  retainedSize: Float64Array;
  /** Node ordinals in depth-first pre-order of the retention graph (reachable first, then the rest). */
  order: Uint32Array;
  /** The dominator tree's child lists, built in the algorithm's scratch arrays. */
  tree?: DominatorTree;
}

/** The root is always node 0 in V8 snapshots. */
export const ROOT = 0;
const CHECK_EVERY = 1 << 20;

function checkCancelled(signal: CancellationSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError('Analysing the heap snapshot');
}

/** True when the edge counts for retention (see module comment). */
export function isRetainingEdge(snapshot: HeapSnapshot, from: number, edge: number): boolean {
  const type = snapshot.edgeType[edge];
  if (type === snapshot.edgeTypes.weak) return false;
  if (type === snapshot.edgeTypes.shortcut) return from === ROOT;
  return true;
}

/** Computes the dominator tree and retained sizes. @throws CancelledError */
export function computeDominators(snapshot: HeapSnapshot, signal?: CancellationSignal): DominatorResult {
  const n = snapshot.nodeCount;
  const { firstEdge, edgeToNode, edgeType } = snapshot;
  const weak = snapshot.edgeTypes.weak;
  const shortcut = snapshot.edgeTypes.shortcut;

  // Memory is the limit on big snapshots, so arrays are reused between phases (noted where).
  // 1. Iterative DFS from the root. Vertices are numbered 1..reached (0 = not reached).
  const dfnum = new Uint32Array(n + 1);
  // vertex[d] is the node with DFS number d; after the search, unreached nodes are appended, so
  // vertex[1..n] is the pre-order the retained-size sweep needs.
  const vertex = new Uint32Array(n + 1);
  const parent = new Uint32Array(n + 1);
  // The search's two stacks become `path` and `ancestor` of step 3.
  const stackNode = new Uint32Array(n + 1);
  const stackEdge = new Uint32Array(n + 1);
  let reached = 1;
  {
    let top = 0;
    let count = reached;
    dfnum[ROOT] = 1;
    vertex[1] = ROOT;
    stackNode[0] = ROOT;
    stackEdge[0] = firstEdge[ROOT];
    let steps = 0;
    while (top >= 0) {
      const v = stackNode[top];
      const end = firstEdge[v + 1];
      let e = stackEdge[top];
      let pushed = false;
      for (; e < end; e++) {
        const type = edgeType[e];
        if (type === weak || (type === shortcut && v !== ROOT)) continue;
        const w = edgeToNode[e];
        if (dfnum[w] !== 0) continue;
        dfnum[w] = ++count;
        vertex[count] = w;
        parent[count] = dfnum[v];
        stackEdge[top] = e + 1;
        top++;
        stackNode[top] = w;
        stackEdge[top] = firstEdge[w];
        pushed = true;
        break;
      }
      if (!pushed) top--;
      if (++steps % CHECK_EVERY === 0) checkCancelled(signal);
    }
    reached = count;
    let tail = reached;
    for (let v = 0; v < n; v++) if (dfnum[v] === 0) vertex[++tail] = v;
  }

  // 2. Predecessors in DFS-number space, compressed rows, only retaining edges between reached nodes.
  const predStart = new Uint32Array(reached + 2);
  for (let v = 0; v < n; v++) {
    const dv = dfnum[v];
    if (dv === 0) continue;
    for (let e = firstEdge[v], end = firstEdge[v + 1]; e < end; e++) {
      const type = edgeType[e];
      if (type === weak || (type === shortcut && v !== ROOT)) continue;
      predStart[dfnum[edgeToNode[e]] + 1]++;
    }
  }
  for (let k = 1; k < predStart.length; k++) predStart[k] += predStart[k - 1];
  const pred = new Uint32Array(predStart[reached + 1]);
  // predStart[d] serves as d's fill cursor, which leaves it at the start of d + 1; shifted back after.
  for (let v = 0; v < n; v++) {
    const dv = dfnum[v];
    if (dv === 0) continue;
    for (let e = firstEdge[v], end = firstEdge[v + 1]; e < end; e++) {
      const type = edgeType[e];
      if (type === weak || (type === shortcut && v !== ROOT)) continue;
      pred[predStart[dfnum[edgeToNode[e]]]++] = dv;
    }
  }
  for (let d = reached + 1; d > 0; d--) predStart[d] = predStart[d - 1];
  predStart[0] = 0;
  checkCancelled(signal);

  // 3. Lengauer–Tarjan on DFS numbers, with an iterative eval/compress.
  // `semi` has room for every node: after the final pass it becomes the idom result.
  const semi = new Uint32Array(n + 1);
  // `label` has room for every node: afterwards it holds the tree's row starts.
  const label = new Uint32Array(n + 1);
  const ancestor = stackEdge.fill(0);
  const path = stackNode;
  const idomNum = new Uint32Array(reached + 1);
  const bucketHead = dfnum.fill(0); // DFS numbers are no longer needed
  // parent[w] is read only in iteration w, before bucketNext[w] is written, so they share an array.
  const bucketNext = parent;
  for (let v = 1; v <= reached; v++) {
    semi[v] = v;
    label[v] = v;
  }
  const evaluate = (v: number): number => {
    if (ancestor[v] === 0) return v;
    // Collect the path up to the forest root's child, then compress top-down.
    let length = 0;
    let u = v;
    while (ancestor[ancestor[u]] !== 0) {
      path[length++] = u;
      u = ancestor[u];
    }
    while (length > 0) {
      const x = path[--length];
      const a = ancestor[x];
      if (semi[label[a]] < semi[label[x]]) label[x] = label[a];
      ancestor[x] = ancestor[a];
    }
    return label[v];
  };
  for (let w = reached; w >= 2; w--) {
    for (let k = predStart[w], end = predStart[w + 1]; k < end; k++) {
      const u = evaluate(pred[k]);
      if (semi[u] < semi[w]) semi[w] = semi[u];
    }
    const p = parent[w];
    const s = semi[w];
    bucketNext[w] = bucketHead[s];
    bucketHead[s] = w;
    ancestor[w] = p;
    for (let v = bucketHead[p]; v !== 0; v = bucketNext[v]) {
      const u = evaluate(v);
      idomNum[v] = semi[u] < semi[v] ? u : p;
    }
    bucketHead[p] = 0;
    if ((w & (CHECK_EVERY - 1)) === 0) checkCancelled(signal);
  }
  for (let w = 2; w <= reached; w++) {
    if (idomNum[w] !== semi[w]) idomNum[w] = idomNum[idomNum[w]];
  }
  idomNum[1] = 1;

  // 4. Back to node ordinals; unreached nodes hang off the root.
  const idom = semi.fill(0).subarray(0, n);
  for (let d = 1; d <= reached; d++) idom[vertex[d]] = vertex[idomNum[d]];
  const order = vertex.subarray(1);

  // 5. Retained sizes: a dominator always precedes what it dominates in DFS order, so one reverse
  //    sweep accumulates every subtree.
  const retainedSize = new Float64Array(n);
  const self = snapshot.nodeSelfSize;
  for (let v = 0; v < n; v++) retainedSize[v] = self[v];
  for (let k = n - 1; k >= 1; k--) {
    const v = order[k];
    retainedSize[idom[v]] += retainedSize[v];
  }
  const tree = fillDominatorTree(idom, order, label.fill(0), path.subarray(0, Math.max(0, n - 1)));
  return { idom, retainedSize, order, tree };
}

/** Children of each node in the dominator tree, as compressed rows (for tree walks and the UI). */
export interface DominatorTree {
  firstChild: Uint32Array;
  children: Uint32Array;
}

/** Builds the dominator tree's child lists, children in DFS order. */
export function buildDominatorTree(result: DominatorResult): DominatorTree {
  if (result.tree) return result.tree;
  const n = result.idom.length;
  return fillDominatorTree(result.idom, result.order, new Uint32Array(n + 1), new Uint32Array(Math.max(0, n - 1)));
}

/** Fills child lists into the given arrays (zeroed `firstChild` of n + 1, `children` of n - 1) without scratch space. */
function fillDominatorTree(idom: Uint32Array, order: Uint32Array, firstChild: Uint32Array, children: Uint32Array): DominatorTree {
  const n = idom.length;
  for (let k = 1; k < n; k++) firstChild[idom[order[k]] + 1]++;
  for (let v = 0; v < n; v++) firstChild[v + 1] += firstChild[v];
  // Place with firstChild[v] as v's cursor, which leaves it at the start of v + 1; shift back.
  for (let k = 1; k < n; k++) {
    const v = order[k];
    children[firstChild[idom[v]]++] = v;
  }
  for (let v = n; v > 0; v--) firstChild[v] = firstChild[v - 1];
  firstChild[0] = 0;
  return { firstChild, children };
}
