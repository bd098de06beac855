// Static-analysis benchmark: leak-lens scan engine vs TypeScript's own parse+walk and vs ESLint with
// five simple rules, on the same in-memory files (published sources of server-side npm packages),
// plus re-lint latency of a ~3,000-line file. Prints medians and ratios in one run.
//
// Setup (once; both folders are git-ignored):
//   npm install --prefix bench/.work/corpus express koa fastify ws pg mysql2 mongodb mongoose ioredis undici axios socket.io @nestjs/core @nestjs/common knex sequelize typeorm hono date-fns pino rxjs
//   npm install --prefix bench/.work/eslint eslint@9
// Run: npx tsc -p . && node bench/lint/run.mjs [--runs N]
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createRequire } from 'node:module';

const root = resolve(import.meta.dirname, '..', '..');
const require = createRequire(import.meta.url);
const corpusDir = join(root, 'bench', '.work', 'corpus', 'node_modules');
const eslintDir = join(root, 'bench', '.work', 'eslint', 'node_modules', 'eslint');
const runsArg = process.argv.indexOf('--runs');
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 5;

for (const [dir, what] of [[corpusDir, 'the corpus'], [eslintDir, 'eslint'], [join(root, 'out', 'src', 'lint', 'index.js'), 'compiled sources (npx tsc -p .)']]) {
  if (!existsSync(dir)) {
    console.error(`missing ${what}: ${dir}\nsee the setup lines at the top of bench/lint/run.mjs`);
    process.exit(2);
  }
}

const ts = require(join(root, 'node_modules', 'typescript'));
const { Linter } = require(join(root, 'out', 'src', 'lint', 'index.js'));
const { Linter: ESLinter } = require(eslintDir);

// Plain JavaScript files, so all three tools (ESLint's default parser included) see the same input.
const files = [];
(function walk(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p);
    else if (/\.(js|cjs|mjs)$/.test(e.name) && !e.name.endsWith('.min.js')) files.push(p);
  }
})(corpusDir);
files.sort();
const texts = files.map((f) => readFileSync(f, 'utf8'));
const relNames = files.map((f) => f.slice(corpusDir.length + 1));
// ESM when the file says so (or .mjs), CommonJS otherwise, so ESLint parses what Node would run.
const sourceTypes = files.map((f, i) => (f.endsWith('.mjs') || /^\s*(import\s[^(]|export\s)/m.test(texts[i]) ? 'module' : 'commonjs'));
const megabytes = texts.reduce((n, t) => n + t.length, 0) / 1e6;

function tsParseWalk() {
  let nodes = 0;
  const visit = (n) => {
    nodes++;
    ts.forEachChild(n, visit);
  };
  for (let i = 0; i < files.length; i++) {
    const kind = files[i].endsWith('.js') || files[i].endsWith('.cjs') || files[i].endsWith('.mjs') ? ts.ScriptKind.JS : ts.ScriptKind.TS;
    visit(ts.createSourceFile(files[i], texts[i], ts.ScriptTarget.Latest, true, kind));
  }
  return nodes;
}

let lastFindings = 0;
let lastParseErrors = 0;
function leakLens() {
  const linter = new Linter();
  for (let i = 0; i < files.length; i++) linter.setFile(files[i], texts[i]);
  let findings = 0;
  let parseErrors = 0;
  for (const f of files) {
    const r = linter.lintFile(f);
    findings += r.findings.length;
    if (r.parseError) parseErrors++;
  }
  lastFindings = findings;
  lastParseErrors = parseErrors;
}

const eslintRules = { 'no-debugger': 'error', 'no-empty': 'error', eqeqeq: 'error', 'no-var': 'error', 'no-console': 'error' };
let eslintFatal = 0;
function eslint() {
  const linter = new ESLinter({ configType: 'flat' });
  eslintFatal = 0;
  for (let i = 0; i < files.length; i++) {
    const sourceType = sourceTypes[i];
    // A relative filename: ESLint's flat config matches nothing outside its base path.
    const messages = linter.verify(texts[i], [{ languageOptions: { ecmaVersion: 'latest', sourceType }, rules: eslintRules }], relNames[i]);
    if (messages.some((m) => m.fatal)) eslintFatal++;
  }
}

// CPU time of this process (all its threads, GC included) rather than wall time: the numbers stay
// comparable when other work shares the machine.
function time(fn) {
  const t0 = process.cpuUsage();
  fn();
  const d = process.cpuUsage(t0);
  return (d.user + d.system) / 1000;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

console.log(`corpus: ${files.length} files, ${megabytes.toFixed(1)} MB of JavaScript from bench/.work/corpus; ${runs} runs each, interleaved, after one warm-up; CPU time, medians`);
time(tsParseWalk);
time(leakLens);
time(eslint);
const results = { ts: [], leakLens: [], eslint: [] };
for (let r = 0; r < runs; r++) {
  results.ts.push(time(tsParseWalk));
  results.leakLens.push(time(leakLens));
  results.eslint.push(time(eslint));
}
const m = { ts: median(results.ts), leakLens: median(results.leakLens), eslint: median(results.eslint) };
const fmt = (ms) => `${(ms / 1000).toFixed(2)} s`;
console.log(`TypeScript parse + walk (setParentNodes):  ${fmt(m.ts)}`);
console.log(`leak-lens (6 rules, workspace model):     ${fmt(m.leakLens)}   ${lastFindings} findings, ${lastParseErrors} unparsable`);
console.log(`ESLint 9, 5 simple rules (espree):         ${fmt(m.eslint)}   ${eslintFatal} files ESLint could not parse`);
console.log(`ratio leak-lens / TypeScript parse+walk:   ${(m.leakLens / m.ts).toFixed(2)}x   (goal <= 1.5x)`);
console.log(`ratio ESLint / leak-lens:                  ${(m.eslint / m.leakLens).toFixed(2)}x faster (goal >= 5x)`);

// Re-lint latency: the largest corpus file near 3,000 lines, edited one character per iteration,
// the way the language server re-lints on every change.
const candidates = texts.map((t, i) => ({ i, lines: t.split('\n').length })).filter((x) => x.lines >= 2500 && x.lines <= 4000);
const pick = candidates.sort((a, b) => Math.abs(a.lines - 3000) - Math.abs(b.lines - 3000))[0];
if (pick) {
  // The whole tree is in the linter, as in the language server, so cross-file questions (who calls
  // this file's exports from a handler) are part of every re-lint.
  const linter = new Linter();
  for (let i = 0; i < files.length; i++) linter.setFile(files[i], texts[i]);
  const file = files[pick.i];
  const base = texts[pick.i];
  const samples = [];
  for (let k = 0; k < 120; k++) {
    const text = `${base}\n// edit ${k}\n`;
    const t0 = process.cpuUsage();
    linter.setFile(file, text);
    linter.lintFile(file);
    const d = process.cpuUsage(t0);
    samples.push((d.user + d.system) / 1000);
  }
  const s = samples.slice(20).sort((a, b) => a - b);
  const p95 = s[Math.floor(s.length * 0.95)];
  console.log(`re-lint of ${file.slice(corpusDir.length + 1)} (${pick.lines} lines): median ${median(s).toFixed(1)} ms, p95 ${p95.toFixed(1)} ms (goal p95 < 50 ms)`);
}
