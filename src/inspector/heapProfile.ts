/**
 * Aggregating V8 sampling heap profiles (HeapProfiler.getSamplingProfile, live objects only) by the
 * nearest user frame on each allocation's call path, keeping the frame the allocation went through
 * next (its name helps find the line, a library frame becomes `via`).
 */
import { isUserScript, libraryLabel } from './sourceMaps';

/** A CDP Runtime.CallFrame (0-based positions). */
export interface CallFrame {
  functionName: string;
  scriptId: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

export interface SamplingHeapProfileNode {
  callFrame: CallFrame;
  selfSize: number;
  id: number;
  children: SamplingHeapProfileNode[];
}

export interface SamplingHeapProfile {
  head: SamplingHeapProfileNode;
}

/** Live sampled bytes attributed to one user function (+ the callee the bytes went through). */
export interface HeapSite {
  key: string;
  frame: CallFrame;
  /** Name of the next frame on the path below the user frame, when the allocation happened in a callee. */
  callee?: string;
  /** The library frame the allocation went through ("pkg/file.js:12"). */
  via?: string;
  bytes: number;
}

/** Sums each node's self size onto the deepest user frame of its path. */
export function aggregateHeapProfile(profile: SamplingHeapProfile): Map<string, HeapSite> {
  const sites = new Map<string, HeapSite>();
  const path: CallFrame[] = [];
  const visit = (node: SamplingHeapProfileNode) => {
    path.push(node.callFrame);
    if (node.selfSize > 0) {
      let userIndex = -1;
      for (let i = path.length - 1; i >= 0; i--) {
        if (isUserScript(path[i].url)) {
          userIndex = i;
          break;
        }
      }
      if (userIndex >= 0) {
        const frame = path[userIndex];
        const next = path[userIndex + 1];
        let via: string | undefined;
        for (let i = userIndex + 1; i < path.length; i++) {
          via = libraryLabel(path[i].url, path[i].lineNumber + 1);
          if (via) break;
        }
        const callee = next?.functionName || undefined;
        const key = `${frame.url}:${frame.lineNumber}:${frame.columnNumber}:${callee ?? ''}`;
        const site = sites.get(key);
        if (site) site.bytes += node.selfSize;
        else sites.set(key, { key, frame, callee, via, bytes: node.selfSize });
      }
    }
    for (const child of node.children) visit(child);
    path.pop();
  };
  visit(profile.head);
  return sites;
}
