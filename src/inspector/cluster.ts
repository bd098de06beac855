/**
 * Cluster workers: each is its own process with its own inspector (a primary started with
 * `--inspect=HOST:P` hands its workers P+1, P+2…), found through /proc as the primary's node children.
 */
import { readFileSync, readdirSync } from 'node:fs';
import type { WatchReport } from '../core/report';
import { combineClusterReports } from '../core/clusterReport';
import { toError } from '../shared/errors';
import type { Logger } from '../shared/logger';
import { silentLogger } from '../shared/logger';
import type { AttachOptions } from './attach';
import type { DiscoveredProcess } from './discover';
import { commandLine, findInspector, isNodeProcess } from './discover';
import type { Watch, WatchOptions } from './watch';
import { watch } from './watch';

/** The parent PID of a process (field 4 of /proc/PID/stat), or undefined when it is gone. */
function parentPid(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may itself contain spaces or parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[1]);
  } catch {
    return undefined;
  }
}

/** PIDs whose parent is `pid`. */
export function childPids(pid: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  return entries.filter((name) => /^\d+$/.test(name) && parentPid(Number(name)) === pid).map(Number).sort((a, b) => a - b);
}

/**
 * The cluster workers of a primary: its child processes that run node, each with its inspector when
 * one is open (workers of a primary started without --inspect have none; attach to those by PID).
 */
export async function discoverClusterWorkers(primaryPid: number): Promise<DiscoveredProcess[]> {
  const workers: DiscoveredProcess[] = [];
  for (const pid of childPids(primaryPid)) {
    let node: boolean;
    try {
      node = isNodeProcess(pid);
    } catch {
      continue;
    }
    const command = node ? commandLine(pid) : undefined;
    if (command === undefined) continue;
    workers.push({ pid, command, inspector: await findInspector(pid) });
  }
  return workers;
}

/** A primary and its cluster workers, each watched with its own {@link watch}. */
export interface ClusterWatch {
  readonly primary: Watch;
  /** The workers that could be attached, in PID order. */
  readonly workers: readonly Watch[];
  /** Workers found but not attached, with why. */
  readonly skipped: ReadonlyArray<{ pid: number; reason: string }>;
  /** The combined report (see combineClusterReports): primary or first leaking target, plus `workers`. */
  report(): WatchReport;
  /** Detaches from every target; idempotent. */
  detach(): Promise<void>;
}

/**
 * Attaches to a cluster primary, then to each of its workers (by its open inspector, else by PID).
 * A worker that cannot be attached is skipped and listed, not fatal.
 * @throws AttachError when the primary cannot be attached.
 */
export async function watchCluster(attach: AttachOptions, options: WatchOptions = {}): Promise<ClusterWatch> {
  const logger: Logger = attach.logger ?? options.logger ?? silentLogger;
  const primary = await watch(attach, options);
  const workers: Watch[] = [];
  const skipped: Array<{ pid: number; reason: string }> = [];
  const detachAll = () => Promise.all([primary, ...workers].map((w) => w.detach().catch((e: unknown) => logger.warn(`detaching ${w.target.address}: ${toError(e).message}`)))).then(() => undefined);
  try {
    if (primary.target.pid === undefined) throw new Error('the primary did not tell its PID');
    for (const worker of await discoverClusterWorkers(primary.target.pid)) {
      const target: AttachOptions = worker.inspector ? { url: worker.inspector.wsUrl, logger: attach.logger } : { pid: worker.pid, logger: attach.logger };
      try {
        workers.push(await watch(target, options));
      } catch (e) {
        skipped.push({ pid: worker.pid, reason: toError(e).message });
        logger.warn(`cluster worker ${worker.pid} not watched: ${toError(e).message}`);
      }
    }
  } catch (e) {
    await detachAll();
    throw e;
  }
  return {
    primary,
    workers,
    skipped,
    report: () => combineClusterReports([primary, ...workers].map((w) => w.report())),
    detach: detachAll,
  };
}
