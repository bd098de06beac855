// Which snapshots compare by object id: one process and one inspector session, oldest first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { comparability, identityOf, snapshotIdentityPrefix, type SnapshotIdentity } from '../../../src/core/snapshot/identity';

const id = (extra: Partial<SnapshotIdentity> = {}): SnapshotIdentity => ({ pid: 10, started: 1_000, session: 's', seq: 1, takenAt: 5_000, ...extra });
const marker = (i: SnapshotIdentity) => JSON.stringify({ leakLensSnapshot: 1, ...i });

test('the identity is read from the string table; the latest marker wins, look-alikes are ignored', () => {
  assert.ok(marker(id()).startsWith(snapshotIdentityPrefix));
  assert.deepEqual(identityOf(['a', marker(id({ seq: 1, takenAt: 1 })), marker(id({ seq: 2, takenAt: 2 }))])?.seq, 2);
  assert.equal(identityOf(['{"leakLensSnapshot":1, not json', '{"leakLensSnapshot":1,"pid":"x"}']), undefined);
  assert.equal(identityOf([]), undefined);
});

test('one process, one session, oldest first: by id', () => {
  assert.deepEqual(comparability(['a', 'b', 'c'], [id({ seq: 1 }), id({ seq: 2 }), id({ seq: 3 })]), { mode: 'by-id' });
});

test('other processes (or a restarted one with the same pid) are refused', () => {
  const other = comparability(['a', 'b'], [id(), id({ pid: 11, seq: 2 })]);
  assert.equal(other.mode, 'refused');
  const restarted = comparability(['a', 'b'], [id(), id({ started: 2_000, seq: 2 })]);
  assert.ok(restarted.mode === 'refused' && /restarted/.test(restarted.reason));
});

test('one session out of order is refused with the right order in the hint', () => {
  const r = comparability(['b', 'a'], [id({ seq: 2 }), id({ seq: 1 })]);
  assert.ok(r.mode === 'refused' && r.hint === 'Give them oldest first: a b', JSON.stringify(r));
});

test('several sessions, or a file without identity among marked ones: totals only', () => {
  assert.equal(comparability(['a', 'b'], [id({ session: 'x' }), id({ session: 'y', seq: 2 })]).mode, 'by-count');
  assert.equal(comparability(['a', 'b'], [id(), undefined]).mode, 'by-count');
});

test('no identity at all (DevTools files): by id, with a note that nothing proves one session', () => {
  const r = comparability(['a', 'b'], [undefined, undefined]);
  assert.ok(r.mode === 'by-id' && /not taken by Leak Lens/.test(r.note ?? ''));
});
