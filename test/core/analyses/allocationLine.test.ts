import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allocationLine, functionBody } from '../../../src/core/analyses/allocationLine';

const source = [
  "'use strict';", // 0
  'function handle(req) {', // 1
  '  const id = req.id; // { not a brace', // 2
  "  const label = 'x{' + id;", // 3
  '  const body = Buffer.alloc(8192);', // 4
  '  list.push(() => body.length);', // 5
  '  return label;', // 6
  '}', // 7
  'const remember = (url) => {', // 8
  '  const now = Date.now();', // 9
  '  if (now) { log(now); }', // 10
  '  seen.set(url, { url, now });', // 11
  '};', // 12
  'const tiny = (x) => x + 1;', // 13
].join('\n');

test('the line calling the callee the allocation went through', () => {
  assert.equal(allocationLine(source, 1, 0, 'alloc'), 4);
});

test('without a callee, the strongest allocation syntax wins, ignoring strings and comments', () => {
  assert.equal(allocationLine(source, 1, 0), 4);
  assert.equal(allocationLine(source, 8, 17), 11);
});

test('expression-bodied arrows keep their own line', () => {
  assert.equal(functionBody(source, source.indexOf('(x) =>')), undefined);
  assert.equal(allocationLine(source, 13, 13), 13);
});

test('allocations of an inlined same-file helper point into the helper', () => {
  const text = [
    'function handle(req) {', // 0
    '  const body = Buffer.alloc(8192);', // 1
    '  keep.push(() => body.length);', // 2
    '  return body.length;', // 3
    '}', // 4
    'const server = http.createServer((req, res) => {', // 5
    '  res.end(String(handle(req)));', // 6
    '});', // 7
  ].join('\n');
  assert.equal(allocationLine(text, 5, 33, 'alloc'), 1);
});
