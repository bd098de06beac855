import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SnapshotParser } from '../../../src/core/snapshot/parser';
import type { HeapSnapshot } from '../../../src/core/snapshot/heapSnapshot';
import { CancelledError, SnapshotParseError } from '../../../src/shared/errors';
import { fixtureDir } from './targets';
import { snapshotText } from './build';

const tinyBytes = readFileSync(join(fixtureDir, 'tiny.heapsnapshot'));
const tinyText = tinyBytes.toString('utf8');

/** Everything the parser produced, as plain data, to compare parses. */
function dump(s: HeapSnapshot): unknown {
  return {
    strings: s.strings,
    nodeType: [...s.nodeType],
    nodeName: [...s.nodeName],
    nodeId: [...s.nodeId],
    nodeSelfSize: [...s.nodeSelfSize],
    nodeDetachedness: s.nodeDetachedness ? [...s.nodeDetachedness] : null,
    firstEdge: [...s.firstEdge],
    edgeType: [...s.edgeType],
    edgeNameOrIndex: [...s.edgeNameOrIndex],
    edgeToNode: [...s.edgeToNode],
    locations: Object.fromEntries(Object.entries(s.locations).map(([k, v]) => [k, [...v]])),
  };
}

function parseChunks(chunks: Array<string | Uint8Array>): HeapSnapshot {
  const parser = new SnapshotParser({ source: 'tiny' });
  for (const chunk of chunks) parser.write(chunk);
  return parser.end();
}

function split<T extends string | Uint8Array>(data: T, size: number): T[] {
  const out: T[] = [];
  for (let k = 0; k < data.length; k += size) out.push(data.slice(k, k + size) as T);
  return out;
}

test('reads the hand-written snapshot: meta-driven layout, unknown fields and sections skipped', () => {
  const s = parseChunks([tinyBytes]);
  assert.equal(s.nodeCount, 6);
  assert.equal(s.edgeCount, 5);
  assert.deepEqual([...s.nodeId], [1, 3, 5, 7, 9, 11]);
  assert.deepEqual([...s.nodeSelfSize], [0, 0, 100, 40, 32, 10]);
  assert.equal(s.name(2), 'Café ☕');
  assert.equal(s.name(3), 'line\nbreak "q" é 😀 \\');
  assert.equal(s.name(4), 'make𝒳');
  assert.equal(s.className(2), 'Café ☕');
  assert.equal(s.className(4), '(closure)');
  assert.equal(s.className(1), '(synthetic)');
  assert.deepEqual([...s.edgeToNode], [1, 5, 2, 3, 4]);
  assert.equal(s.edgeName(0), '[1]');
  assert.equal(s.edgeName(1), 'weakRef');
  assert.equal(s.edgeTypeName(1), 'weak');
  assert.equal(s.edgeName(3), 'label');
  assert.deepEqual(s.location(4), { scriptId: 3, line: 10, column: 4 });
  assert.equal(s.location(2), undefined);
});

test('chunking does not matter: byte chunks of every size from 1 to 64 give the same graph', () => {
  const expected = dump(parseChunks([tinyBytes]));
  for (let size = 1; size <= 64; size++) {
    assert.deepEqual(dump(parseChunks(split(tinyBytes, size))), expected, `chunk size ${size}`);
  }
  // A few uneven splits too, to land inside escapes and multi-byte sequences at odd places.
  for (const size of [97, 256, 1000, tinyBytes.length - 1]) assert.deepEqual(dump(parseChunks(split(tinyBytes, size))), expected);
});

test('chunking does not matter for string chunks either, even when a surrogate pair is split', () => {
  const expected = dump(parseChunks([tinyBytes]));
  for (let size = 1; size <= 40; size++) {
    assert.deepEqual(dump(parseChunks(split(tinyText, size))), expected, `string chunk size ${size}`);
  }
  // Raw (unescaped) astral characters in the text, split between their two UTF-16 halves.
  const raw = tinyText.replace('\\ud83d\\ude00', '😀');
  const at = raw.indexOf('😀') + 1;
  assert.deepEqual(dump(parseChunks([raw.slice(0, at), raw.slice(at)])), expected);
});

