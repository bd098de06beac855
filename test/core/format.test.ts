import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  baseName,
  formatByteRate,
  formatBytes,
  formatCount,
  formatCountRate,
  formatDuration,
  hotspotGrowth,
  hotspotLabel,
  projectionText,
  scriptFromCommandLine,
  statusText,
  targetLabel,
  trendArrow,
  verdictHeadline,
} from '../../src/core/format';
import type { Hotspot, MemorySample, Verdict } from '../../src/core/report';

const MB = 1024 * 1024;

test('formatBytes keeps one decimal below 10 and none above, in binary units', () => {
  assert.equal(formatBytes(0), '0 B');
  assert.equal(formatBytes(512), '512 B');
  assert.equal(formatBytes(3.4 * 1024), '3.4 KB');
  assert.equal(formatBytes(1.2 * MB), '1.2 MB');
  assert.equal(formatBytes(182 * MB + 1234), '182 MB');
  assert.equal(formatBytes(4 * 1024 * MB), '4.0 GB');
  assert.equal(formatBytes(-300 * 1024), '−300 KB');
  // Rounding must carry into the next unit rather than print "1024 KB".
  assert.equal(formatBytes(1023.9 * 1024), '1.0 MB');
  assert.equal(formatBytes(Number.NaN), '? B');
});

test('rates carry an explicit sign and their unit', () => {
  assert.equal(formatByteRate(1.2 * MB), '+1.2 MB/min');
  assert.equal(formatByteRate(-300 * 1024), '−300 KB/min');
  assert.equal(formatByteRate(0), '±0 B/min');
  assert.equal(formatCountRate(240, 'Timeout'), '+240 Timeout/min');
  assert.equal(formatCountRate(1234, 'objects'), '+1.2k objects/min');
  assert.equal(formatCount(35_400), '35k');
  assert.equal(formatCount(1_400_000), '1.4M');
  assert.equal(formatCount(2.5), '2.5');
});

test('formatDuration uses the two largest units', () => {
  assert.equal(formatDuration(45), '45 s');
  assert.equal(formatDuration(12 * 60 + 5), '12 min');
  assert.equal(formatDuration(3 * 3600 + 20 * 60), '3 h 20 min');
  assert.equal(formatDuration(2 * 86400 + 4 * 3600), '2 d 4 h');
  assert.equal(formatDuration(-1), '?');
});

test('trendArrow treats small drift as flat', () => {
  assert.equal(trendArrow(3 * MB), '↗');
  assert.equal(trendArrow(-3 * MB), '↘');
  assert.equal(trendArrow(1024), '→');
});

const verdict: Verdict = {
  leaking: true,
  confidence: 0.97,
  growthBytesPerMinute: 3.2 * MB,
  summary: 'heap grows 3.2 MB/min after GC',
  projectedOutOfMemory: {
    limit: 'v8-heap',
    limitBytes: 4096 * MB,
    metric: 'heapUsed',
    currentBytes: 182 * MB,
    secondsUntil: 3 * 3600 + 20 * 60,
    at: '2026-01-01T14:32:00.000Z',
  },
};
const sample: MemorySample = {
  t: 0,
  rss: 300 * MB,
  heapUsed: 182 * MB,
  heapTotal: 220 * MB,
  external: 3 * MB,
  arrayBuffers: MB,
  heapLimit: 4096 * MB,
  resources: { Timeout: 12 },
};

test('statusText shows heap now and the baseline trend', () => {
  assert.equal(statusText(sample, verdict), '$(pulse) 182 MB ↗ 3.2 MB/min');
  assert.equal(statusText(sample, { ...verdict, growthBytesPerMinute: 0 }), '$(pulse) 182 MB → steady');
  assert.equal(statusText(sample, undefined), '$(pulse) 182 MB');
  assert.equal(statusText({ t: 0, error: 'boom' }, undefined), '$(pulse) …');
});

test('projectionText names the limit and the time left', () => {
  assert.equal(
    projectionText(verdict),
    'Out of memory in 3 h 20 min (V8 heap limit 4.0 GB, heapUsed now 182 MB, at 2026-01-01T14:32:00.000Z)',
  );
  assert.equal(projectionText({ ...verdict, projectedOutOfMemory: null }), undefined);
});

const hotspot = (over: Partial<Hotspot>): Hotspot => ({
  kind: 'heap',
  location: { file: '/work/app/src/server.js', line: 42, column: 7 },
  function: 'handleRequest',
  score: 0.9,
  ...over,
});

test('hotspot label and growth use the unit that matters for the kind', () => {
  assert.equal(baseName('C:\\app\\server.ts'), 'server.ts');
  assert.equal(hotspotLabel(hotspot({})), 'handleRequest server.js:42');
  assert.equal(hotspotLabel(hotspot({ function: '' })), '(anonymous) server.js:42');
  assert.equal(hotspotGrowth(hotspot({ growthBytesPerMinute: 1.2 * MB, countGrowthPerMinute: 900 })), '+1.2 MB/min');
  assert.equal(
    hotspotGrowth(hotspot({ kind: 'timer', resourceType: 'Timeout', countGrowthPerMinute: 240, growthBytesPerMinute: 2048 })),
    '+240 Timeout/min',
  );
  assert.equal(hotspotGrowth(hotspot({ kind: 'listener', countGrowthPerMinute: 60 })), '+60 listeners/min');
  assert.equal(hotspotGrowth(hotspot({ kind: 'socket', liveCount: 12 })), '12 live');
  assert.equal(hotspotGrowth(hotspot({})), '');
});

test('targetLabel prefers the main script, then a real title, never the node binary path', () => {
  assert.equal(targetLabel({ address: 'a', main: '/srv/app/server.js', title: 'node' }), 'server.js');
  assert.equal(targetLabel({ address: 'a', title: 'api-gateway' }), 'api-gateway');
  assert.equal(targetLabel({ address: 'a', pid: 42, title: '/usr/local/bin/node' }), 'node (pid 42)');
  assert.equal(targetLabel({ address: '127.0.0.1:9229' }), '127.0.0.1:9229');
});

test('a resource leak shows the growing resource in the status bar, not a falling heap', () => {
  const timer = hotspot({ kind: 'timer', resourceType: 'Timeout', countGrowthPerMinute: 2100 });
  assert.equal(statusText(sample, { ...verdict, growthBytesPerMinute: -14 * MB }, timer), '$(pulse) 182 MB ↗ +2.1k Timeout/min');
  // Heap growth wins when the heap itself is what leaks.
  assert.equal(statusText(sample, verdict, timer), '$(pulse) 182 MB ↗ 3.2 MB/min');
});

test('verdictHeadline says the verdict once', () => {
  assert.equal(verdictHeadline({ ...verdict, summary: 'leaking: Timeout +2328/min' }), 'Leaking (97% confidence): Timeout +2328/min');
  assert.equal(verdictHeadline({ ...verdict, leaking: false, summary: 'not enough samples yet (3)' }), 'No leak detected so far: not enough samples yet (3)');
});

test('scriptFromCommandLine finds the main script of a node command line', () => {
  assert.equal(scriptFromCommandLine('/usr/bin/node --inspect=127.0.0.1:0 /srv/app/server.js 0'), '/srv/app/server.js');
  assert.equal(scriptFromCommandLine('node -r ts-node/register src/main.ts'), 'src/main.ts');
  assert.equal(scriptFromCommandLine('node -e "setInterval(()=>{},1)"'), undefined);
  assert.equal(scriptFromCommandLine('node'), undefined);
  assert.equal(scriptFromCommandLine('python app.py'), undefined);
});
