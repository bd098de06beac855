/**
 * The watch report: what `leak-lens watch --json` writes and what the extension shows. Its shape is a
 * public contract (see DESIGN.md); add fields, never rename or remove them.
 */

/** A place in the user's code. `file` is an absolute path; `line` and `column` are 1-based. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

/** What kind of thing a hotspot keeps alive. */
export type HotspotKind =
  | 'heap'
  | 'timer'
  | 'socket'
  | 'server'
  | 'file-handle'
  | 'watcher'
  | 'child-process'
  | 'worker'
  | 'listener'
  | 'resource';

/** A creation or allocation site whose live bytes or live count keeps growing. */
export interface Hotspot {
  kind: HotspotKind;
  location: SourceLocation;
  /** Name of the function that contains `location` ("(anonymous)" when it has none). */
  function: string;
  growthBytesPerMinute?: number;
  liveBytes?: number;
  liveCount?: number;
  countGrowthPerMinute?: number;
  /** The library or node-internal frame the allocation went through, e.g. "node-cache/lib/node_cache.js:61". */
  via?: string;
  /** The runtime resource type behind a resource hotspot, e.g. "Timeout" or "TCPSocketWrap". */
  resourceType?: string;
  /** 0..1, how sure we are that this site leaks; hotspots are sorted by it, most suspicious first. */
  score: number;
  /** For resource hotspots: the user-code frames of the creation stack, innermost first. */
  stack?: SourceLocation[];
}

export interface ProjectedOutOfMemory {
  /** Which limit will be hit first. */
  limit: 'v8-heap' | 'cgroup' | 'constrained-memory';
  limitBytes: number;
  /** The measure that grows towards the limit. */
  metric: 'heapUsed' | 'rss';
  currentBytes: number;
  secondsUntil: number;
  /** ISO 8601 time at which the limit is reached at the current rate. */
  at: string;
}

export interface Verdict {
  leaking: boolean;
  /** 0..1 */
  confidence: number;
  /** Growth of the post-GC heap baseline (or of the leading measure, see `metric`). */
  growthBytesPerMinute: number;
  projectedOutOfMemory: ProjectedOutOfMemory | null;
  /** One sentence a person can read: "heap grows 3.2 MB/min after GC (p < 0.001)". */
  summary: string;
}

export interface TargetInfo {
  /** How we reached it: "127.0.0.1:9229", a ws URL, or "pid 1234". */
  address: string;
  pid?: number;
  title?: string;
  nodeVersion?: string;
  /** The main script (process.argv[1]), when known; names the target better than `title`. */
  main?: string;
}

export interface WatchReport {
  target: TargetInfo;
  durationSeconds: number;
  verdict: Verdict;
  hotspots: Hotspot[];
  /**
   * Cluster watches only (`watch --workers`): the report of every watched process other than the one
   * the top level describes. The top-level hotspots then merge all of them.
   */
  workers?: WatchReport[];
}

/**
 * One tick of the memory series. `t` is milliseconds since the epoch. A failed tick carries `error`
 * and no numbers: expected failures are values, not exceptions.
 */
export type MemorySample =
  | {
      t: number;
      rss: number;
      heapUsed: number;
      heapTotal: number;
      external: number;
      arrayBuffers: number;
      /** The size the JS heap dies at: V8's old-generation maximum (heap_size_limit minus the young generation). */
      heapLimit: number;
      /** Estimated live heap right after the most recent GC (the leak baseline), when known. */
      postGcHeapUsed?: number;
      /** Active resources by type (process.getActiveResourcesInfo()), e.g. { Timeout: 12, TCPSocketWrap: 3 }. */
      resources: Record<string, number>;
      error?: undefined;
    }
  | { t: number; error: string };
