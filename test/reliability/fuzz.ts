// Fuzz run (not part of `npm test`; see docs/reliability.md): random and mutated JS/TS sources through
// the linter, mutated heap snapshots through the parser and the analysis, for a fixed time. A failure
// is an exception escaping the linter, an "internal error" result, an error that is not one of ours
// (a LeakLensError with a code), or one input taking longer than the hang bound. Failing inputs are
// written to the output folder so they can be replayed.
//
//   node out/test/reliability/fuzz.js [--minutes 10] [--seed 1] [--out .fuzz]
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Linter } from '../../src/lint/linter';
import { defaultConfig } from '../../src/lint/config';
import { parseSnapshot } from '../../src/core/snapshot/parser';
import { analyzeSnapshot } from '../../src/core/snapshot/analyze';
import { LeakLensError } from '../../src/shared/errors';

const root = resolve(__dirname, '..', '..', '..');
const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
const minutes = Number(arg('--minutes', '10'));
let seed = Number(arg('--seed', '1')) >>> 0;
const outDir = resolve(arg('--out', join(root, '.fuzz')));
const hangMs = 10_000;

/** mulberry32: a small seeded generator, so a run can be replayed from its seed. */
function random(): number {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const int = (n: number) => Math.floor(random() * n);
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sources(path, out);
    else if (/\.(js|mjs|cjs|ts|tsx)$/.test(name)) out.push(path);
  }
  return out;
}

const tokens = ['{', '}', '(', ')', '[', ']', ';', ',', '=>', '=', '.', '?.', '...', '`${', '}`', "'", '"', '/*', '*/', '//', '\n', 'async', 'await', 'function', 'class', 'new', 'this', 'return', 'if', 'else', 'for', 'while', 'try', 'finally', 'catch', 'const', 'let', 'var', 'import', 'export', 'require', 'setInterval', 'setTimeout', 'clearInterval', '.on(', '.once(', 'removeListener', 'new Map()', '.set(', '.delete(', 'fs.open', 'fs.createReadStream', 'http.createServer', 'app.get', 'req', 'res', 'x', 'y', '0', '1e309', '<T>', ': any', 'as', 'enum', 'interface', 'using', '#private', 'static', 'yield', '@dec'];

function mutateSource(text: string): string {
  const at = () => int(text.length + 1);
  switch (int(8)) {
    case 0: {
      const a = at();
      return text.slice(0, a) + text.slice(a + int(200));
    }
    case 1: {
      const a = at();
      const b = a + int(400);
      return text.slice(0, b) + text.slice(a, b) + text.slice(b);
    }
    case 2: {
      let out = text;
      for (let i = int(20); i >= 0; i--) {
        const a = int(out.length + 1);
        out = out.slice(0, a) + ' ' + pick(tokens) + ' ' + out.slice(a);
      }
      return out;
    }
    case 3:
      return text.slice(0, at());
    case 4: {
      const depth = 50 + int(4000);
      const open = pick(['(', '[', '{', 'function f() {', 'if (x) {', '() => (']);
      const close = ({ '(': ')', '[': ']', '{': '}', 'function f() {': '}', 'if (x) {': '}', '() => (': ')' } as Record<string, string>)[open];
      return text + '\n' + open.repeat(depth) + close.repeat(depth) + '\n';
    }
    case 5:
      return text + '\nconst big = ' + Array.from({ length: 1000 + int(150_000) }, () => pick(['a', 'b', '1', 'req.x'])).join(pick([' + ', ' && ', ', '])) + ';\n';
    case 6:
      return Array.from({ length: int(300) }, () => pick(tokens)).join(pick([' ', '', '\n']));
    default: {
      const bytes = Buffer.from(text);
      for (let i = int(30); i >= 0; i--) if (bytes.length) bytes[int(bytes.length)] = int(256);
      return bytes.toString('utf8');
    }
  }
}

function mutateSnapshot(text: string): string {
  switch (int(6)) {
    case 0:
      return text.slice(0, int(text.length));
    case 1: {
      // A number somewhere becomes huge, negative or fractional.
      let out = text;
      for (let i = int(10); i >= 0; i--) {
        const a = int(out.length);
        const m = /\d+/.exec(out.slice(a));
        if (!m) continue;
        const start = a + m.index;
        out = out.slice(0, start) + pick(['4294967296', '-1', '1.5', '99999999999', '0', '7']) + out.slice(start + m[0].length);
      }
      return out;
    }
    case 2: {
      const a = int(text.length);
      return text.slice(0, a) + text.slice(a + int(5_000));
    }
    case 3: {
      const bytes = Buffer.from(text);
      for (let i = int(50); i >= 0; i--) bytes[int(bytes.length)] = int(256);
      return bytes.toString('latin1');
    }
    case 4:
      return text.replace(/"(nodes|edges|strings|node_fields|edge_fields|locations)"/, pick(['"x"', '"nodes"', '"edges"', '"strings"']));
    default: {
      const a = int(text.length);
      const b = a + int(20_000);
      return text.slice(0, b) + text.slice(a, b) + text.slice(b);
    }
  }
}

