// Scores the analyzer on the real-world leak corpus (test/fixtures/corpus) and prints precision and
// recall per family, for the development slice and the held-out slice separately. The floors below
// are the numbers recorded in docs/benchmarks.md minus a small margin: a change that loses recall or
// precision on either slice fails here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { corpusSlice, formatTable, loadCorpus, scoreCase, summarize } from './corpus';

const floors = {
  dev: { recall: 0.85, precision: 0.95 },
  heldout: { recall: 0.7, precision: 0.95 },
};

const cases = loadCorpus();

test('the corpus has at least 100 leaking cases and 50 correct twins across 15 families', () => {
  const leaking = cases.filter((c) => c.expect === 'leak').length;
  const clean = cases.length - leaking;
  const families = new Set(cases.map((c) => c.family)).size;
  assert.ok(leaking >= 100, `${leaking} leaking cases`);
  assert.ok(clean >= 50, `${clean} clean cases`);
  assert.ok(families >= 15, `${families} families`);
});

for (const slice of ['dev', 'heldout'] as const) {
  test(`corpus (${slice} slice): recall and precision stay at or above the recorded floor`, () => {
    const results = cases.filter((c) => corpusSlice(c.id) === slice).map(scoreCase);
    const errors = results.flatMap((r) => r.parseErrors);
    assert.deepEqual(errors, [], 'every corpus file parses');
    const s = summarize(results);
    console.log(`\ncorpus, ${slice} slice (${results.length} cases):\n${formatTable(results)}\n`);
    assert.ok(s.recall >= floors[slice].recall, `recall ${s.recall.toFixed(3)} < ${floors[slice].recall}`);
    assert.ok(s.precision >= floors[slice].precision, `precision ${s.precision.toFixed(3)} < ${floors[slice].precision}`);
  });
}
