// Matching runtime hotspots to findings and the wording of the confirmation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Hotspot } from '../../src/core/report';
import type { Finding } from '../../src/lint/types';
import { evidenceSuffix, RuntimeEvidence } from '../../src/server/evidence';
import { findingToDiagnostic } from '../../src/server/diagnostics';

const hotspot = (line: number, extra: Partial<Hotspot> = {}): Hotspot => ({
  kind: 'timer',
  location: { file: '/w/src/../src/a.js', line, column: 1 },
  function: 'handler',
  score: 0.5,
  ...extra,
});

const finding: Finding = {
  ruleId: 'no-uncleared-timer',
  messageId: 'm',
  message: 'interval never cleared',
  severity: 'info',
  file: '/w/src/a.js',
  range: { start: { line: 10, column: 3 }, end: { line: 10, column: 14 } },
  related: [{ message: 'runs per request: app.get at line 4', file: '/w/src/a.js', range: { start: { line: 4, column: 1 }, end: { line: 4, column: 8 } } }],
  fixes: [],
};

test('a hotspot within ±2 lines of the same (normalised) file confirms; the most suspicious wins', () => {
  const evidence = new RuntimeEvidence();
  evidence.set([hotspot(13), hotspot(8, { score: 0.4 }), hotspot(12, { score: 0.9, countGrowthPerMinute: 240, resourceType: 'Timeout' })]);
  assert.equal(evidence.confirming(finding)?.score, 0.9);
  evidence.set([hotspot(13)]);
  assert.equal(evidence.confirming(finding), undefined, '3 lines away');
  evidence.set([{ ...hotspot(10), location: { file: '/w/src/b.js', line: 10, column: 1 } }]);
  assert.equal(evidence.confirming(finding), undefined, 'other file');
  evidence.set([]);
  assert.ok(evidence.isEmpty);
});

test('a resource hotspot also confirms a finding at a caller line of its creation stack', () => {
  const evidence = new RuntimeEvidence();
  // The interval starts in a helper in another file; the finding is at the per-request call (line 10).
  const inHelper = { ...hotspot(3), location: { file: '/w/src/poll.js', line: 3, column: 5 }, stack: [{ file: '/w/src/poll.js', line: 3, column: 5 }, { file: '/w/src/a.js', line: 10, column: 3 }] };
  evidence.set([inHelper]);
  assert.equal(evidence.confirming(finding), inHelper);
  evidence.set([{ ...inHelper, stack: [{ file: '/w/src/poll.js', line: 3, column: 5 }, { file: '/w/src/a.js', line: 30, column: 3 }] }]);
  assert.equal(evidence.confirming(finding), undefined, 'a caller far from the finding does not confirm it');
});

test('the suffix says counts per minute for resources and bytes per minute for heap', () => {
  assert.equal(evidenceSuffix(hotspot(1, { countGrowthPerMinute: 240.4, resourceType: 'Timeout' })), ' — confirmed at runtime: +240 Timeout/min');
  assert.equal(evidenceSuffix(hotspot(1, { kind: 'heap', growthBytesPerMinute: 1_234_567 })), ' — confirmed at runtime: +1.2 MB/min');
  assert.equal(evidenceSuffix(hotspot(1, { kind: 'socket', countGrowthPerMinute: 2.25 })), ' — confirmed at runtime: +2.3 sockets/min');
});

test('diagnostics are 0-based, carry source, code, docs link and related information; confirmed ones are errors', () => {
  const docsUrl = (id: string) => `https://example.test/${id}`;
  const d = findingToDiagnostic(finding, { index: 3, version: 5, docsUrl });
  assert.deepEqual(d.range, { start: { line: 9, character: 2 }, end: { line: 9, character: 13 } });
  assert.equal(d.severity, 3);
  assert.equal(d.source, 'leak-lens');
  assert.equal(d.code, 'no-uncleared-timer');
  assert.deepEqual(d.codeDescription, { href: 'https://example.test/no-uncleared-timer' });
  assert.deepEqual(d.relatedInformation, [
    { location: { uri: 'file:///w/src/a.js', range: { start: { line: 3, character: 0 }, end: { line: 3, character: 7 } } }, message: 'runs per request: app.get at line 4' },
  ]);
  const confirmed = findingToDiagnostic(finding, { index: 3, version: 5, docsUrl, confirmedBy: hotspot(10, { kind: 'heap', growthBytesPerMinute: 5e5 }) });
  assert.equal(confirmed.severity, 1);
  assert.equal(confirmed.message, 'interval never cleared — confirmed at runtime: +488 KB/min');
});
