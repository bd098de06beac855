/**
 * Robust trend statistics for short, noisy series: Theil–Sen slope (median of pairwise slopes, not
 * moved by a few outliers such as a GC sawtooth) and the Mann–Kendall test for a monotonic trend.
 * Pure functions: numbers in, numbers out.
 */

/** A point of a series; `t` in milliseconds. */
export interface Point {
  t: number;
  v: number;
}

export interface Trend {
  /** Theil–Sen slope in value units per minute. */
  slopePerMinute: number;
  /** Mann–Kendall one-sided p-value for an increasing trend (1 when n < 3). */
  pIncreasing: number;
  /** Kendall's tau in -1..1. */
  tau: number;
  n: number;
}

const maxPoints = 240;

/** Evenly thins a series to at most `max` points (the pairwise statistics are quadratic). */
export function thin(points: readonly Point[], max = maxPoints): Point[] {
  if (points.length <= max) return [...points];
  const out: Point[] = [];
  const step = (points.length - 1) / (max - 1);
  for (let i = 0; i < max; i++) out.push(points[Math.round(i * step)]);
  return out;
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Theil–Sen slope in value units per millisecond. */
export function theilSenSlope(points: readonly Point[]): number {
  const p = thin(points);
  const slopes: number[] = [];
  for (let i = 0; i < p.length; i++) {
    for (let j = i + 1; j < p.length; j++) {
      const dt = p[j].t - p[i].t;
      if (dt > 0) slopes.push((p[j].v - p[i].v) / dt);
    }
  }
  return median(slopes);
}

/** Standard normal CDF (Abramowitz–Stegun 7.1.26 on erf; error < 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/** Largest series tested exactly; above it the normal approximation is within 0.001 of the exact p. */
const maxExactN = 12;
const inversionCounts: number[][] = [[1]];

/** How many permutations of n items have exactly k inversions, for every k (Mahonian numbers). */
function permutationsByInversions(n: number): number[] {
  for (let m = inversionCounts.length; m <= n; m++) {
    const previous = inversionCounts[m - 1];
    const row = new Array<number>((m * (m - 1)) / 2 + 1).fill(0);
    for (let k = 0; k < previous.length; k++) for (let j = 0; j < m; j++) row[k + j] += previous[k];
    inversionCounts.push(row);
  }
  return inversionCounts[n];
}

/**
 * Mann–Kendall test for an increasing trend. Short series without ties get the exact p (the share
 * of orderings with an S at least this large): the normal approximation overstates p there, so five
 * rising samples from a process that died young would not count (0.014 instead of 1/120). Longer or
 * tied series use the normal approximation with the tie-corrected variance.
 */
export function mannKendall(values: readonly number[]): { s: number; pIncreasing: number; tau: number } {
  const n = values.length;
  if (n < 3) return { s: 0, pIncreasing: 1, tau: 0 };
  let s = 0;
  for (let i = 0; i < n - 1; i++) {
    for (let j = i + 1; j < n; j++) s += Math.sign(values[j] - values[i]);
  }
  const ties = new Map<number, number>();
  for (const v of values) ties.set(v, (ties.get(v) ?? 0) + 1);
  let tieTerm = 0;
  for (const count of ties.values()) if (count > 1) tieTerm += count * (count - 1) * (2 * count + 5);
  const variance = (n * (n - 1) * (2 * n + 5) - tieTerm) / 18;
  const pairs = (n * (n - 1)) / 2;
  const tau = s / pairs;
  if (variance <= 0) return { s, pIncreasing: 1, tau };
  if (n <= maxExactN && tieTerm === 0) {
    // S = pairs − 2 × inversions, so S ≥ s exactly when inversions ≤ (pairs − s) / 2.
    const counts = permutationsByInversions(n);
    let atLeast = 0;
    let total = 0;
    for (let k = 0; k < counts.length; k++) {
      total += counts[k];
      if (k <= (pairs - s) / 2) atLeast += counts[k];
    }
    return { s, pIncreasing: atLeast / total, tau };
  }
  const z = s > 0 ? (s - 1) / Math.sqrt(variance) : s < 0 ? (s + 1) / Math.sqrt(variance) : 0;
  return { s, pIncreasing: 1 - normalCdf(z), tau };
}

/** Slope and significance of a series. */
export function trend(points: readonly Point[]): Trend {
  const p = thin(points);
  return {
    slopePerMinute: theilSenSlope(p) * 60_000,
    ...(({ pIncreasing, tau }) => ({ pIncreasing, tau }))(mannKendall(p.map((x) => x.v))),
    n: p.length,
  };
}

/**
 * Growth that has stopped is not a leak (a cache reaching its bound, warm-up): true when the last
 * third of the series no longer rises with significance, or rises at under a quarter of the overall rate.
 */
export function hasPlateaued(points: readonly Point[], overall: Trend): boolean {
  if (points.length < 9) return false;
  const tail = points.slice(Math.floor((points.length * 2) / 3));
  const last = trend(tail);
  return last.pIncreasing > 0.2 || last.slopePerMinute < overall.slopePerMinute * 0.25;
}
