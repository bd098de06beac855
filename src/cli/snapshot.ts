/**
 * `leak-lens snapshot summary <file> [--json] [--top N]`
 * `leak-lens snapshot diff <a> <b> [<c>] [--json] [--top N]`
 * `leak-lens snapshot take (--port N [--host H] | --url ws://… | --pid N) --output FILE`
 * `leak-lens snapshot leaks (--port N | --url ws://… | --pid N) --output-dir DIR [--period S]`
 *
 * The CLI is its own process, so it runs the engine in-process (the extension uses the worker).
 * Exit code 0 on success, 2 for usage, I/O, attach or parse errors.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import { once } from 'node:events';
import { join, relative, resolve } from 'node:path';
import { diffJob, summaryJob, type DiffReport, type JobProgress, type LeakGroup, type SummaryReport } from '../core/snapshot/index';
import { UsageError } from '../shared/errors';
import { connect, type AttachOptions } from '../inspector/index';
import { captureHeapSnapshot, estimateCaptureOf } from '../inspector/heapSnapshot';
import type { InspectorSession } from '../inspector/index';
import { fileSource } from '../worker/fileSource';
import type { CliIo } from './io';
import { formatBytes } from '../core/format';
import { applyAttachFlag, attachFlagsHelp, attachTargetProblem } from '../core/attachTarget';

const help = `Usage:
  leak-lens snapshot summary <file.heapsnapshot> [--json] [--top N]
  leak-lens snapshot diff <a> <b> [<c>] [--json] [--top N]
  leak-lens snapshot take (--port N [--host H] | --url ws://… | --pid N) --output FILE
  leak-lens snapshot leaks (--port N [--host H] | --url ws://… | --pid N) --output-dir DIR [--period S]

summary  objects per constructor: count, self size and retained size (largest first)
diff     growth per constructor between a and b (by object id); with a third snapshot, the
         three-snapshot technique: objects allocated between a and b that are still alive in c,
         grouped by constructor and by retainer path, largest retained size first
take     capture a heap snapshot of a running process (it pauses while V8 writes the snapshot)
leaks    take three snapshots S seconds apart (default 30) while you apply load, then diff them

  --json      print the report as JSON
  --top N     rows per table (default 25)

Attaching (take, leaks):
${attachFlagsHelp}`;

interface Args {
  positional: string[];
  json: boolean;
  top: number;
  output?: string;
  outputDir?: string;
  periodSeconds: number;
  attach: AttachOptions;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { positional: [], json: false, top: 25, periodSeconds: 30, attach: {} };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    const integer = (): number => {
      const raw = value();
      const n = Number(raw);
      if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${flag} needs a positive integer, got ${raw}`);
      return n;
    };
    const applied = applyAttachFlag(args.attach, flag, () => inline ?? argv[++i]);
    if (typeof applied === 'string') throw new UsageError(applied);
    if (applied) continue;
    switch (flag) {
      case '--json':
        args.json = true;
        break;
      case '--top':
        args.top = integer();
        break;
      case '--output':
      case '-o':
        args.output = value();
        break;
      case '--output-dir':
        args.outputDir = value();
        break;
      case '--period':
        args.periodSeconds = integer();
        break;
      default:
        if (a.startsWith('-')) throw new UsageError(`snapshot: unknown option ${a}`);
        args.positional.push(a);
    }
  }
  return args;
}

export async function run(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h') {
    io.stdout(help);
    return command ? 0 : 2;
  }
  const args = parseArgs(rest);
  const progress = (p: JobProgress) => {
    if (!io.stderrIsTty) return;
    const where = display(p.file, io.cwd);
    const percent = p.bytesRead && p.totalBytes ? ` ${Math.round((100 * p.bytesRead) / p.totalBytes)}%` : '';
    io.stderr(`\r\x1b[K${where}: ${p.phase}${percent}`);
  };
  const clearProgress = () => io.stderrIsTty && io.stderr('\r\x1b[K');
  switch (command) {
    case 'summary': {
      if (args.positional.length !== 1) throw new UsageError('snapshot summary takes one file');
      const file = resolve(io.cwd, args.positional[0]);
      const report = await summaryJob(fileSource(file), { onProgress: progress });
      clearProgress();
      io.stdout(args.json ? `${JSON.stringify(report, null, 2)}\n` : formatSummary(report, args.top, io.cwd));
      return 0;
    }
    case 'diff': {
      if (args.positional.length !== 2 && args.positional.length !== 3) throw new UsageError('snapshot diff takes two or three files');
      const sources = args.positional.map((f) => fileSource(resolve(io.cwd, f)));
      const report = await diffJob(sources, { onProgress: progress, limit: args.json ? undefined : args.top });
      clearProgress();
      io.stdout(args.json ? `${JSON.stringify(report, null, 2)}\n` : formatDiff(report, args.top, io.cwd));
      return 0;
    }
    case 'take':
      return take(args, io);
    case 'leaks':
      return leaks(args, io);
    default:
      throw new UsageError(`snapshot: unknown command "${command}" (summary, diff or take)`);
  }
}

function requireTarget(args: Args, command: string): void {
  const problem = attachTargetProblem(args.attach);
  if (problem) throw new UsageError(`snapshot ${command}: ${problem} (--port, --url or --pid)`);
}

/** Captures one snapshot of the connected target into `output`, with live status on a terminal. */
async function captureTo(session: InspectorSession, output: string, io: CliIo, identity?: { session: string; seq: number }): Promise<void> {
  const stream = createWriteStream(output);
  const sink = {
    write: async (chunk: string) => {
      if (!stream.write(chunk)) await once(stream, 'drain');
    },
  };
  try {
    const result = await captureHeapSnapshot(session, sink, {
      identity,
      onProgress: (p) => {
        if (io.stderrIsTty) io.stderr(`\r\x1b[K${p.receivedChars ? `writing ${formatBytes(p.receivedChars)}` : `walking ${p.done}/${p.total} objects`}`);
      },
    });
    if (io.stderrIsTty) io.stderr('\r\x1b[K');
    io.stderr(`${display(output, io.cwd)} (${formatBytes(result.chars)}, ${(result.durationMs / 1000).toFixed(1)} s)\n`);
  } finally {
    stream.end();
    await once(stream, 'close');
  }
}

