import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeMarkdown, reportToJson, reportToMarkdown } from '../../src/core/reportMarkdown';
import type { WatchReport } from '../../src/core/report';

const MB = 1024 * 1024;
const report: WatchReport = {
  target: { address: '127.0.0.1:9229', pid: 4242, title: 'leaky-server.js', nodeVersion: 'v24.21.0' },
  durationSeconds: 75,
  verdict: {
    leaking: true,
    confidence: 0.93,
    growthBytesPerMinute: 2 * MB,
    summary: 'heap grows 2.0 MB/min after GC',
    projectedOutOfMemory: null,
  },
  hotspots: [
    {
      kind: 'timer',
      location: { file: '/app/src/handler.js', line: 12, column: 5 },
      function: 'make|Cache *evil*',
      resourceType: 'Timeout',
      countGrowthPerMinute: 240,
      liveCount: 300,
      via: 'node-cache/lib/node_cache.js:61',
      score: 0.9,
    },
  ],
};

test('markdown report has the verdict and one escaped table row per hotspot', () => {
  const md = reportToMarkdown(
    report,
    [{ t: 1, rss: 90 * MB, heapUsed: 40 * MB, heapTotal: 60 * MB, external: MB, arrayBuffers: 0, heapLimit: 4096 * MB, resources: { Timeout: 300 } }],
    new Date('2026-01-01T00:00:00Z'),
  );
  assert.match(md, /^# Leak Lens report: leaky-server\.js$/m);
  assert.match(md, /^\*\*Leaking\*\* \(confidence 93%\): heap grows 2\.0 MB\/min after GC$/m);
  assert.match(md, /^- Watched for: 1 min$/m);
  assert.match(md, /^\| 90 MB \| 40 MB \| 60 MB \| 1\.0 MB \| 4\.0 GB \|$/m);
  assert.match(md, /^\| Timeout \| 300 \|$/m);
  const row = md.split('\n').find((l) => l.startsWith('| 1 |'));
  assert.ok(row, md);
  // The pipe and asterisks in the untrusted function name are escaped, so the row keeps 7 cells.
  assert.equal(row, '| 1 | Timers | make\\|Cache \\*evil\\* | /app/src/handler.js:12:5 | +240 Timeout/min | 300 | node-cache/lib/node\\_cache.js:61 |');
  assert.equal(row.split(/(?<!\\)\|/).length - 2, 7);
});

test('a report without hotspots says so; JSON keeps the CLI shape', () => {
  const md = reportToMarkdown({ ...report, hotspots: [] });
  assert.match(md, /No growing allocation or resource creation site was found\./);
  const json = JSON.parse(reportToJson(report));
  assert.deepEqual(Object.keys(json), ['target', 'durationSeconds', 'verdict', 'hotspots']);
  assert.equal(json.hotspots[0].location.line, 12);
});

test('escapeMarkdown neutralises markup and line breaks', () => {
  assert.equal(escapeMarkdown('a|b\n<img src=x>`c`'), 'a\\|b \\<img src=x\\>\\`c\\`');
});
