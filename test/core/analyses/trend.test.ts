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
