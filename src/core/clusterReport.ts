/**
 * One report for a cluster: the reports of a primary and its workers (each watched on its own) folded
 * into the single-target contract, so tools that read one WatchReport keep working.
 */
import type { Hotspot, WatchReport } from './report';

function locationKey(h: Hotspot): string {
  return `${h.location.file}:${h.location.line}:${h.location.column}`;
}

/**
 * Hotspots of several reports, one per source location (the most suspicious of those at the same
 * place: workers run the same code, so the same line shows up once per worker), most suspicious first.
 */
export function mergeHotspots(reports: readonly WatchReport[]): Hotspot[] {
  const best = new Map<string, Hotspot>();
  for (const report of reports) {
    for (const h of report.hotspots) {
      const key = locationKey(h);
      const seen = best.get(key);
      if (!seen || h.score > seen.score) best.set(key, h);
    }
  }
  return [...best.values()].sort((a, b) => b.score - a.score);
}

/**
 * The cluster report: the top level is the primary's report when the primary leaks or nothing leaks,
 * else the first leaking worker's; `workers` holds every other report; hotspots are merged from all.
 * `reports[0]` is the primary. @throws RangeError when `reports` is empty.
 */
export function combineClusterReports(reports: readonly WatchReport[]): WatchReport {
  if (reports.length === 0) throw new RangeError('combineClusterReports needs at least the primary report');
  const leading = reports[0].verdict.leaking ? 0 : Math.max(0, reports.findIndex((r) => r.verdict.leaking));
  const lead = reports[leading];
  return {
    ...lead,
    hotspots: mergeHotspots(reports),
    workers: reports.filter((_, i) => i !== leading).map(({ workers: _nested, ...r }) => r),
  };
}
