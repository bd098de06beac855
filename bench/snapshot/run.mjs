// Heap snapshot benchmark: Leak Lens vs Chrome DevTools' heap snapshot worker vs MemLab, each
// doing parse + dominators + retained sizes + per-class summary on the same generated snapshots,
// one fresh process per run. Prints wall time (spawn to exit, including loading the tool), the
// in-process time the tool's own work took, its CPU time (user + system, all threads: the measure
// least disturbed by other load on the machine), and peak RSS (medians), with ratios to Leak Lens.
//
//   node bench/snapshot/run.mjs [--sizes 50,250,800] [--runs N] [--runs-large N] [--tools leaklens,devtools,memlab]
//
// Snapshots (~50, ~250, ~800 MB) are generated once into bench/.work/ and reused. DevTools and MemLab
// are installed there too (not project dependencies):
//   npm install --prefix bench/.work --ignore-scripts chrome-devtools-frontend memlab
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { buildDevtoolsDriver } from './build-devtools.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const work = join(root, 'bench', '.work');

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const k = args.indexOf(name);
  return k >= 0 ? args[k + 1] : fallback;
};
const sizes = option('--sizes', '50,250,800').split(',').map(Number);
const runs = Number(option('--runs', '3'));
const runsLarge = Number(option('--runs-large', '1'));
const tools = option('--tools', 'leaklens,devtools,memlab').split(',');
// Generator units per target size (each unit is 100 users/sessions plus their satellites).
const units = { 50: 290, 250: 1450, 800: 4700 };

mkdirSync(work, { recursive: true });
if (tools.some((t) => t !== 'leaklens')) {
  const need = ['chrome-devtools-frontend', 'memlab'].filter((p) => !existsSync(join(work, 'node_modules', p)));
  if (need.length) {
    console.log(`installing ${need.join(', ')} into bench/.work …`);
    const r = spawnSync('npm', ['install', '--prefix', work, '--ignore-scripts', ...need], { stdio: 'inherit' });
    if (r.status !== 0) process.exit(1);
  }
}

for (const size of sizes) {
  const file = join(work, `gen-${size}.heapsnapshot`);
  if (existsSync(file)) continue;
  if (!units[size]) throw new Error(`no generator setting for ${size} MB (known: ${Object.keys(units).join(', ')})`);
  console.log(`generating ~${size} MB snapshot …`);
  const r = spawnSync(process.execPath, ['--max-old-space-size=8000', join(here, 'generate.mjs'), String(units[size]), `${file}.tmp`], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(1);
  renameSync(`${file}.tmp`, file);
}

const drivers = {
  leaklens: join(work, 'leaklens-driver.mjs'),
  devtools: join(work, 'devtools-driver.mjs'),
  memlab: join(work, 'memlab-driver.mjs'),
};
await esbuild.build({
  entryPoints: [join(here, 'leaklens-driver.mjs')],
  outfile: drivers.leaklens,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
});
if (tools.includes('devtools')) await buildDevtoolsDriver(drivers.devtools);
if (tools.includes('memlab')) copyFileSync(join(here, 'memlab-driver.mjs'), drivers.memlab);

// DevTools and MemLab need a larger JS heap than Node's default for the big files; Leak Lens keeps
// its graph in typed arrays outside the JS heap and runs with Node's defaults, as the CLI does.
const nodeFlags = { leaklens: [], devtools: ['--max-old-space-size=20000'], memlab: ['--max-old-space-size=20000'] };

function runOnce(tool, file) {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, [...nodeFlags[tool], drivers[tool], file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20 * 60_000);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const wallMs = performance.now() - started;
      const line = out.trim().split('\n').pop();
      try {
        if (code !== 0) throw new Error(`exit ${code ?? signal}`);
        resolve({ ok: true, wallMs, ...JSON.parse(line) });
      } catch (e) {
        resolve({ ok: false, wallMs, error: `${e.message}: ${err.trim().split('\n').slice(-3).join(' | ')}` });
      }
    });
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const mb = (bytes) => (bytes / 1024 / 1024).toFixed(0);
const results = [];
console.log(`load average at start: ${(await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' ')}`);
console.log(`node ${process.version}, ${runs} run(s) per tool (${runsLarge} for ≥ 800 MB), tools interleaved\n`);
for (const size of sizes) {
  const file = join(work, `gen-${size}.heapsnapshot`);
  const fileBytes = statSync(file).size;
  const n = size >= 800 ? runsLarge : runs;
  const byTool = Object.fromEntries(tools.map((t) => [t, []]));
  for (let r = 0; r < n; r++) {
    for (const tool of tools) {
      const result = await runOnce(tool, file);
      byTool[tool].push(result);
      const what = result.ok ? `${(result.wallMs / 1000).toFixed(2)} s, ${mb(result.maxRssBytes)} MiB` : `FAILED ${result.error}`;
      console.log(`  ${relative(root, file)} ${tool} run ${r + 1}: ${what}`);
    }
  }
  const row = { sizeMB: size, fileBytes, nodes: undefined, runs: n, tools: {} };
  for (const tool of tools) {
    const ok = byTool[tool].filter((x) => x.ok);
    if (ok.length === 0) {
      row.tools[tool] = { failed: byTool[tool][0]?.error };
      continue;
    }
    row.nodes ??= ok[0].nodes;
    const session = ok[0].top.find((c) => c.name === 'Session');
    row.tools[tool] = {
      wallMs: median(ok.map((x) => x.wallMs)),
      engineMs: median(ok.map((x) => x.ms)),
      cpuMs: median(ok.map((x) => x.cpuMs)),
      maxRssBytes: median(ok.map((x) => x.maxRssBytes)),
      sessionRetained: session?.retained,
    };
  }
  results.push(row);
}

console.log('\n| File | Tool | Wall time | In-process time | CPU time | Peak RSS | RSS / file | Time vs Leak Lens | CPU vs Leak Lens | Memory vs Leak Lens |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const row of results) {
  const base = row.tools.leaklens;
  for (const tool of tools) {
    const t = row.tools[tool];
    const name = `${row.sizeMB} MB (${mb(row.fileBytes)} MiB, ${(row.nodes / 1e6).toFixed(1)} M nodes, ${row.runs} run${row.runs > 1 ? 's' : ''})`;
    if (t.failed) {
      console.log(`| ${name} | ${tool} | failed: ${t.failed} | | | | | | | |`);
      continue;
    }
    const timeRatio = base?.wallMs ? `${(t.wallMs / base.wallMs).toFixed(2)}×` : '';
    const memRatio = base?.maxRssBytes ? `${(t.maxRssBytes / base.maxRssBytes).toFixed(2)}×` : '';
    const cpuRatio = base?.cpuMs ? `${(t.cpuMs / base.cpuMs).toFixed(2)}×` : '';
    console.log(
      `| ${name} | ${tool} | ${(t.wallMs / 1000).toFixed(2)} s | ${(t.engineMs / 1000).toFixed(2)} s | ${(t.cpuMs / 1000).toFixed(2)} s | ${mb(t.maxRssBytes)} MiB | ${(t.maxRssBytes / row.fileBytes).toFixed(2)} | ${timeRatio} | ${cpuRatio} | ${memRatio} |`,
    );
  }
}
console.log('\nSanity (retained size of class Session per tool, should agree):');
for (const row of results) console.log(`  ${row.sizeMB} MB: ${tools.map((t) => `${t} ${row.tools[t].sessionRetained ?? '?'}`).join(', ')}`);
writeFileSync(join(work, 'results.json'), JSON.stringify({ node: process.version, results }, null, 2));