async function warnCost(session: InspectorSession, address: string, io: CliIo, times = 1): Promise<void> {
  const estimate = await estimateCaptureOf(session);
  io.stderr(
    `${address}: heap ${formatBytes(estimate.heapUsedBytes)}; the process will pause for ~${estimate.pauseSeconds.toFixed(1)} s ` +
      `${times > 1 ? `per snapshot (${times} snapshots) ` : ''}and its memory grow by ~${formatBytes(estimate.extraRssBytes)} (file ~${formatBytes(estimate.snapshotBytes)})\n`,
  );
}

async function take(args: Args, io: CliIo): Promise<number> {
  if (!args.output) throw new UsageError('snapshot take needs --output FILE');
  requireTarget(args, 'take');
  const output = resolve(io.cwd, args.output);
  const { session, target } = await connect(args.attach);
  try {
    await warnCost(session, target.address, io);
    await captureTo(session, output, io);
    io.stdout(`${output}\n`);
    return 0;
  } finally {
    await session.close();
  }
}

/**
 * The three-snapshot technique in one command: snapshot 1, a load period, snapshot 2, another
 * period, snapshot 3, then the diff. The user drives the load (or the process does it by itself).
 */
async function leaks(args: Args, io: CliIo): Promise<number> {
  if (!args.outputDir) throw new UsageError('snapshot leaks needs --output-dir DIR');
  requireTarget(args, 'leaks');
  const dir = resolve(io.cwd, args.outputDir);
  mkdirSync(dir, { recursive: true });
  const files = [1, 2, 3].map((k) => join(dir, `snapshot-${k}.heapsnapshot`));
  const { session, target } = await connect(args.attach);
  try {
    await warnCost(session, target.address, io, 3);
    // One session for all three: V8 numbers objects anew per session, so ids line up only within it.
    const heapSession = randomUUID();
    for (let k = 0; k < 3; k++) {
      if (k > 0) {
        io.stderr(`apply the load now: next snapshot in ${args.periodSeconds} s\n`);
        await new Promise((r) => setTimeout(r, args.periodSeconds * 1000));
      }
      await captureTo(session, files[k], io, { session: heapSession, seq: k + 1 });
    }
  } finally {
    await session.close();
  }
  const report = await diffJob(files.map(fileSource), { limit: args.json ? undefined : args.top });
  io.stdout(args.json ? `${JSON.stringify(report, null, 2)}\n` : formatDiff(report, args.top, io.cwd));
  return 0;
}

