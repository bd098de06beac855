import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MemorySample } from '../../../src/core/report';
import { computeVerdict, withHeapSiteEvidence, type MajorGc } from '../../../src/core/analyses/verdict';

const MB = 1024 * 1024;

function samples(n: number, heap: (i: number) => number, extra: Partial<{ resources: (i: number) => Record<string, number>; rss: (i: number) => number }> = {}): MemorySample[] {
  return Array.from({ length: n }, (_, i) => ({
    t: i * 1000,
    rss: extra.rss ? extra.rss(i) : 80 * MB,
    heapUsed: heap(i),
    heapTotal: 40 * MB,
    external: 2 * MB,
    arrayBuffers: MB,
    heapLimit: 4096 * MB,
    resources: extra.resources ? extra.resources(i) : { TCPServerWrap: 1 },
  }));
}

const gcs = (n: number, after: (i: number) => number): MajorGc[] => Array.from({ length: n }, (_, i) => ({ t: i * 5000 + 2500, usedAfter: after(i) }));

test('a rising post-GC baseline is a leak, with growth rate and time to the heap limit', () => {
  // Sawtooth of garbage on top of a baseline growing 1 MB every 5 s.
  const heap = (i: number) => 20 * MB + (i / 5) * MB + (i % 5) * 8 * MB;
  const { verdict } = computeVerdict(samples(60, heap), gcs(12, (i) => 20 * MB + i * MB), { heapLimitBytes: 4096 * MB });
  assert.equal(verdict.leaking, true, verdict.summary);
  assert.ok(Math.abs(verdict.growthBytesPerMinute - 12 * MB) < 1 * MB, String(verdict.growthBytesPerMinute));
  assert.equal(verdict.projectedOutOfMemory?.limit, 'v8-heap');
  assert.ok(verdict.confidence > 0.9);
});

test('heavy short-lived garbage over a flat baseline is not a leak', () => {
  const heap = (i: number) => 30 * MB + ((i * 7) % 11) * 10 * MB;
  const { verdict } = computeVerdict(samples(60, heap), gcs(12, (i) => 30 * MB + (i % 3) * 0.2 * MB), { heapLimitBytes: 4096 * MB });
  assert.equal(verdict.leaking, false, verdict.summary);
});

test('a cache that fills to its bound then stays is not a leak', () => {
  const heap = (i: number) => 20 * MB + Math.min(i, 15) * MB;
  const { verdict } = computeVerdict(samples(60, heap), gcs(12, (i) => 20 * MB + Math.min(i * 5, 15) * MB), {});
  assert.equal(verdict.leaking, false, verdict.summary);
});

test('warm-up growth before a flat phase is not a leak (envelope baseline, no full GCs seen)', () => {
  const heap = (i: number) => (i < 5 ? 10 + i * 6 : 40) * MB + (i % 4) * MB;
  const { verdict } = computeVerdict(samples(60, heap), [], {});
  assert.equal(verdict.leaking, false, verdict.summary);
});

test('a growing resource type is a leak even when the heap is flat', () => {
  const { verdict, measures } = computeVerdict(samples(40, () => 30 * MB, { resources: (i) => ({ Timeout: 3 + i * 4 }) }), gcs(8, () => 30 * MB), {});
  assert.equal(verdict.leaking, true);
  assert.equal(measures.find((m) => m.measure === 'resources:Timeout')?.leaking, true);
  assert.match(verdict.summary, /Timeout \+240\/min/);
});

test('the cgroup limit is projected against RSS when it comes first', () => {
  const heap = (i: number) => 100 * MB + i * MB;
  const { verdict } = computeVerdict(samples(60, heap, { rss: (i) => 200 * MB + i * MB }), gcs(12, (i) => 100 * MB + i * 5 * MB), {
    heapLimitBytes: 4096 * MB,
    cgroupLimitBytes: 512 * MB,
  });
  assert.equal(verdict.projectedOutOfMemory?.limit, 'cgroup');
  assert.equal(verdict.projectedOutOfMemory?.metric, 'rss');
  assert.ok(verdict.projectedOutOfMemory!.secondsUntil > 0 && verdict.projectedOutOfMemory!.secondsUntil < 600);
});

test('too few samples give no verdict', () => {
  assert.equal(computeVerdict(samples(3, () => MB), [], {}).verdict.leaking, false);
});

test('a significantly growing heap site turns a noisy rising baseline into a leak, not a falling one', () => {
  const noisy = computeVerdict(samples(40, () => 30 * MB), gcs(8, (i) => 30 * MB + [0, 2, 1, 3, 1, 4, 2, 4][i] * 0.3 * MB), {});
  assert.equal(noisy.verdict.leaking, false, noisy.verdict.summary);
  const site = { kind: 'heap' as const, location: { file: '/app/a.js', line: 3, column: 1 }, function: 'f', score: 0.97, growthBytesPerMinute: 3 * MB };
  const combined = withHeapSiteEvidence(noisy, [site]);
  assert.equal(combined.verdict.leaking, true);
  assert.match(combined.verdict.summary, /\/app\/a\.js:3/);
  const falling = computeVerdict(samples(40, () => 30 * MB), gcs(8, (i) => 30 * MB - i * MB), {});
  assert.equal(withHeapSiteEvidence(falling, [site]).verdict.leaking, false);
});

test('a rising post-GC size the heap sampler does not see is not called a heap leak', () => {
  const heap = (i: number) => 20 * MB + (i / 5) * MB;
  const rising = gcs(12, (i) => 20 * MB + i * MB);
  const flatSampled = Array.from({ length: 10 }, (_, i) => ({ t: i * 6000, v: 5 * MB + (i % 2) * 0.1 * MB }));
  assert.equal(computeVerdict(samples(60, heap), rising, {}, flatSampled).verdict.leaking, false);
  const growingSampled = flatSampled.map((p, i) => ({ t: p.t, v: 5 * MB + i * MB }));
  assert.equal(computeVerdict(samples(60, heap), rising, {}, growingSampled).verdict.leaking, true);
});

test('a heap site filling up right after attach does not make a flat baseline a leak', () => {
  const flat = computeVerdict(samples(40, () => 30 * MB), gcs(8, (i) => 30 * MB + (i % 2) * 0.05 * MB), {});
  const site = { kind: 'heap' as const, location: { file: '/app/a.js', line: 3, column: 1 }, function: 'f', score: 0.99, growthBytesPerMinute: 4 * MB };
  assert.equal(withHeapSiteEvidence(flat, [site]).verdict.leaking, false);
});
