/**
 * `leak-lens watch --workers`: the primary and every cluster worker watched at once, one compact status
 * line for all, and one combined report (see core/clusterReport.ts).
 */
import type { MemorySample, WatchReport } from '../core/report';
import { formatBytes, verdictHeadline } from '../core/format';
import type { AttachOptions, ClusterWatch, Watch, WatchOptions } from '../inspector/index';
import { watchCluster } from '../inspector/index';
import type { CliIo } from './io';

interface TargetState {
  label: string;
  sample?: MemorySample;
  report?: WatchReport;
  ended: boolean;
}

function targetStatus(s: TargetState): string {
  if (s.ended) return `${s.label} ended`;
  if (!s.sample) return `${s.label} …`;
  if (s.sample.error !== undefined) return `${s.label} sample failed`;
  const verdict = s.report ? (s.report.verdict.leaking ? 'LEAK?' : 'ok') : '…';
  return `${s.label} ${formatBytes(s.sample.heapUsed)} ${verdict}`;
}

/** "[12/60 s] primary 6.1 MB ok | 4242 9.3 MB LEAK? | 4243 9.0 MB LEAK?" */
function statusLine(states: readonly TargetState[], elapsedSeconds: number, durationSeconds: number): string {
  return `[${Math.round(elapsedSeconds)}/${durationSeconds} s] ${states.map(targetStatus).join(' | ')}`;
}

/** One line per target of a combined report that is not its top level. */
export function formatWorkers(report: WatchReport): string {
  if (!report.workers?.length) return '';
  const lines = ['Also watched:'];
  for (const w of report.workers) {
    lines.push(`  pid ${w.target.pid ?? '?'} (${w.target.address}): ${verdictHeadline(w.verdict)}`);
  }
  return lines.join('\n') + '\n';
}

/**
 * Watches a cluster primary and its workers until `durationSeconds` pass, SIGINT arrives or the
 * primary ends, detaches from all, and returns the combined report.
 */
export async function watchWorkersFor(attach: AttachOptions, options: WatchOptions & { durationSeconds: number }, io: CliIo): Promise<WatchReport> {
  const cluster: ClusterWatch = await watchCluster(attach, options);
  const started = Date.now();
  const targets: Watch[] = [cluster.primary, ...cluster.workers];
  const states: TargetState[] = targets.map((w, i) => ({ label: i === 0 ? 'primary' : String(w.target.pid ?? w.target.address), ended: false }));
  io.stderr(`leak-lens: watching the primary (pid ${cluster.primary.target.pid ?? '?'}) and ${cluster.workers.length} worker${cluster.workers.length === 1 ? '' : 's'}${cluster.workers.length ? ` (pids ${cluster.workers.map((w) => w.target.pid).join(', ')})` : ''}\n`);
  let lastPrinted = 0;
  const draw = () => {
    const line = statusLine(states, (Date.now() - started) / 1000, options.durationSeconds);
    if (io.stderrIsTty) io.stderr(`\r\x1b[2K${line.slice(0, (process.stderr.columns || 120) - 1)}`);
    else if (Date.now() - lastPrinted >= 10_000) {
      lastPrinted = Date.now();
      io.stderr(line + '\n');
    }
  };
  const primaryEnded = new Promise<void>((resolveEnd) => cluster.primary.onDidEnd(() => resolveEnd()));
  targets.forEach((w, i) => {
    w.onDidUpdateReport((r) => (states[i].report = r));
    // Our own detach also ends each watch; only a target that went away counts as ended.
    w.onDidEnd((end) => (states[i].ended = end.reason !== 'detached'));
    // The primary's tick paces the line; the workers' ticks only update their part of it.
    w.onDidSample((sample) => {
      states[i].sample = sample;
      if (i === 0) draw();
    });
  });
  let timer: NodeJS.Timeout | undefined;
  let handler: (() => void) | undefined;
  await new Promise<void>((resolveWait) => {
    handler = () => {
      io.stderr('\nleak-lens: detaching from all (Ctrl-C)…\n');
      resolveWait();
    };
    process.once('SIGINT', handler);
    timer = setTimeout(resolveWait, options.durationSeconds * 1000);
    primaryEnded.then(resolveWait, resolveWait);
  });
  clearTimeout(timer);
  if (handler) process.removeListener('SIGINT', handler);
  await cluster.detach();
  if (io.stderrIsTty) io.stderr('\r\x1b[2K');
  const gone = states.filter((s) => s.ended && s.label !== 'primary').length;
  if (gone > 0) io.stderr(`leak-lens: ${gone} worker${gone === 1 ? '' : 's'} exited while watched; reporting what was seen\n`);
  return cluster.report();
}