interface Failure {
  kind: 'source' | 'snapshot';
  reason: string;
  input: string;
}

function realSnapshot(): string {
  const dir = mkdtempSync(join(tmpdir(), 'leak-lens-fuzz-'));
  try {
    const file = join(dir, 'a.heapsnapshot');
    const r = spawnSync(process.execPath, ['-e', `const m = new Map(); for (let i = 0; i < 2000; i++) m.set(i, { i, s: 'x' + i }); require('v8').writeHeapSnapshot(${JSON.stringify(file)});`]);
    if (r.status !== 0) throw new Error(`could not write a snapshot: ${r.stderr}`);
    return readFileSync(file, 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const corpus = [...sources(join(root, 'test', 'fixtures', 'corpus')), ...sources(join(root, 'src', 'lint'))].map((f) => ({ file: f, text: readFileSync(f, 'utf8') }));
  const snapshots = [readFileSync(join(root, 'test', 'fixtures', 'snapshots', 'tiny.heapsnapshot'), 'utf8'), realSnapshot()];
  const deadline = Date.now() + minutes * 60_000;
  const failures: Failure[] = [];
  const counts = { sources: 0, skipped: 0, snapshots: 0, parsed: 0, typedErrors: 0, slowestSourceMs: 0, slowestSnapshotMs: 0 };
  const startSeed = seed;
  while (Date.now() < deadline && failures.length < 20) {
    // Three sources per snapshot: sources are cheaper.
    for (let i = 0; i < 3; i++) {
      const base = pick(corpus);
      let text = mutateSource(base.text);
      if (random() < 0.3) text = mutateSource(text);
      const file = base.file.replace(/\.(js|mjs|cjs|ts|tsx)$/, pick(['.js', '.ts', '.tsx', '.mjs']));
      const linter = new Linter(defaultConfig());
      const began = Date.now();
      try {
        linter.setFile(file, text);
        const result = linter.lintFile(file);
        if (result.parseError?.startsWith('internal error')) failures.push({ kind: 'source', reason: result.parseError, input: text });
        if (result.parseError) counts.skipped++;
      } catch (e) {
        failures.push({ kind: 'source', reason: `threw: ${(e as Error).stack ?? String(e)}`, input: text });
      }
      const ms = Date.now() - began;
      counts.slowestSourceMs = Math.max(counts.slowestSourceMs, ms);
      if (ms > hangMs) failures.push({ kind: 'source', reason: `took ${ms} ms`, input: text });
      counts.sources++;
    }
    const text = mutateSnapshot(pick(snapshots));
    const began = Date.now();
    try {
      const chunks: string[] = [];
      for (let at = 0; at < text.length; at += 64 * 1024) chunks.push(text.slice(at, at + 64 * 1024));
      const snapshot = await parseSnapshot(chunks);
      analyzeSnapshot(snapshot);
      counts.parsed++;
    } catch (e) {
      if (e instanceof LeakLensError && typeof e.code === 'string') counts.typedErrors++;
      else failures.push({ kind: 'snapshot', reason: `untyped error: ${(e as Error).stack ?? String(e)}`, input: text });
    }
    const ms = Date.now() - began;
    counts.slowestSnapshotMs = Math.max(counts.slowestSnapshotMs, ms);
    if (ms > hangMs) failures.push({ kind: 'snapshot', reason: `took ${ms} ms`, input: text });
    counts.snapshots++;
  }
  console.log(`fuzz: seed ${startSeed}, ${minutes} min: ${counts.sources} sources (${counts.skipped} skipped with a reason, slowest ${counts.slowestSourceMs} ms), ${counts.snapshots} snapshots (${counts.parsed} parsed and analysed, ${counts.typedErrors} typed errors, slowest ${counts.slowestSnapshotMs} ms), ${failures.length} failures`);
  if (failures.length) {
    mkdirSync(outDir, { recursive: true });
    failures.forEach((f, i) => {
      writeFileSync(join(outDir, `${i}-${f.kind}.input`), f.input);
      writeFileSync(join(outDir, `${i}-${f.kind}.reason.txt`), f.reason);
      console.log(`  ${i}: ${f.kind}: ${f.reason.split('\n').slice(0, 3).join(' | ')}`);
    });
    console.log(`failing inputs written to ${outDir}`);
    process.exitCode = 1;
  }
}

void main();
