// `node out/test/lint/corpusReport.js [dev|heldout|all] [--verbose]`: prints the corpus table for a
// slice (dev by default, so the held-out slice stays unseen while detection is being changed) and,
// with --verbose, each case's misses and stray findings.
import { relative } from 'node:path';
import { corpusRoot, corpusSlice, formatTable, loadCorpus, scoreCase } from './corpus';

const slice = process.argv[2] ?? 'dev';
const verbose = process.argv.includes('--verbose');
const cases = loadCorpus().filter((c) => slice === 'all' || corpusSlice(c.id) === slice);
const results = cases.map(scoreCase);
console.log(`corpus, ${slice} slice (${results.length} cases)\n${formatTable(results)}`);
if (verbose) {
  for (const r of results) {
    if (r.c.expect === 'leak' && !r.found) console.log(`MISS  ${r.c.id}`);
    for (const f of r.stray) console.log(`STRAY ${r.c.id} ${relative(corpusRoot, f.file)}:${f.range.start.line} ${f.ruleId}: ${f.message}`);
    for (const e of r.parseErrors) console.log(`PARSE ${e}`);
  }
}
