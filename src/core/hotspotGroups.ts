/**
 * The Leak Hotspots tree as data: hotspots grouped by kind, the most suspicious group first. The
 * extension turns these into TreeItems; keeping the grouping here makes it testable without VS Code.
 */
import { KIND_LABELS, hotspotGrowth, hotspotKey, hotspotLabel } from './format';
import type { Hotspot, HotspotKind, WatchReport } from './report';

/** One row under a group. */
export interface HotspotRow {
  key: string;
  label: string;
  description: string;
  hotspot: Hotspot;
  /** 1-based rank in the whole report (1 = most suspicious). */
  rank: number;
}

/** One group: all hotspots of a kind. */
export interface HotspotGroup {
  kind: HotspotKind;
  label: string;
  rows: HotspotRow[];
  /** The highest score in the group; groups are ordered by it. */
  topScore: number;
}

/**
 * Groups a report's hotspots by kind. Groups come in order of their most suspicious hotspot; inside
 * a group hotspots keep the report's order (which is most suspicious first) with ties broken by
 * score. Hotspots that share a key (same site, kind and resource type) are shown once.
 */
export function groupHotspots(report: Pick<WatchReport, 'hotspots'> | undefined): HotspotGroup[] {
  if (!report) return [];
  const ranked = report.hotspots
    .map((hotspot, index) => ({ hotspot, index }))
    .sort((a, b) => b.hotspot.score - a.hotspot.score || a.index - b.index);
  const groups = new Map<HotspotKind, HotspotGroup>();
  const seen = new Set<string>();
  let rank = 0;
  for (const { hotspot } of ranked) {
    const key = hotspotKey(hotspot);
    if (seen.has(key)) continue;
    seen.add(key);
    rank++;
    let group = groups.get(hotspot.kind);
    if (!group) {
      group = { kind: hotspot.kind, label: KIND_LABELS[hotspot.kind] ?? hotspot.kind, rows: [], topScore: hotspot.score };
      groups.set(hotspot.kind, group);
    }
    group.rows.push({ key, label: hotspotLabel(hotspot), description: hotspotGrowth(hotspot), hotspot, rank });
  }
  return [...groups.values()].sort((a, b) => b.topScore - a.topScore);
}
