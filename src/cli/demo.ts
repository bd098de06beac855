/**
 * `leak-lens demo [--duration S]`: starts the bundled leaky demo server (media/demo/leaky-server.js)
 * with an inspector on a free loopback port, drives a bounded loopback load at it, watches it,
 * prints the verdict and hotspots, detaches and stops the server. This is `npm run demo`.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { request, Agent } from 'node:http';
import { dirname, join } from 'node:path';
import { LeakLensError, UsageError } from '../shared/errors';
import type { CliIo } from './io';
import { formatReport, watchFor } from './watch';

/** Finds media/demo/leaky-server.js from the bundle (dist/) or the compiled tests (out/src/cli/). */
export function demoServerPath(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'media', 'demo', 'leaky-server.js');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new LeakLensError('IO', 'media/demo/leaky-server.js not found next to the leak-lens installation');
}

/** Sends requests at about `perSecond` from `connections` loops until `signal.stopped`. */
async function drive(port: number, paths: string[], perSecond: number, connections: number, signal: { stopped: boolean }): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  let sent = 0;
  const gapMs = (1000 * connections) / perSecond;
  const loop = async (offset: number) => {
    let n = offset;
    while (!signal.stopped) {
      const began = Date.now();
      const path = paths[n++ % paths.length];
      await new Promise<void>((done) => {
        const req = request({ host: '127.0.0.1', port, path, agent }, (res) => {
          res.resume();
          res.on('end', done);
          res.on('error', () => done());
        });
        // The server going away ends the load; nothing to report per request.
        req.on('error', () => done());
        req.end();
      });
      sent++;
      const wait = gapMs - (Date.now() - began);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  };
  await Promise.all(Array.from({ length: connections }, (_, i) => loop(i)));
  agent.destroy();
  return sent;
}

export async function run(argv: string[], io: CliIo): Promise<number> {
  let durationSeconds = 30;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--duration') {
      durationSeconds = Number(argv[++i]);
      if (!(durationSeconds > 0)) throw new UsageError('--duration needs a positive number of seconds');
    } else if (argv[i] === '--help' || argv[i] === '-h') {
      io.stdout('Usage: leak-lens demo [--duration S]\n\nStarts a small leaky HTTP server, loads it on loopback, watches it and prints what leaks.\n');
      return 0;
    } else throw new UsageError(`demo: unknown option ${argv[i]}`);
  }
  const script = demoServerPath();
  io.stderr(`leak-lens demo: starting ${script}\n`);
  const child = spawn(process.execPath, ['--inspect=127.0.0.1:0', script, '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const signal = { stopped: false };
  try {
    const { wsUrl, port } = await new Promise<{ wsUrl: string; port: number }>((resolveStart, reject) => {
      let wsUrl: string | undefined;
      let port: number | undefined;
      let stderr = '';
      const timer = setTimeout(() => reject(new LeakLensError('TIMEOUT', `the demo server did not start within 10 s: ${stderr}`)), 10_000);
      const check = () => {
        if (wsUrl && port) {
          clearTimeout(timer);
          resolveStart({ wsUrl, port });
        }
      };
      child.stderr.setEncoding('utf8');
      child.stdout.setEncoding('utf8');
      child.stderr.on('data', (d: string) => {
        stderr += d;
        wsUrl ??= /ws:\/\/\S+/.exec(stderr)?.[0];
        check();
      });
      child.stdout.on('data', (d: string) => {
        const m = /listening on (\d+)/.exec(d);
        if (m) port = Number(m[1]);
        check();
      });
      child.once('exit', (code) => reject(new LeakLensError('IO', `the demo server exited (code ${code}): ${stderr}`)));
    });
    io.stderr(`leak-lens demo: server on 127.0.0.1:${port}; loading it with ~150 requests/s and watching for ${durationSeconds} s\n`);
    const load = drive(port, ['/session?user=1', '/', '/session?user=2'], 150, 3, signal);
    const { report } = await watchFor({ url: wsUrl }, { durationSeconds, profileIntervalMs: 3000 }, io);
    signal.stopped = true;
    const sent = await load;
    io.stdout(formatReport(report, 6));
    io.stdout(`(${sent} requests sent. The leaks are in ${script}: the SessionCache interval started per request, and the requestLog Map that never evicts.)\n`);
    return report.verdict.leaking ? 0 : 1;
  } finally {
    signal.stopped = true;
    child.kill();
  }
}
