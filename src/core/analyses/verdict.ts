/**
 * The leak verdict from a memory series: robust trends on the post-GC heap baseline, external and
 * ArrayBuffer memory, RSS and each active-resource type, plus the time until the nearest real limit.
 * Pure: the watch engine feeds it what the probe observed.
 */
import type { Hotspot, MemorySample, ProjectedOutOfMemory, Verdict } from '../report';
import type { Point, Trend } from './trend';
import { hasPlateaued, trend } from './trend';
import { formatBytes, formatDuration } from '../format';

/** A full (mark-sweep) GC and the heap used right after it. */
export interface MajorGc {
  t: number;
  usedAfter: number;
}

/** Memory limits known for the target. */
export interface MemoryLimits {
  /** The size the JS heap dies at (old-generation maximum, not heap_size_limit, which adds the young generation). */
  heapLimitBytes?: number;
  cgroupLimitBytes?: number;
  constrainedMemoryBytes?: number;
}

/** The trend of one measure and whether it counts as a leak. */
export interface MeasureVerdict {
  measure: string;
  leaking: boolean;
  trend: Trend;
  plateaued: boolean;
  /** Value at the end of the window. */
  current: number;
}

export interface VerdictDetails {
  verdict: Verdict;
  measures: MeasureVerdict[];
}

/** Samples in the first part of a watch reflect attaching and warm-up, not the steady state. */
const warmUpFraction = 0.1;
const significance = 0.01;
const minBytesPerMinute = 512 * 1024;
const minRssBytesPerMinute = 8 * 1024 * 1024;
const minCountPerMinute = 6;
const minRssWindowMs = 45_000;
/** Below this a "no leak" is weak evidence (a target that died young, a watch cut short) and says so. */
const shortWindowMs = 30_000;

type Ok = Extract<MemorySample, { error?: undefined }>;

function okSamples(samples: readonly MemorySample[]): Ok[] {
  return samples.filter((s): s is Ok => s.error === undefined);
}

function afterWarmUp<T extends { t: number }>(items: readonly T[], start: number, end: number): T[] {
  const from = start + (end - start) * warmUpFraction;
  return items.filter((x) => x.t >= from);
}

/** The minimum of each window of ~1/12 of the series (at least 3 points per window). */
export function lowerEnvelope(points: readonly Point[]): Point[] {
  const window = Math.max(3, Math.round(points.length / 12));
  const out: Point[] = [];
  for (let i = 0; i + window <= points.length; i += window) {
    let min = points[i];
    for (let j = i + 1; j < i + window; j++) if (points[j].v < min.v) min = points[j];
    out.push(min);
  }
  return out;
}

/**
 * The post-GC heap baseline: heap used after each full GC when there were enough of them; otherwise
 * the lower envelope of heapUsed (the minimum of each short window), which ignores short-lived garbage.
 */
export function heapBaseline(samples: readonly Ok[], majorGcs: readonly MajorGc[]): { points: Point[]; source: 'major-gc' | 'envelope' } {
  if (majorGcs.length >= 6) return { points: majorGcs.map((g) => ({ t: g.t, v: g.usedAfter })), source: 'major-gc' };
  return { points: lowerEnvelope(samples.map((s) => ({ t: s.t, v: s.heapUsed }))), source: 'envelope' };
}

function judge(measure: string, points: Point[], minPerMinute: number, relativeToCurrent = 0): MeasureVerdict {
  const t = trend(points);
  const plateaued = hasPlateaued(points, t);
  const current = points.length ? points[points.length - 1].v : 0;
  const first = points.length ? points[0].v : 0;
  const floor = Math.max(minPerMinute, relativeToCurrent * current);
  const leaking = points.length >= 5 && t.pIncreasing < significance && t.slopePerMinute >= floor && !plateaued && current > first;
  return { measure, leaking, trend: t, plateaued, current };
}


function formatP(p: number): string {
  return p < 0.001 ? 'p < 0.001' : `p = ${p.toFixed(3)}`;
}