test('a truncated file fails with SnapshotParseError at the byte where it ends, at every offset', () => {
  const end = tinyText.trimEnd().length;
  for (let cut = 0; cut < end; cut++) {
    const bytes = tinyBytes.subarray(0, cut);
    assert.throws(
      () => parseChunks(split(bytes, 7)),
      (e: unknown) => {
        assert.ok(e instanceof SnapshotParseError, `cut at ${cut}: ${String(e)}`);
        assert.equal(e.code, 'SNAPSHOT_PARSE');
        assert.ok(e.offset <= cut, `cut at ${cut}: offset ${e.offset}`);
        assert.equal(e.file, 'tiny');
        assert.ok(e.field.length > 0);
        return true;
      },
    );
  }
});

test('truncation inside the nodes array names the field and the offset', () => {
  const cut = tinyText.indexOf('"edges"') - 10;
  assert.throws(
    () => parseChunks([tinyBytes.subarray(0, cut)]),
    (e: unknown) => e instanceof SnapshotParseError && e.field === 'nodes' && e.offset === cut && /unexpected end/.test(e.message),
  );
});

test('corrupt input is rejected with the offending offset and field', () => {
  const text = snapshotText([{ name: '', edges: [{ to: 1 }] }, { name: 'A' }]);
  const cases: Array<{ text: string; field: string; message: RegExp; offset?: number }> = [
    { text: text.replace('"nodes":[9', '"nodes":[x'), field: 'nodes', message: /unexpected character "x"/, offset: text.indexOf('"nodes":[') + 9 },
    { text: text.replace('"edges":[2,', '"edges":[2,,'), field: 'edges', message: /unexpected ","/ },
    { text: text.replace(/"edges":\[2,(\d+),7\]/, '"edges":[2,$1,70]'), field: 'edges', message: /points to node 10 of 2/ },
    { text: text.replace(/"edges":\[2,(\d+),7\]/, '"edges":[2,$1,8]'), field: 'edges', message: /middle of a node/ },
    { text: text.replace('"node_count":2', '"node_count":3'), field: 'nodes', message: /header says 3 nodes/ },
    { text: text.replace('"node_fields":["type",', '"node_fields":['), field: 'snapshot.meta.node_fields', message: /"type" is missing/ },
    { text: text.replace('{"snapshot":', '['), field: 'top level', message: /expected "\{"/, offset: 0 },
    { text: text + 'x', field: 'end of file', message: /after the end/, offset: text.length },
    { text: text.replace(/"strings":\[.*\]/s, '"strings":["",]'), field: 'strings', message: /trailing ","/ },
  ];
  for (const c of cases) {
    assert.throws(
      () => parseChunks(split(Buffer.from(c.text), 5)),
      (e: unknown) => {
        assert.ok(e instanceof SnapshotParseError, String(e));
        assert.equal(e.field, c.field, e.message);
        assert.match(e.message, c.message);
        if (c.offset !== undefined) assert.equal(e.offset, c.offset);
        return true;
      },
    );
  }
});

test('a missing header or array is an error, not an empty graph', () => {
  assert.throws(() => parseChunks(['{"strings":[]}']), (e: unknown) => e instanceof SnapshotParseError && e.field === 'snapshot');
  const noEdges = tinyText.replace(/"edges":\[[^\]]*\],/, '');
  assert.throws(() => parseChunks([noEdges]), (e: unknown) => e instanceof SnapshotParseError && e.field === 'edges');
});

test('cancellation stops parsing at the next chunk', () => {
  const signal = { aborted: false };
  const parser = new SnapshotParser({ signal });
  parser.write(tinyBytes.subarray(0, 100));
  signal.aborted = true;
  assert.throws(() => parser.write(tinyBytes.subarray(100)), CancelledError);
});
