import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeDominators, buildDominatorTree } from '../../../src/core/snapshot/dominators';
import { summarize } from '../../../src/core/snapshot/summary';
import { computeRetainerPaths, retainerPath, formatRetainerPath } from '../../../src/core/snapshot/retainers';
import { CancelledError } from '../../../src/shared/errors';
import { buildSnapshot, type GraphNode } from './build';

test('diamond: a node reachable two ways is dominated by the fork, not by either branch', () => {
  //   root → A → B → D
  //          A → C → D
  const s = buildSnapshot([
    { name: '', edges: [{ to: 1 }] },
    { name: 'A', self: 1, edges: [{ to: 2 }, { to: 3 }] },
    { name: 'B', self: 2, edges: [{ to: 4 }] },
    { name: 'C', self: 4, edges: [{ to: 4 }] },
    { name: 'D', self: 8 },
  ]);
  const d = computeDominators(s);
  assert.deepEqual([...d.idom], [0, 0, 1, 1, 1]);
  assert.deepEqual([...d.retainedSize], [15, 15, 2, 4, 8]);
});

test('weak edges do not retain; shortcut edges retain only from the root', () => {
  const s = buildSnapshot([
    { name: '', edges: [{ to: 1 }, { to: 3, type: 'shortcut' }] },
    { name: 'Holder', self: 1, edges: [{ to: 2, type: 'weak' }, { to: 4, type: 'shortcut' }, { to: 5 }] },
    { name: 'WeakOnly', self: 100 },
    { name: 'Global', self: 5, edges: [{ to: 4 }] },
    { name: 'ViaShortcut', self: 7 },
    { name: 'Owned', self: 3 },
  ]);
  const d = computeDominators(s);
  // WeakOnly is reachable only weakly: hung off the root, retaining just itself.
  assert.equal(d.idom[2], 0);
  assert.equal(d.retainedSize[2], 100);
  // Holder's shortcut to ViaShortcut does not count, so only Global holds it.
  assert.equal(d.idom[4], 3);
  assert.equal(d.retainedSize[1], 4);
  assert.equal(d.retainedSize[3], 12);
  assert.equal(d.retainedSize[0], 116);
  const paths = computeRetainerPaths(s);
  assert.equal(formatRetainerPath(retainerPath(s, paths, 4)!), '(root).e3 → Global.e4 → ViaShortcut');
  assert.equal(retainerPath(s, paths, 2), undefined);
});

/** Reference: d dominates v iff v cannot be reached from the root when d is removed. */
function bruteForceIdom(nodes: GraphNode[]): number[] {
  const n = nodes.length;
  const reach = (removed: number): boolean[] => {
    const seen = new Array<boolean>(n).fill(false);
    if (removed === 0) return seen;
    const stack = [0];
    seen[0] = true;
    while (stack.length) {
      const v = stack.pop()!;
      for (const e of nodes[v].edges ?? []) {
        if (e.type === 'weak' || e.to === removed || seen[e.to]) continue;
        seen[e.to] = true;
        stack.push(e.to);
      }
    }
    return seen;
  };
  const all = reach(-1);
  const dominators: number[][] = nodes.map(() => []);
  for (let d = 0; d < n; d++) {
    const without = reach(d);
    for (let v = 0; v < n; v++) if (v !== d && all[v] && !without[v]) dominators[v].push(d);
  }
  // The immediate dominator is the dominator that every other dominator also dominates.
  return nodes.map((_, v) => {
    if (v === 0 || !all[v]) return 0;
    return dominators[v].find((d) => dominators[v].every((o) => o === d || dominators[d].includes(o)))!;
  });
}

