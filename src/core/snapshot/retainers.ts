/**
 * Who holds what: the reverse edge index (retainers of a node) and shortest retainer paths from
 * the GC roots. Paths come from one breadth-first search over retaining edges (weak edges never
 * retain; shortcuts only from the root), so every node's path is one of its shortest.
 */
import { CancelledError } from '../../shared/errors';
import { ROOT } from './dominators';
import type { HeapSnapshot } from './heapSnapshot';
import type { CancellationSignal } from './parser';

/** Reverse edges as compressed rows: retainers of node `n` are entries `start[n] .. start[n + 1] - 1`. */
export interface RetainerIndex {
  start: Uint32Array;
  /** The retaining edge (index into the snapshot's edge columns). */
  edge: Uint32Array;
  /** The node that owns that edge. */
  node: Uint32Array;
}

/** Builds the reverse edge index in two linear passes. */
export function buildRetainerIndex(snapshot: HeapSnapshot): RetainerIndex {
  const { nodeCount, edgeCount, firstEdge, edgeToNode } = snapshot;
  const start = new Uint32Array(nodeCount + 1);
  for (let e = 0; e < edgeCount; e++) start[edgeToNode[e] + 1]++;
  for (let k = 0; k < nodeCount; k++) start[k + 1] += start[k];
  const fill = start.slice(0, nodeCount);
  const edge = new Uint32Array(edgeCount);
  const node = new Uint32Array(edgeCount);
  for (let v = 0; v < nodeCount; v++) {
    for (let e = firstEdge[v], end = firstEdge[v + 1]; e < end; e++) {
      const slot = fill[edgeToNode[e]]++;
      edge[slot] = e;
      node[slot] = v;
    }
  }
  return { start, edge, node };
}

/** Breadth-first tree from the root: each node's parent on one shortest retaining path. */
export interface RetainerPaths {
  /** The edge the path arrives through (meaningless for the root and unreachable nodes). */
  parentEdge: Uint32Array;
  /** The holder on the path; the root's is itself, and `UNREACHABLE` when only weak edges lead to it. */
  parentNode: Uint32Array;
}

export const UNREACHABLE = 0xffffffff;

/** One hop of a retainer path, root first. */
export interface RetainerStep {
  /** Node ordinal of the holder. */
  node: number;
  className: string;
  name: string;
  /** The edge from this node to the next step's node; empty on the last step. */
  edge: string;
  edgeType: string;
}

/**
 * Edge names of Leak Lens' own objects in a watched target (the probe, the snapshot identity marker):
 * paths never run through them, so a retainer path explains the user's program, not our tool.
 */
export const ownEdgePattern = /^<symbol leaklens\./;

/** Runs the breadth-first search. @throws CancelledError */
export function computeRetainerPaths(snapshot: HeapSnapshot, signal?: CancellationSignal): RetainerPaths {
  const { nodeCount, firstEdge, edgeToNode, edgeType, edgeNameOrIndex } = snapshot;
  const weak = snapshot.edgeTypes.weak;
  const shortcut = snapshot.edgeTypes.shortcut;
  const property = snapshot.edgeTypes.property;
  // String indexes of our own edge names, found once (a few at most).
  const own = new Set<number>();
  snapshot.strings.forEach((s, k) => ownEdgePattern.test(s) && own.add(k));
  const parentEdge = new Uint32Array(nodeCount);
  const parentNode = new Uint32Array(nodeCount).fill(UNREACHABLE);
  const queue = new Uint32Array(nodeCount);
  let head = 0;
  let tail = 0;
  parentNode[ROOT] = ROOT;
  queue[tail++] = ROOT;
  while (head < tail) {
    const v = queue[head++];
    for (let e = firstEdge[v], end = firstEdge[v + 1]; e < end; e++) {
      const type = edgeType[e];
      if (type === weak || (type === shortcut && v !== ROOT)) continue;
      if (type === property && own.size > 0 && own.has(edgeNameOrIndex[e])) continue;
      const w = edgeToNode[e];
      if (parentNode[w] !== UNREACHABLE) continue;
      parentEdge[w] = e;
      parentNode[w] = v;
      queue[tail++] = w;
    }
    if ((head & 0xfffff) === 0 && signal?.aborted) throw new CancelledError('Finding retainer paths');
  }
  return { parentEdge, parentNode };
}

/** False for nodes that only weak edges lead to. */
export function isReachable(paths: RetainerPaths, node: number): boolean {
  return paths.parentNode[node] !== UNREACHABLE;
}

/** The shortest retainer path of `node`, root first, at most `maxSteps` long (the root end is kept). */
export function retainerPath(snapshot: HeapSnapshot, paths: RetainerPaths, node: number, maxSteps = 64): RetainerStep[] | undefined {
  if (!isReachable(paths, node)) return undefined;
  const chain: number[] = [node];
  let v = node;
  while (v !== ROOT) {
    v = paths.parentNode[v];
    chain.push(v);
  }
  chain.reverse();
  const steps: RetainerStep[] = chain.map((n, k) => {
    const next = chain[k + 1];
    const edge = next === undefined ? -1 : paths.parentEdge[next];
    return {
      node: n,
      className: snapshot.className(n),
      name: snapshot.name(n),
      edge: edge < 0 ? '' : snapshot.edgeName(edge),
      edgeType: edge < 0 ? '' : snapshot.edgeTypeName(edge),
    };
  });
  return steps.length > maxSteps ? [...steps.slice(0, 2), ...steps.slice(steps.length - (maxSteps - 2))] : steps;
}

/**
 * A stable text for grouping paths: class and edge per hop, element indexes dropped, so a thousand
 * records in one Map share one signature.
 */
export function pathSignature(steps: readonly RetainerStep[]): string {
  return formatRetainerPath(steps);
}

/**
 * Renders a path the way people read it: `(GC roots) → … → Map.table → (array)[] → LeakyRecord`.
 * A run of the same hop (a linked list: `Timeout._idleNext` 45 times) is one step with its count,
 * so the part that explains the leak is not buried, and paths at any depth of one list group together.
 */
export function formatRetainerPath(steps: readonly RetainerStep[], keepIndexes = false): string {
  const hops = steps.map((s) => `${holderName(s)}${s.edge ? formatEdge(s, keepIndexes) : ''}`);
  const out: string[] = [];
  for (let k = 0; k < hops.length; ) {
    let run = 1;
    while (k + run < hops.length && hops[k + run] === hops[k] && steps[k + run].edge) run++;
    out.push(run > 1 ? `${hops[k]} ×${run}` : hops[k]);
    k += run;
  }
  return out.join(' → ');
}

/** Synthetic nodes say more by name ("(GC roots)") than by class ("(synthetic)"). */
function holderName(step: RetainerStep): string {
  if (step.className !== '(synthetic)') return step.className;
  return step.name || '(root)';
}

function formatEdge(step: RetainerStep, keepIndexes = false): string {
  const numeric = /^\[?\d+\]?$/.test(step.edge);
  if (step.edgeType === 'element' || step.edgeType === 'hidden' || numeric) {
    return keepIndexes ? `[${step.edge.replace(/^\[|\]$/g, '')}]` : '[]';
  }
  if (step.edgeType === 'context') return `::${step.edge}`;
  return `.${step.edge}`;
}
