/**
 * `leak-lens watch (--port N [--host H] | --url ws://… | --pid N) [--duration S] [--interval S] [--json FILE] [--workers]`:
 * attaches, shows a live one-line status on stderr, detaches at the end or on Ctrl-C, prints the
 * verdict and hotspots, and writes the JSON report. Exit code 0 no leak, 1 leak, 2 usage or attach error.
 */
import { accessSync, constants, existsSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { MemorySample, WatchReport } from '../core/report';
import { applyAttachFlag, attachFlagsHelp, attachTargetProblem } from '../core/attachTarget';
import { formatBytes, formatDuration, verdictHeadline } from '../core/format';
import { UsageError, toError } from '../shared/errors';
import type { AttachOptions, Watch, WatchEnd, WatchOptions } from '../inspector/index';
import { watch } from '../inspector/index';
import type { CliIo } from './io';
import { formatWorkers, watchWorkersFor } from './watchWorkers';

const help = `Usage: leak-lens watch (--port N [--host H] | --url ws://… | --pid N) [options]

Attaches to a running Node.js process, watches its memory and resources, and reports whether it
leaks and which lines create what keeps growing.

${attachFlagsHelp}  --duration S      seconds to watch (default 60)
  --interval S      seconds between samples (default 1)
  --json FILE       write the report as JSON
  --workers         the target is a cluster primary: also watch each of its workers (the report
                    leads with the primary or the first leaking worker, lists the others under
                    "workers" and merges all hotspots)
  --no-sites        do not track creation sites of timers, sockets, handles and listeners
`;

export interface WatchArgs {
  attach: AttachOptions;
  durationSeconds: number;
  intervalSeconds: number;
  json?: string;
  trackCreationSites: boolean;
  /** Also watch the target's cluster workers. */
  workers?: boolean;
}

function numberArg(name: string, value: string | undefined, integer: boolean): number {
  const n = Number(value);
  if (value === undefined || !Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new UsageError(`${name} needs a positive ${integer ? 'integer' : 'number'}, got ${value ?? 'nothing'}`);
  }
  return n;
}

/** Parses watch's argv. @throws UsageError */
export function parseWatchArgs(argv: string[]): WatchArgs | 'help' {
  const attach: AttachOptions = {};
  const args: WatchArgs = { attach, durationSeconds: 60, intervalSeconds: 1, trackCreationSites: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = () => inline ?? argv[++i];
    const applied = applyAttachFlag(attach, flag, value);
    if (typeof applied === 'string') throw new UsageError(applied);
    if (applied) continue;
    switch (flag) {
      case '--help':
      case '-h':
        return 'help';
      case '--duration':
        args.durationSeconds = numberArg('--duration', value(), false);
        break;
      case '--interval':
        args.intervalSeconds = numberArg('--interval', value(), false);
        break;
      case '--json':
        args.json = value();
        if (!args.json) throw new UsageError('--json needs a file name');
        break;
      case '--workers':
        args.workers = true;
        break;
      case '--no-sites':
        args.trackCreationSites = false;
        break;
      default:
        throw new UsageError(`watch: unknown option ${a}`);
    }
  }
  const problem = attachTargetProblem(attach);
  if (problem) throw new UsageError(`watch: ${problem} (--port, --url or --pid)`);
  return args;
}

function statusLine(sample: MemorySample, elapsedSeconds: number, durationSeconds: number, report?: WatchReport): string {
  if (sample.error !== undefined) return `[${Math.round(elapsedSeconds)}/${durationSeconds} s] sample failed: ${sample.error}`;
  const resources = Object.values(sample.resources).reduce((a, b) => a + b, 0);
  const verdict = report ? (report.verdict.leaking ? `LEAK? ${report.verdict.summary.replace(/^leaking: /, '')}` : 'no leak so far') : 'collecting…';
  return `[${Math.round(elapsedSeconds)}/${durationSeconds} s] heap ${formatBytes(sample.heapUsed)} rss ${formatBytes(sample.rss)} resources ${resources} | ${verdict}`;
}

/** The human-readable summary printed on stdout. */
export function formatReport(report: WatchReport, top = 10): string {
  const v = report.verdict;
  const lines = [
    `${report.target.address}${report.target.pid ? ` (pid ${report.target.pid}, node ${report.target.nodeVersion ?? '?'})` : ''}, watched ${Math.round(report.durationSeconds)} s`,
    `Verdict: ${verdictHeadline(v)}`,
  ];
  if (v.projectedOutOfMemory) {
    const p = v.projectedOutOfMemory;
    lines.push(`Out of memory: ${p.metric} reaches the ${p.limit} limit (${formatBytes(p.limitBytes)}) in ~${formatDuration(p.secondsUntil)} (${p.at})`);
  }
  if (report.hotspots.length === 0) {
    lines.push('Hotspots: none growing');
  } else {
    lines.push('Hotspots (most suspicious first):');
    report.hotspots.slice(0, top).forEach((h, i) => {
      const rate =
        h.kind === 'heap'
          ? `+${formatBytes(h.growthBytesPerMinute ?? 0)}/min (${formatBytes(h.liveBytes ?? 0)} live, sampled)`
          : `+${Math.round(h.countGrowthPerMinute ?? 0)}/min (${h.liveCount ?? 0} live${h.resourceType ? ` ${h.resourceType}` : ''})`;
      lines.push(`  ${i + 1}. ${h.kind.padEnd(11)} ${h.location.file}:${h.location.line}:${h.location.column}  ${h.function}  ${rate}${h.via ? `  via ${h.via}` : ''}`);
    });
  }
  return lines.join('\n') + '\n';
}

/**
 * Watches until `durationSeconds` pass, SIGINT arrives or the target ends, and returns the final report.
 * Shared by `watch` and `demo`.
 */
export async function watchFor(
  attach: AttachOptions,
  options: WatchOptions & { durationSeconds: number },
  io: CliIo,
): Promise<{ report: WatchReport; end: WatchEnd }> {
  const w: Watch = await watch(attach, options);
  const started = Date.now();
  let latest: WatchReport | undefined;
  let lastPrinted = 0;
  let end: WatchEnd | undefined;
  const finished = new Promise<WatchEnd>((resolveEnd) => w.onDidEnd(resolveEnd));
  w.onDidUpdateReport((r) => (latest = r));
  w.onDidSample((sample) => {
    const elapsed = (Date.now() - started) / 1000;
    const line = statusLine(sample, elapsed, options.durationSeconds, latest);
    if (io.stderrIsTty) io.stderr(`\r\x1b[2K${line.slice(0, (process.stderr.columns || 120) - 1)}`);
    else if (Date.now() - lastPrinted >= 10_000) {
      lastPrinted = Date.now();
      io.stderr(line + '\n');
    }
  });
  let timer: NodeJS.Timeout | undefined;
  // Ctrl-C, `timeout`, CI runners and closed terminals all end the watch the same way: detach cleanly
  // (probe removed, an inspector we opened closed) and report what was seen.
  const stopSignals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  const handlers = new Map<NodeJS.Signals, () => void>();
  const interrupted = new Promise<void>((resolveInterrupt) => {
    for (const signal of stopSignals) {
      const handler = () => {
        io.stderr(`\nleak-lens: detaching (${signal === 'SIGINT' ? 'Ctrl-C' : signal})…\n`);
        resolveInterrupt();
      };
      handlers.set(signal, handler);
      process.once(signal, handler);
    }
    timer = setTimeout(resolveInterrupt, options.durationSeconds * 1000);
    void finished.then(
      () => resolveInterrupt(),
      () => resolveInterrupt(),
    );
  });
  await interrupted;
  for (const [signal, handler] of handlers) process.removeListener(signal, handler);
  clearTimeout(timer);
  await w.detach();
  end = await finished;
  if (io.stderrIsTty) io.stderr('\r\x1b[2K');
  if (end.reason === 'target-exited') io.stderr(`leak-lens: the target exited after ${Math.round((Date.now() - started) / 1000)} s; reporting what was seen\n`);
  return { report: w.report(), end };
}

/** Refuses, before attaching, a report file that could not be written at the end. @throws UsageError */
export function checkReportFile(file: string): void {
  const folder = dirname(file);
  let isFolder: boolean;
  try {
    isFolder = statSync(folder).isDirectory();
  } catch {
    throw new UsageError(`--json: the folder ${folder} does not exist (create it, or give another path)`);
  }
  if (!isFolder) throw new UsageError(`--json: ${folder} is not a folder`);
  try {
    accessSync(folder, constants.W_OK);
  } catch {
    throw new UsageError(`--json: cannot write into ${folder} (permission denied)`);
  }
  if (existsSync(file) && statSync(file).isDirectory()) throw new UsageError(`--json: ${file} is a folder; give a file name`);
}

export async function run(argv: string[], io: CliIo): Promise<number> {
  const args = parseWatchArgs(argv);
  if (args === 'help') {
    io.stdout(help);
    return 0;
  }
  const jsonFile = args.json === undefined ? undefined : resolve(io.cwd, args.json);
  if (jsonFile) checkReportFile(jsonFile);
  const logger = { debug() {}, info() {}, warn: (m: string) => io.stderr(`leak-lens: ${m}\n`), error: (m: string) => io.stderr(`leak-lens: ${m}\n`) };
  const options = { durationSeconds: args.durationSeconds, intervalMs: args.intervalSeconds * 1000, trackCreationSites: args.trackCreationSites, logger };
  const report = args.workers ? await watchWorkersFor({ ...args.attach, logger }, options, io) : (await watchFor({ ...args.attach, logger }, options, io)).report;
  io.stdout(formatReport(report) + formatWorkers(report));
  if (jsonFile) {
    try {
      writeFileSync(jsonFile, JSON.stringify(report, null, 2) + '\n');
      io.stderr(`leak-lens: report written to ${jsonFile}\n`);
    } catch (e) {
      io.stderr(`leak-lens: could not write the report to ${jsonFile}: ${toError(e).message} (the report above is complete)\n`);
      return 2;
    }
  }
  return report.verdict.leaking ? 1 : 0;
}
