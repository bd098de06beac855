import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hasPlateaued, mannKendall, theilSenSlope, trend } from '../../../src/core/analyses/trend';

const series = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => ({ t: i * 1000, v: f(i) }));

test('Theil–Sen recovers a slope through outliers', () => {
  const points = series(30, (i) => 100 + 2 * i + (i % 7 === 0 ? 500 : 0));
  assert.ok(Math.abs(theilSenSlope(points) * 1000 - 2) < 0.01);
});

test('Mann–Kendall: rising is significant, falling and flat noise are not', () => {
  assert.ok(mannKendall(series(20, (i) => i + Math.sin(i)).map((p) => p.v)).pIncreasing < 0.001);
  assert.ok(mannKendall(series(20, (i) => -i).map((p) => p.v)).pIncreasing > 0.99);
  const noise = series(40, (i) => Math.sin(i * 12.9898) * 43758.5453 % 1);
  assert.ok(mannKendall(noise.map((p) => p.v)).pIncreasing > 0.05);
  assert.equal(mannKendall([1, 2]).pIncreasing, 1);
});

test('a series that rises then stays flat has plateaued; a steady rise has not', () => {
  const filled = series(30, (i) => Math.min(i, 12) * 10);
  assert.equal(hasPlateaued(filled, trend(filled)), true);
  const rising = series(30, (i) => i * 10 + (i % 3));
  assert.equal(hasPlateaued(rising, trend(rising)), false);
});

test('short series get the exact Mann–Kendall p: five rising samples are significant at 1/120', () => {
  assert.equal(mannKendall([1, 2, 3, 4, 5]).pIncreasing, 1 / 120);
  assert.equal(mannKendall([1, 2, 3, 4]).pIncreasing, 1 / 24);
  // Against brute force over every ordering of six distinct values.
  const values = [3, 1, 4, 6, 5, 9];
  const s = mannKendall(values).s;
  const permutations = (xs: number[]): number[][] => (xs.length <= 1 ? [xs] : xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p])));
  const all = permutations([1, 2, 3, 4, 5, 6]);
  const atLeast = all.filter((p) => mannKendall(p).s >= s).length;
  assert.equal(mannKendall(values).pIncreasing, atLeast / all.length);
});