function projectOutOfMemory(
  now: number,
  heap: MeasureVerdict,
  rss: MeasureVerdict,
  external: MeasureVerdict,
  limits: MemoryLimits,
): ProjectedOutOfMemory | null {
  const candidates: ProjectedOutOfMemory[] = [];
  const heapRate = heap.trend.slopePerMinute;
  if (heap.leaking && heapRate > 0 && limits.heapLimitBytes) {
    const seconds = ((limits.heapLimitBytes - heap.current) / heapRate) * 60;
    candidates.push({ limit: 'v8-heap', limitBytes: limits.heapLimitBytes, metric: 'heapUsed', currentBytes: heap.current, secondsUntil: Math.max(0, seconds), at: '' });
  }
  // RSS grows at least as fast as the leaking parts of it, even when its own trend is noisy.
  const rssRate = Math.max(rss.trend.slopePerMinute, (heap.leaking ? heapRate : 0) + (external.leaking ? external.trend.slopePerMinute : 0));
  const anyLeak = heap.leaking || rss.leaking || external.leaking;
  for (const [limit, bytes] of [
    ['cgroup', limits.cgroupLimitBytes],
    ['constrained-memory', limits.constrainedMemoryBytes],
  ] as const) {
    if (!bytes || !anyLeak || rssRate <= 0) continue;
    const seconds = ((bytes - rss.current) / rssRate) * 60;
    candidates.push({ limit, limitBytes: bytes, metric: 'rss', currentBytes: rss.current, secondsUntil: Math.max(0, seconds), at: '' });
  }
  if (candidates.length === 0) return null;
  const first = candidates.reduce((a, b) => (b.secondsUntil < a.secondsUntil ? b : a));
  return { ...first, at: new Date(now + first.secondsUntil * 1000).toISOString() };
}

/** Computes the verdict for a watch window. */
export function computeVerdict(
  samples: readonly MemorySample[],
  majorGcs: readonly MajorGc[],
  limits: MemoryLimits,
  /** Total live bytes in each sampling heap profile read, when heap sampling runs: a cross-check. */
  sampledHeap?: readonly Point[],
): VerdictDetails {
  const all = okSamples(samples);
  if (all.length < 5) {
    return {
      verdict: { leaking: false, confidence: 0, growthBytesPerMinute: 0, projectedOutOfMemory: null, summary: `not enough samples yet (${all.length})` },
      measures: [],
    };
  }
  const start = all[0].t;
  const end = all[all.length - 1].t;
  const ok = afterWarmUp(all, start, end);
  const baseline = heapBaseline(ok, afterWarmUp(majorGcs, start, end));
  const heap = judge('heap', baseline.points, minBytesPerMinute, 0.01);
  // Heap size right after a full GC can include pages not yet swept when the machine is busy; live
  // objects that really accumulate also show in the sampler's live-only total. Without that, no leak.
  const sampled = sampledHeap ? afterWarmUp(sampledHeap, start, end) : [];
  if (heap.leaking && sampled.length >= 5) {
    const seen = trend(sampled);
    if (seen.pIncreasing > 0.05 || seen.slopePerMinute < 0.25 * heap.trend.slopePerMinute) heap.leaking = false;
  }
  // External memory and RSS also saw-tooth with GC (backing stores are freed by it): judge their
  // lower envelope, like the heap's when full GCs are rare.
  const external = judge('external', lowerEnvelope(ok.map((s) => ({ t: s.t, v: s.external }))), minBytesPerMinute, 0.01);
  // RSS is judged without the V8 heap's committed size: V8 growing its heap while warming up is policy,
  // not a leak (heap leaks are judged above); what remains is native memory, which does leak.
  const rss = judge('rss', lowerEnvelope(ok.map((s) => ({ t: s.t, v: s.rss - s.heapTotal }))), minRssBytesPerMinute, 0.1);
  rss.current = ok[ok.length - 1].rss;
  // Over short windows RSS mostly shows the allocator keeping pages V8 released: trust it only over
  // a long window.
  if (end - start < minRssWindowMs) rss.leaking = false;
  const measures = [heap, external, rss];
  const types = new Set(ok.flatMap((s) => Object.keys(s.resources)));
  for (const type of [...types].sort()) {
    measures.push(judge(`resources:${type}`, ok.map((s) => ({ t: s.t, v: s.resources[type] ?? 0 })), minCountPerMinute));
  }
  const leakingMeasures = measures.filter((m) => m.leaking);
  const leaking = leakingMeasures.length > 0;
  // How much data we have bounds how sure we can be, whatever the p-value.
  const dataFactor = Math.min(1, ok.length / 20);
  const strongest = leakingMeasures.reduce<MeasureVerdict | undefined>((a, b) => (!a || b.trend.pIncreasing < a.trend.pIncreasing ? b : a), undefined);
  const confidence = leaking
    ? dataFactor * (1 - strongest!.trend.pIncreasing)
    : dataFactor * Math.min(...measures.map((m) => (m.trend.pIncreasing < significance ? 0.6 : 0.9)));
  const leading = heap.leaking ? heap : external.leaking ? external : rss.leaking ? rss : heap;
  const parts = leakingMeasures.map((m) =>
    m.measure.startsWith('resources:')
      ? `${m.measure.slice('resources:'.length)} +${Math.round(m.trend.slopePerMinute)}/min (now ${m.current})`
      : `${m.measure === 'heap' ? 'heap after GC' : m.measure === 'rss' ? 'RSS outside the JS heap' : m.measure} +${formatBytes(m.trend.slopePerMinute)}/min`,
  );
  const projected = projectOutOfMemory(end, heap, rss, external, limits);
  const short = end - start < shortWindowMs;
  const seconds = Math.round((end - start) / 1000);
  const summary = leaking
    ? `leaking: ${parts.join(', ')} (${formatP(strongest!.trend.pIncreasing)}${short ? `, from a short window of ${seconds} s` : ''})` +
      (projected ? `; ${projected.limit} limit reached in ~${formatDuration(projected.secondsUntil)}` : '')
    : `no leak: heap after GC ${heap.trend.slopePerMinute >= 0 ? '+' : ''}${formatBytes(heap.trend.slopePerMinute)}/min` +
      `${heap.plateaued ? ' (plateaued)' : ''}, ${formatP(heap.trend.pIncreasing)}, over ${seconds} s` +
      (short ? `, too short to be sure (watch at least ${shortWindowMs / 1000} s)` : '');
  return {
    verdict: { leaking, confidence: round(confidence, 3), growthBytesPerMinute: Math.round(leading.trend.slopePerMinute), projectedOutOfMemory: projected, summary },
    measures,
  };
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}



