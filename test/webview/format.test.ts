import { test } from 'node:test';
import assert from 'node:assert/strict';
import { byteTicks, formatBytes } from '../../src/webview/format';
import { formatBytes as coreFormatBytes } from '../../src/core/format';

const MB = 1024 * 1024;

test('byte axis ticks are round steps in binary units', () => {
  assert.deepEqual(byteTicks(70 * MB, 5).map(formatBytes), ['0 B', '20 MB', '40 MB', '60 MB']);
  assert.deepEqual(byteTicks(5 * 1024 * MB, 5).map(formatBytes), ['0 B', '1.0 GB', '2.0 GB', '3.0 GB', '4.0 GB', '5.0 GB']);
  assert.deepEqual(byteTicks(0, 5), [0]);
});

test('the webview writes sizes exactly as core does (its copy must not drift)', () => {
  for (const n of [0, 512, 3.4 * 1024, 1023.9 * 1024, 1.2 * MB, 182 * MB, 4096 * MB]) assert.equal(formatBytes(n), coreFormatBytes(n));
});