/** Paths under the working directory relative to it, others absolute. */
function display(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel.startsWith('..') || rel === '' ? path : rel;
}


function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, k) => Math.max(h.length, ...rows.map((r) => (r[k] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, k) => (k === 0 || k === cells.length - 1 ? c.padEnd(widths[k]) : c.padStart(widths[k])))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

function where(location: { url: string; line: number; column: number } | undefined, cwd: string): string {
  if (!location) return '';
  const path = location.url.startsWith('file://') ? new URL(location.url).pathname : location.url;
  const shown = path.startsWith('/') ? display(path, cwd) : path;
  return `${shown}:${location.line}:${location.column}`;
}

/** The text `snapshot summary` prints. */
export function formatSummary(report: SummaryReport, top: number, cwd: string): string {
  const head = `${display(report.file, cwd)}: ${formatCount(report.nodeCount)} objects, ${formatCount(report.edgeCount)} references, ${formatBytes(report.totalBytes)}\n\n`;
  const rows = report.classes
    .slice(0, top)
    .map((c) => [c.className.slice(0, 60), formatCount(c.count), formatBytes(c.selfBytes), formatBytes(c.retainedBytes), where(c.location, cwd)]);
  return head + table(['Constructor', 'Count', 'Self', 'Retained', 'Defined at'], rows);
}

function groupRows(groups: LeakGroup[], top: number, cwd: string, label: (g: LeakGroup) => string): string[][] {
  return groups.slice(0, top).map((g) => [label(g), formatCount(g.count), formatBytes(g.selfBytes), formatBytes(g.retainedBytes), where(g.location, cwd)]);
}

/** The text `snapshot diff` prints. */
export function formatDiff(report: DiffReport, top: number, cwd: string): string {
  const files = report.files.map((f) => display(f, cwd));
  const out: string[] = [];
  if (report.note) out.push(`Note: ${report.note}\n\n`);
  if (report.mode === 'by-count') {
    // Ids do not line up: births and frees would be invented, so only totals are shown.
    out.push(`Change in totals from ${files[0]} to ${files[1]} (object ids do not line up):\n`);
    out.push(table(['Constructor', 'Δ count', 'Δ size'], report.classes.slice(0, top).map((c) => [c.className.slice(0, 60), signed(c.countDelta, formatCount), signed(c.bytesDelta, formatBytes)])));
    return out.join('');
  }
  out.push(`Growth from ${files[0]} to ${files[1]} (by object id):\n`);
  out.push(
    table(
      ['Constructor', 'New', 'Freed', 'Δ count', 'Δ size'],
      report.classes
        .slice(0, top)
        .map((c) => [c.className.slice(0, 60), formatCount(c.addedCount), formatCount(c.removedCount), signed(c.countDelta, formatCount), signed(c.bytesDelta, formatBytes)]),
    ),
  );
  const leaks = report.leaks;
  if (leaks) {
    out.push(
      `\nAllocated between ${files[0]} and ${files[1]} and still alive in ${files[2]}: ${formatCount(leaks.leakedCount)} objects, ${formatBytes(leaks.leakedSelfBytes)}\n`,
    );
    if (leaks.byConstructor.length === 0) {
      out.push('No suspects: nothing allocated in that period survived.\n');
    } else {
      out.push('\nBy constructor (largest retained first):\n');
      out.push(table(['Constructor', 'Count', 'Self', 'Retained', 'Defined at'], groupRows(leaks.byConstructor, top, cwd, (g) => g.key.slice(0, 60))));
      out.push('\nBy retainer path:\n');
      for (const g of leaks.byRetainerPath.slice(0, Math.min(top, 10))) {
        out.push(`  ${formatCount(g.count)} × ${g.className}, ${formatBytes(g.retainedBytes)} retained${g.location ? ` (${where(g.location, cwd)})` : ''}\n    ${g.key}\n`);
      }
    }
  }
  return out.join('');
}

function signed(n: number, format: (n: number) => string): string {
  return n > 0 ? `+${format(n)}` : format(n);
}
