import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attachTargetFromArgs, describeAttachTarget, parseAddress, parsePid } from '../../src/core/attachTarget';

test('parseAddress accepts port, host:port, [v6]:port, ws and http URLs', () => {
  assert.deepEqual(parseAddress('9229'), { ok: { port: 9229 } });
  assert.deepEqual(parseAddress(' 127.0.0.1:9230 '), { ok: { host: '127.0.0.1', port: 9230 } });
  assert.deepEqual(parseAddress('[::1]:9229'), { ok: { host: '::1', port: 9229 } });
  assert.deepEqual(parseAddress('ws://127.0.0.1:9229/abc-def'), { ok: { url: 'ws://127.0.0.1:9229/abc-def' } });
  assert.deepEqual(parseAddress('http://localhost:9229'), { ok: { host: 'localhost', port: 9229 } });
});

test('parseAddress explains what it expected', () => {
  for (const bad of ['', '70000', 'host:0', 'not a port', 'ws://']) {
    const r = parseAddress(bad);
    assert.ok('error' in r, `${bad} -> ${JSON.stringify(r)}`);
  }
});

test('parsePid and command arguments', () => {
  assert.deepEqual(parsePid('1234'), { ok: { pid: 1234 } });
  assert.ok('error' in parsePid('12a'));
  assert.deepEqual(attachTargetFromArgs({ port: 9229, host: '127.0.0.1' }), { ok: { port: 9229, host: '127.0.0.1' } });
  assert.deepEqual(attachTargetFromArgs({ pid: '77' }), { ok: { pid: 77 } });
  assert.deepEqual(attachTargetFromArgs(9229), { ok: { port: 9229 } });
  assert.equal(attachTargetFromArgs(undefined), undefined);
  assert.equal(attachTargetFromArgs({}), undefined);
  assert.ok('error' in (attachTargetFromArgs({ port: -1 }) ?? {}));
  assert.equal(describeAttachTarget({ port: 9229 }), '127.0.0.1:9229');
  assert.equal(describeAttachTarget({ pid: 5 }), 'pid 5');
});
