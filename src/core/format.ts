/**
 * How Leak Lens writes sizes, rates and durations for people. One place, so the status bar, the tree,
 * the chart, the output channel, exported reports and the CLI say the same thing the same way.
 */
import type { Hotspot, HotspotKind, MemorySample, TargetInfo, Verdict } from './report';

const KIB = 1024;
const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'] as const;

/**
 * Bytes as a short human size: `512 B`, `3.4 KB`, `1.2 MB`, `182 MB`, `4.0 GB` (binary units, one
 * decimal below 10, none above, so the width stays stable while numbers move).
 */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return '? B';
  const sign = bytes < 0 ? '−' : '';
  let value = Math.abs(bytes);
  let unit = 0;
  while (value >= KIB && unit < UNITS.length - 1) {
    value /= KIB;
    unit++;
  }
  if (unit === 0) return `${sign}${Math.round(value)} B`;
  // 1023.96 KB would round to "1024 KB": carry it to the next unit instead.
  if (value >= 999.5 && unit < UNITS.length - 1) {
    value /= KIB;
    unit++;
  }
  const digits = value < 10 ? 1 : 0;
  return `${sign}${value.toFixed(digits)} ${UNITS[unit]}`;
}

/** A count as a short number: `240`, `1.2k`, `35k`, `1.4M`. */
export function formatCount(count: number): string {
  if (!Number.isFinite(count)) return '?';
  const abs = Math.abs(count);
  const sign = count < 0 ? '−' : '';
  if (abs < 1000) return `${sign}${abs < 10 && !Number.isInteger(abs) ? abs.toFixed(1) : Math.round(abs)}`;
  if (abs < 999_500) return `${sign}${(abs / 1000).toFixed(abs < 9_950 ? 1 : 0)}k`;
  return `${sign}${(abs / 1_000_000).toFixed(abs < 9_950_000 ? 1 : 0)}M`;
}

/** Growth in bytes per minute with an explicit sign: `+1.2 MB/min`, `−300 KB/min`, `±0 B/min`. */
export function formatByteRate(bytesPerMinute: number): string {
  if (bytesPerMinute === 0) return '±0 B/min';
  const size = formatBytes(bytesPerMinute);
  return `${bytesPerMinute > 0 ? '+' : ''}${size}/min`;
}

/** Growth of a count per minute with its unit: `+240 Timeout/min`, `+1.2k objects/min`. */
export function formatCountRate(countPerMinute: number, unit: string): string {
  if (countPerMinute === 0) return `±0 ${unit}/min`;
  return `${countPerMinute > 0 ? '+' : ''}${formatCount(countPerMinute)} ${unit}/min`;
}

/** A duration as the two largest units: `45 s`, `12 min`, `3 h 20 min`, `2 d 4 h`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const minutes = Math.floor(s / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days} d ${hours % 24} h` : `${days} d`;
}

/** Below this growth (in either direction) a series counts as flat for arrows and colours. */
export const FLAT_BYTES_PER_MINUTE = 64 * KIB;

/** `↗` growing, `↘` shrinking, `→` flat. */
export function trendArrow(bytesPerMinute: number): string {
  if (bytesPerMinute > FLAT_BYTES_PER_MINUTE) return '↗';
  if (bytesPerMinute < -FLAT_BYTES_PER_MINUTE) return '↘';
  return '→';
}

/** The last sample that carries numbers (failed ticks carry only `error`). */
export function lastGoodSample(samples: readonly MemorySample[]): Extract<MemorySample, { rss: number }> | undefined {
  for (let i = samples.length - 1; i >= 0; i--) {
    const s = samples[i];
    if (s.error === undefined) return s;
  }
  return undefined;
}

/**
 * The status bar text while attached: `$(pulse) 182 MB ↗ 3.2 MB/min` (heap used now, and the verdict's
 * growth of the post-GC baseline once there is one). When the verdict is a leak but the heap is not
 * what grows (a resource leak), the top hotspot's growth is shown instead: `$(pulse) 6 MB ↗ +240 Timeout/min`,
 * so a warning never sits next to a falling number.
 */
export function statusText(sample: MemorySample | undefined, verdict: Verdict | undefined, top?: Hotspot): string {
  const heap = sample && sample.error === undefined ? formatBytes(sample.heapUsed) : '…';
  if (!verdict) return `$(pulse) ${heap}`;
  const rate = verdict.growthBytesPerMinute;
  if (verdict.leaking && rate <= FLAT_BYTES_PER_MINUTE && top) {
    const growth = hotspotGrowth(top);
    if (growth.startsWith('+')) return `$(pulse) ${heap} ↗ ${growth}`;
  }
  const rateText = Math.abs(rate) <= FLAT_BYTES_PER_MINUTE ? 'steady' : formatByteRate(rate).replace(/^\+/, '');
  return `$(pulse) ${heap} ${trendArrow(rate)} ${rateText}`;
}

