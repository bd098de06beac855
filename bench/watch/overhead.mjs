// Watch overhead: target CPU µs per request (from /proc/PID/stat utime+stime over the measured window)
// under an autocannon load on loopback, in alternating rounds: baseline (nothing attached), default
// watch without creation-site tracking, and watch with creation-site tracking. Prints medians and
// paired ratios (each condition / the same round's baseline).
//
//   npx tsc -p . && node bench/watch/overhead.mjs [rounds=5] [seconds=10]
// BENCH_CONDITIONS=a,b runs only the conditions whose names contain a or b (plus the baseline).
import { spawn, execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const autocannon = require('autocannon');
const here = dirname(fileURLToPath(import.meta.url));
const { watch } = require(join(here, '..', '..', 'out', 'src', 'inspector', 'index.js'));

const rounds = Number(process.argv[2] ?? 5);
const seconds = Number(process.argv[3] ?? 10);
const ticksPerSecond = Number(execSync('getconf CLK_TCK').toString().trim()) || 100;

function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond; // utime, stime
}

async function startTarget() {
  const child = spawn(process.execPath, ['--inspect=127.0.0.1:0', join(here, 'server.js'), '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const deadline = Date.now() + 10_000;
  while (!(/listening on \d+/.test(out) && /ws:\/\/\S+/.test(err))) {
    if (Date.now() > deadline) throw new Error(`target did not start: ${err}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return { child, port: Number(/listening on (\d+)/.exec(out)[1]), wsUrl: /ws:\/\/\S+/.exec(err)[0] };
}

function cannon(port, duration) {
  return new Promise((resolve, reject) => {
    autocannon({ url: `http://127.0.0.1:${port}/users?id=7`, connections: 10, duration }, (e, r) => (e ? reject(e) : resolve(r)));
  });
}

const conditions = {
  baseline: null,
  'samples only (no heap sampling, no sites)': { trackCreationSites: false, heapSampling: false },
  'samples + heap sampling 32 KB': { trackCreationSites: false, samplingIntervalBytes: 32768 },
  'samples + heap sampling 128 KB': { trackCreationSites: false, samplingIntervalBytes: 131072 },
  'samples + creation sites (no heap sampling)': { trackCreationSites: true, heapSampling: false },
  'full default watch': {},
};
const only = process.env.BENCH_CONDITIONS?.split(',');
for (const name of Object.keys(conditions)) if (only && name !== 'baseline' && !only.some((o) => name.includes(o))) delete conditions[name];

const results = Object.fromEntries(Object.keys(conditions).map((k) => [k, []]));
for (let round = 0; round < rounds; round++) {
  for (const [name, options] of Object.entries(conditions)) {
    const target = await startTarget();
    try {
      await cannon(target.port, 3); // warm-up
      const w = options ? await watch({ url: target.wsUrl }, options) : undefined;
      const before = cpuSeconds(target.child.pid);
      const r = await cannon(target.port, seconds);
      const cpu = cpuSeconds(target.child.pid) - before;
      if (w) await w.detach();
      const requests = r.requests.total;
      results[name].push({ usPerRequest: (cpu * 1e6) / requests, rps: r.requests.average });
      process.stderr.write(`round ${round + 1} ${name}: ${((cpu * 1e6) / requests).toFixed(1)} µs/req, ${Math.round(r.requests.average)} req/s\n`);
    } finally {
      target.child.kill('SIGKILL');
    }
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
console.log(`node ${process.version}, ${rounds} rounds × ${seconds} s, autocannon 10 connections, loopback`);
console.log('condition | CPU µs/req median [min–max] | paired ratio median [min–max] | req/s median');
for (const name of Object.keys(conditions)) {
  const us = results[name].map((x) => x.usPerRequest);
  const ratios = results[name].map((x, i) => x.usPerRequest / results.baseline[i].usPerRequest);
  console.log(
    `${name} | ${median(us).toFixed(1)} [${Math.min(...us).toFixed(1)}–${Math.max(...us).toFixed(1)}] | ` +
      `${median(ratios).toFixed(3)} [${Math.min(...ratios).toFixed(3)}–${Math.max(...ratios).toFixed(3)}] | ${Math.round(median(results[name].map((x) => x.rps)))}`,
  );
}