/**
 * Adds the heap sampler's evidence to a verdict: live objects from one allocation site that keep
 * growing (live-only sampled bytes, significant trend) are heap growth even when the post-GC
 * baseline is too noisy to be significant on its own (a short window, code flushing on full GCs).
 * The baseline must still not be falling.
 */
export function withHeapSiteEvidence(details: VerdictDetails, hotspots: readonly Hotspot[]): VerdictDetails {
  if (details.verdict.leaking) return details;
  const heap = details.measures.find((m) => m.measure === 'heap');
  if (!heap || heap.trend.slopePerMinute <= 0 || heap.trend.pIncreasing > 0.2) return details;
  const site = hotspots.find((h) => h.kind === 'heap' && h.score >= 0.9 && (h.growthBytesPerMinute ?? 0) >= minBytesPerMinute);
  if (!site) return details;
  // Right after attaching, a site with turnover (a full bounded cache) "grows" in the sampler while
  // its old, unsampled entries are replaced: the baseline must show a fair share of that growth.
  if (heap.trend.slopePerMinute < 0.25 * (site.growthBytesPerMinute ?? 0)) return details;
  const rate = site.growthBytesPerMinute ?? 0;
  return {
    measures: details.measures,
    verdict: {
      ...details.verdict,
      leaking: true,
      confidence: round(Math.min(details.verdict.confidence || 1, site.score) * 0.95, 3),
      growthBytesPerMinute: Math.round(Math.max(rate, heap.trend.slopePerMinute)),
      summary: `leaking: live objects allocated at ${site.location.file}:${site.location.line} grow +${formatBytes(rate)}/min (sampled); heap after GC +${formatBytes(heap.trend.slopePerMinute)}/min`,
    },
  };
}
