// Loads the leak corpus (test/fixtures/corpus, see its README) and scores the analyzer on it:
// recall = leaking cases with a finding on a marked line; precision = such hits over all findings
// that are not hits (findings in clean cases, or away from the marked lines of a leaking case).
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { defaultConfig, Linter, type Finding } from '../../src/lint';

export const corpusRoot = resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'corpus');

export interface CorpusFile {
  path: string;
  text: string;
  /** 1-based lines marked `// <- leak`. */
  leakLines: number[];
}

export interface CorpusCase {
  /** Path relative to the corpus root: `timers/01-….js` or a folder `db/08-…`. */
  id: string;
  family: string;
  expect: 'leak' | 'clean';
  source: string;
  files: CorpusFile[];
}

export type Slice = 'dev' | 'heldout';

/**
 * The held-out slice: a fixed quarter of the cases chosen by a hash of the case id, so a case never
 * moves between slices when others are added.
 */
export function corpusSlice(id: string): Slice {
  return createHash('sha256').update(id).digest()[0] % 4 === 0 ? 'heldout' : 'dev';
}

const lintable = /\.(c|m)?(j|t)sx?$/;

function readCase(family: string, entry: string): CorpusCase {
  const full = join(corpusRoot, family, entry);
  const paths = statSync(full).isDirectory()
    ? readdirSync(full).filter((n) => lintable.test(n)).sort().map((n) => join(full, n))
    : [full];
  const files: CorpusFile[] = paths.map((path) => {
    const text = readFileSync(path, 'utf8');
    const leakLines: number[] = [];
    text.split('\n').forEach((line, i) => { if (/\/\/ <- leak\s*$/.test(line)) leakLines.push(i + 1); });
    return { path, text, leakLines };
  });
  const header = files[0].text;
  const expect = /^\/\/ expect: (leak|clean)$/m.exec(header)?.[1] as 'leak' | 'clean' | undefined;
  const source = /^\/\/ source: (.+)$/m.exec(header)?.[1];
  const id = relative(corpusRoot, full).split('\\').join('/');
  if (!expect || !source) throw new Error(`corpus case ${id} lacks its // source: or // expect: header`);
  const marked = files.some((f) => f.leakLines.length > 0);
  if ((expect === 'leak') !== marked) throw new Error(`corpus case ${id}: expect: ${expect} but ${marked ? 'has' : 'has no'} // <- leak lines`);
  return { id, family, expect, source, files };
}

export function loadCorpus(): CorpusCase[] {
  const cases: CorpusCase[] = [];
  for (const family of readdirSync(corpusRoot).sort()) {
    if (!statSync(join(corpusRoot, family)).isDirectory()) continue;
    for (const entry of readdirSync(join(corpusRoot, family)).sort()) {
      if (entry.startsWith('.') || !(lintable.test(entry) || statSync(join(corpusRoot, family, entry)).isDirectory())) continue;
      cases.push(readCase(family, entry));
    }
  }
  return cases;
}

export interface CaseResult {
  c: CorpusCase;
  found: boolean;
  hits: Finding[];
  /** Findings that are not on a marked line (all findings of a clean case). */
  stray: Finding[];
  parseErrors: string[];
}

export function scoreCase(c: CorpusCase): CaseResult {
  // Each case is its own workspace, so cross-file facts come only from the case's own files.
  const linter = new Linter(defaultConfig());
  for (const f of c.files) linter.setFile(f.path, f.text);
  const hits: Finding[] = [];
  const stray: Finding[] = [];
  const parseErrors: string[] = [];
  for (const f of c.files) {
    const r = linter.lintFile(f.path);
    if (r.parseError) parseErrors.push(`${relative(corpusRoot, f.path)}: ${r.parseError}`);
    for (const finding of r.findings) (f.leakLines.includes(finding.range.start.line) ? hits : stray).push(finding);
  }
  return { c, found: hits.length > 0, hits, stray, parseErrors };
}

export interface Score {
  leaking: number;
  found: number;
  clean: number;
  /** Clean cases with at least one finding. */
  noisyClean: number;
  hits: number;
  stray: number;
  recall: number;
  precision: number;
}

export function summarize(results: CaseResult[]): Score {
  const leaking = results.filter((r) => r.c.expect === 'leak');
  const found = leaking.filter((r) => r.found).length;
  const clean = results.filter((r) => r.c.expect === 'clean');
  // A case counts once however many marked lines it flags: precision is over cases found vs stray findings.
  const stray = results.reduce((n, r) => n + r.stray.length, 0);
  return {
    leaking: leaking.length,
    found,
    clean: clean.length,
    noisyClean: clean.filter((r) => r.stray.length > 0).length,
    hits: found,
    stray,
    recall: leaking.length ? found / leaking.length : 1,
    precision: found + stray ? found / (found + stray) : 1,
  };
}

export function formatTable(results: CaseResult[]): string {
  const families = [...new Set(results.map((r) => r.c.family))];
  const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
  const rows = families.map((fam) => {
    const s = summarize(results.filter((r) => r.c.family === fam));
    return `| ${fam} | ${s.found}/${s.leaking} | ${pct(s.recall)} | ${s.noisyClean}/${s.clean} | ${s.stray} | ${pct(s.precision)} |`;
  });
  const t = summarize(results);
  return [
    '| family | leaks found | recall | clean twins with findings | stray findings | precision |',
    '|---|---|---|---|---|---|',
    ...rows,
    `| **all** | **${t.found}/${t.leaking}** | **${pct(t.recall)}** | **${t.noisyClean}/${t.clean}** | **${t.stray}** | **${pct(t.precision)}** |`,
  ].join('\n');
}
