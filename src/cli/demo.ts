/**
 * `leak-lens demo [--duration S]`: starts the bundled leaky demo server (media/demo/leaky-server.js)
 * with an inspector on a free loopback port, drives a bounded loopback load at it, watches it,
 * prints the verdict and hotspots, detaches and stops the server. This is `npm run demo`.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { launchWithInspector, startLoad, type Load } from '../inspector/launch';
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
  const target = await launchWithInspector(script);
  let load: Load | undefined;
  try {
    const { wsUrl, port } = target;
    io.stderr(`leak-lens demo: server on 127.0.0.1:${port}; loading it with ~150 requests/s and watching for ${durationSeconds} s\n`);
    load = startLoad(port, { paths: ['/session?user=1', '/', '/session?user=2'], perSecond: 150, connections: 3 });
    const { report } = await watchFor({ url: wsUrl }, { durationSeconds, profileIntervalMs: 3000 }, io);
    const sent = await load.stop();
    io.stdout(formatReport(report, 6));
    io.stdout(`(${sent} requests sent. The leaks are in ${script}: the SessionCache interval started per request, and the requestLog Map that never evicts.)\n`);
    return report.verdict.leaking ? 0 : 1;
  } finally {
    await load?.stop();
    target.stop();
  }
}
