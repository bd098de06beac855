/**
 * Ranking hotspots: each candidate site comes with a series (live bytes for heap sites, live count
 * for resource sites); sites whose series rises with significance and at a meaningful rate come
 * first. Pure.
 */
import type { Hotspot, HotspotKind, SourceLocation } from '../report';
import type { Point } from './trend';
import { hasPlateaued, trend } from './trend';

/** A candidate site, already resolved to the user's source. */
export interface SiteSeries {
  kind: HotspotKind;
  location: SourceLocation;
  function: string;
  via?: string;
  resourceType?: string;
  /** Live bytes (heap) or live count (resources) over time. */
  points: Point[];
  /** Other user frames of the creation stack, innermost first (shown to people, used for ±2 matching). */
  stack?: SourceLocation[];
  /** Scales the score of derived sites (the caller of a constructor) below the site itself. */
  weight?: number;
}

/** Growth rates at which a site's magnitude factor saturates. */
const fullBytesPerMinute = 2 * 1024 * 1024;
const fullCountPerMinute = 60;

/** Score in 0..1: significance of the rise times how large it is. */
export function scoreSite(site: SiteSeries): { score: number; perMinute: number } {
  const points = site.points;
  if (points.length < 3) return { score: 0, perMinute: 0 };
  const t = trend(points);
  const first = points[0].v;
  const last = points[points.length - 1].v;
  if (t.slopePerMinute <= 0 || last <= first) return { score: 0, perMinute: t.slopePerMinute };
  const isHeap = site.kind === 'heap';
  const magnitude = Math.min(1, t.slopePerMinute / (isHeap ? fullBytesPerMinute : fullCountPerMinute));
  // Resource counts are exact, heap bytes are sampled estimates: a single new resource is less telling
  // than a steady climb, so both need the trend, but counts get there with fewer points.
  const significance = 1 - t.pIncreasing;
  // A site that stopped growing (the load stopped, a cache got full) stays listed, below growing ones.
  const plateau = hasPlateaued(points, t) ? 0.5 : 1;
  const score = significance * (0.35 + 0.65 * magnitude) * plateau * (site.weight ?? 1);
  return { score, perMinute: t.slopePerMinute };
}

const minScore = 0.3;

/** Hotspots from candidate sites, most suspicious first; sites that do not grow are left out. */
export function rankHotspots(sites: readonly SiteSeries[], limit = 25): Hotspot[] {
  const ranked: Hotspot[] = [];
  for (const site of sites) {
    const { score, perMinute } = scoreSite(site);
    if (score < minScore) continue;
    const lastValue = site.points[site.points.length - 1].v;
    const hotspot: Hotspot = {
      kind: site.kind,
      location: site.location,
      function: site.function,
      score: Math.round(score * 1000) / 1000,
    };
    if (site.kind === 'heap') {
      hotspot.growthBytesPerMinute = Math.round(perMinute);
      hotspot.liveBytes = Math.round(lastValue);
    } else {
      hotspot.countGrowthPerMinute = Math.round(perMinute * 10) / 10;
      hotspot.liveCount = Math.round(lastValue);
    }
    if (site.via) hotspot.via = site.via;
    if (site.resourceType) hotspot.resourceType = site.resourceType;
    if (site.stack?.length) hotspot.stack = site.stack;
    ranked.push(hotspot);
  }
  ranked.sort((a, b) => b.score - a.score || (b.growthBytesPerMinute ?? 0) - (a.growthBytesPerMinute ?? 0));
  // One entry per line and kind: the same place found by two routes (two stacks, two callees) is one hotspot.
  const seen = new Set<string>();
  const unique = ranked.filter((h) => {
    const key = `${h.kind}|${h.location.file}|${h.location.line}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return unique.slice(0, limit);
}
