/**
 * One call that runs every analysis a snapshot view needs, in the order that keeps peak memory
 * low, plus the mapping of V8 script ids to script URLs (found in the graph itself: closure →
 * shared function info → script, whose node name is the URL).
 */
import { buildDominatorTree, computeDominators, type DominatorResult, type DominatorTree } from './dominators';
import type { HeapSnapshot, ScriptLocation } from './heapSnapshot';
import type { CancellationSignal } from './parser';
import { computeRetainerPaths, type RetainerPaths } from './retainers';
import { buildClassIndex, summarize, type ClassIndex, type SnapshotSummary } from './summary';

/** A place in a script, 1-based, as people and editors count. `url` is what V8 knows the script by. */
export interface CodeLocation {
  url: string;
  line: number;
  column: number;
}

/** A snapshot with its dominators, retainer paths, classes and summary. */
export interface AnalyzedSnapshot {
  snapshot: HeapSnapshot;
  dominators: DominatorResult;
  tree: DominatorTree;
  paths: RetainerPaths;
  classes: ClassIndex;
  summary: SnapshotSummary;
  scripts: Map<number, string>;
}

export interface AnalyzeOptions {
  signal?: CancellationSignal;
  /** Called between phases, for progress UIs. */
  onPhase?(phase: 'dominators' | 'paths' | 'summary'): void;
}

/** Runs dominators, retained sizes, retainer paths and the per-constructor summary. @throws CancelledError */
export function analyzeSnapshot(snapshot: HeapSnapshot, options: AnalyzeOptions = {}): AnalyzedSnapshot {
  const { signal, onPhase } = options;
  // Paths first: their arrays live on, and the dominators' larger scratch then dies last.
  onPhase?.('paths');
  const paths = computeRetainerPaths(snapshot, signal);
  onPhase?.('dominators');
  const dominators = computeDominators(snapshot, signal);
  const tree = buildDominatorTree(dominators);
  onPhase?.('summary');
  const classes = buildClassIndex(snapshot);
  const scripts = scriptUrls(snapshot);
  const summary = summarize(snapshot, dominators, classes, tree, signal, scripts);
  return { snapshot, dominators, tree, paths, classes, summary, scripts };
}

/** Script id → URL for every script that has at least one closure with a recorded location. */
export function scriptUrls(snapshot: HeapSnapshot): Map<number, string> {
  const urls = new Map<number, string>();
  const { locations } = snapshot;
  const closure = snapshot.types.closure;
  for (let k = 0; k < locations.node.length; k++) {
    const scriptId = locations.scriptId[k];
    if (urls.has(scriptId)) continue;
    const node = locations.node[k];
    if (snapshot.nodeType[node] !== closure) continue;
    const shared = edgeByName(snapshot, node, 'shared');
    if (shared < 0) continue;
    let script = edgeByName(snapshot, shared, 'script_or_debug_info');
    if (script < 0) script = edgeByName(snapshot, shared, 'script');
    if (script < 0) continue;
    const url = snapshot.name(script);
    if (url) urls.set(scriptId, url);
  }
  return urls;
}

/** The target of the node's first edge with that name, or -1. */
export function edgeByName(snapshot: HeapSnapshot, node: number, name: string): number {
  for (let e = snapshot.firstEdge[node], end = snapshot.firstEdge[node + 1]; e < end; e++) {
    const type = snapshot.edgeType[e];
    if (type === snapshot.edgeTypes.element || type === snapshot.edgeTypes.hidden) continue;
    if (snapshot.strings[snapshot.edgeNameOrIndex[e]] === name) return snapshot.edgeToNode[e];
  }
  return -1;
}

/** A recorded location with its script URL, 1-based; undefined when the script is unknown. */
export function toCodeLocation(scripts: Map<number, string>, location: ScriptLocation | undefined): CodeLocation | undefined {
  if (!location) return undefined;
  const url = scripts.get(location.scriptId);
  if (!url) return undefined;
  return { url, line: location.line + 1, column: location.column + 1 };
}