/**
 * The main script of a node command line (`node --inspect=0 ./server.js 8080` -> `./server.js`), or
 * undefined for `node -e …`, a REPL, or anything that is not node.
 */
export function scriptFromCommandLine(command: string): string | undefined {
  const parts = command.trim().split(/\s+/);
  if (!parts[0] || !/^(?:node|nodejs|node\.exe)$/i.test(baseName(parts[0]))) return undefined;
  for (let i = 1; i < parts.length; i++) {
    const p = parts[i];
    if (p === '-e' || p === '--eval' || p === '-p' || p === '--print') return undefined;
    // Options that take their value as the next word.
    if (/^(?:-r|--require|--import|--loader|--experimental-loader|--env-file|--conditions|-C)$/.test(p)) {
      i++;
      continue;
    }
    if (p.startsWith('-')) continue;
    return p;
  }
  return undefined;
}

/**
 * A short name for a target: its main script's file name, else its process title unless that is just
 * the node binary's path (the default title), else its address.
 */
export function targetLabel(target: TargetInfo): string {
  if (target.main) return baseName(target.main);
  const title = target.title?.trim();
  if (title && !/^(?:node|nodejs|node\.exe)$/i.test(baseName(title))) return title;
  return target.pid !== undefined ? `node (pid ${target.pid})` : target.address;
}

/** What a hotspot keeps alive, for people: one word per kind, plural. */
export const KIND_LABELS: Readonly<Record<HotspotKind, string>> = {
  heap: 'Heap allocations',
  timer: 'Timers',
  socket: 'Sockets',
  server: 'Servers',
  'file-handle': 'File handles',
  watcher: 'Watchers',
  'child-process': 'Child processes',
  worker: 'Workers',
  listener: 'Listeners',
  resource: 'Other resources',
};

/** The last path segment of a POSIX or Windows path (core has no `path` module). */
export function baseName(file: string): string {
  const i = Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\'));
  return i >= 0 ? file.slice(i + 1) : file;
}

/** `handleRequest server.js:42`: the function that creates the leak and where. */
export function hotspotLabel(hotspot: Hotspot): string {
  return `${hotspot.function || '(anonymous)'} ${baseName(hotspot.location.file)}:${hotspot.location.line}`;
}

/**
 * The growth that makes a hotspot suspicious, in the unit that matters for its kind: bytes for heap
 * allocation sites (`+1.2 MB/min`), a count of the runtime resource for everything else
 * (`+240 Timeout/min`). Falls back to whichever number is present.
 */
export function hotspotGrowth(hotspot: Hotspot): string {
  const bytes = hotspot.growthBytesPerMinute;
  const count = hotspot.countGrowthPerMinute;
  const unit = hotspot.resourceType ?? (hotspot.kind === 'heap' ? 'objects' : KIND_LABELS[hotspot.kind].toLowerCase());
  if (hotspot.kind === 'heap' && bytes !== undefined) return formatByteRate(bytes);
  if (count !== undefined) return formatCountRate(count, unit);
  if (bytes !== undefined) return formatByteRate(bytes);
  if (hotspot.liveCount !== undefined) return `${formatCount(hotspot.liveCount)} live`;
  if (hotspot.liveBytes !== undefined) return `${formatBytes(hotspot.liveBytes)} live`;
  return '';
}

/** A stable key for a hotspot across report updates: same site and kind means same hotspot. */
export function hotspotKey(hotspot: Hotspot): string {
  const l = hotspot.location;
  return `${hotspot.kind}|${l.file}|${l.line}|${l.column}|${hotspot.resourceType ?? ''}`;
}

/** One headline for a verdict: "Leaking: heap grows 3.2 MB/min after GC" or "No leak detected so far". */
export function verdictHeadline(verdict: Verdict): string {
  const confidence = `${Math.round(verdict.confidence * 100)}%`;
  // Summaries may already open with the verdict ("leaking: …"); say it once.
  const summary = verdict.summary.replace(/^(?:leaking|no leak(?: detected)?(?: so far)?|steady)\s*[:—-]\s*/i, '');
  if (verdict.leaking) return `Leaking (${confidence} confidence): ${summary}`;
  return `No leak detected so far: ${summary}`;
}

/** "OOM in 3 h 20 min (v8 heap limit 4.0 GB, at 14:32 UTC)" or undefined when no limit is in sight. */
export function projectionText(verdict: Verdict): string | undefined {
  const p = verdict.projectedOutOfMemory;
  if (!p) return undefined;
  const limit = p.limit === 'v8-heap' ? 'V8 heap limit' : p.limit === 'cgroup' ? 'container memory limit' : 'memory limit';
  return `Out of memory in ${formatDuration(p.secondsUntil)} (${limit} ${formatBytes(p.limitBytes)}, ${p.metric} now ${formatBytes(p.currentBytes)}, at ${p.at})`;
}