function randomGraph(seed: number, n: number, extraEdges: number): GraphNode[] {
  let state = seed;
  const random = () => ((state = (state * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const nodes: GraphNode[] = Array.from({ length: n }, (_, k) => ({ name: `N${k}`, self: 1 + Math.floor(random() * 50), edges: [] }));
  for (let v = 1; v < n; v++) nodes[Math.floor(random() * v)].edges!.push({ to: v }); // spanning tree
  for (let k = 0; k < extraEdges; k++) {
    const from = Math.floor(random() * n);
    nodes[from].edges!.push({ to: Math.floor(random() * n), type: random() < 0.15 ? 'weak' : 'property' });
  }
  return nodes;
}

test('matches a brute-force dominator computation on 200 random graphs', () => {
  for (let seed = 1; seed <= 200; seed++) {
    const nodes = randomGraph(seed, 5 + (seed % 40), seed % 60);
    const s = buildSnapshot(nodes);
    const d = computeDominators(s);
    assert.deepEqual([...d.idom], bruteForceIdom(nodes), `seed ${seed}`);
    // Retained = self + retained of dominator-tree children.
    const tree = buildDominatorTree(d);
    for (let v = 0; v < nodes.length; v++) {
      let sum = s.nodeSelfSize[v];
      for (let k = tree.firstChild[v]; k < tree.firstChild[v + 1]; k++) sum += d.retainedSize[tree.children[k]];
      assert.equal(d.retainedSize[v], sum, `seed ${seed} node ${v}`);
    }
  }
});

test('a chain of 300,000 objects neither recurses nor slows down', () => {
  const n = 300_000;
  const nodes: GraphNode[] = [{ name: '', edges: [{ to: 1 }] }];
  for (let k = 1; k < n; k++) nodes.push({ name: 'Link', self: 1, edges: k + 1 < n ? [{ to: k + 1, name: 'next' }] : [] });
  // A back edge from the tail to the head makes the search revisit the whole chain.
  nodes[n - 1].edges!.push({ to: 1, name: 'head' });
  const s = buildSnapshot(nodes);
  const d = computeDominators(s);
  assert.equal(d.retainedSize[1], n - 1);
  assert.equal(d.idom[n - 1], n - 2);
  const summary = summarize(s, d);
  const link = summary.classes.find((c) => c.className === 'Link')!;
  assert.equal(link.count, n - 1);
  // Instances inside another instance's retained size are not counted twice.
  assert.equal(link.retainedBytes, n - 1);
  assert.equal(link.selfBytes, n - 1);
  const paths = computeRetainerPaths(s);
  assert.equal(retainerPath(s, paths, n - 1, 6)!.length, 6);
});

test('summary groups by constructor and counts retained bytes once per class', () => {
  const s = buildSnapshot([
    { name: '', edges: [{ to: 1 }, { to: 2 }] },
    { name: 'Cache', self: 10, edges: [{ to: 3 }, { to: 4 }] },
    { name: 'Cache', self: 10, edges: [{ to: 1, name: 'inner' }] },
    { name: 'Entry', self: 5 },
    { name: 'x', type: 'string', self: 2 },
  ]);
  const d = computeDominators(s);
  const summary = summarize(s, d);
  const byName = Object.fromEntries(summary.classes.map((c) => [c.className, c]));
  assert.equal(byName.Cache.count, 2);
  assert.equal(byName.Cache.selfBytes, 20);
  assert.equal(byName.Cache.retainedBytes, 27); // root holds both; the first Cache retains Entry and the string
  assert.equal(byName['(string)'].count, 1);
  assert.equal(byName['(string)'].internal, true);
  assert.equal(byName.Entry.internal, false);
  assert.equal(summary.totalSelfBytes, 27);
});

test('dominators can be cancelled', () => {
  const nodes = randomGraph(7, 2_100_000, 10);
  const s = buildSnapshot(nodes);
  assert.throws(() => computeDominators(s, { aborted: true }), CancelledError);
});

test('retainer paths skip Leak Lens\' own objects and fold a linked list into one counted step', () => {
  // root → Global; Global.<symbol leaklens.probe.v1> → Probe → Record (a shorter path through our
  // probe), and Global.list → Timeout ×5 via _idleNext → Record.
  const list = Array.from({ length: 5 }, (_, k) => ({ name: 'Timeout', edges: [{ to: k < 4 ? 5 + k : 9, name: '_idleNext' }] }));
  const s = buildSnapshot([
    { name: '', edges: [{ to: 1 }] },
    { name: 'Global', edges: [{ to: 2, name: '<symbol leaklens.probe.v1>' }, { to: 3, name: 'list' }] },
    { name: 'Probe', edges: [{ to: 9, name: 'sites' }] },
    { name: 'TimerList', edges: [{ to: 4, name: '_idleNext' }] },
    ...list,
    { name: 'Record' },
  ]);
  const paths = computeRetainerPaths(s);
  assert.equal(formatRetainerPath(retainerPath(s, paths, 9)!), '(root).e1 → Global.list → TimerList._idleNext → Timeout._idleNext ×5 → Record');
  assert.equal(retainerPath(s, paths, 2), undefined, 'our probe is not a holder on any path');
});
