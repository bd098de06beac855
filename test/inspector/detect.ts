// Shared flow of the detection tests: warm up, watch while loading, detach, return the report.
import type { WatchReport } from '../../src/core/report';
import { watch } from '../../src/inspector/index';
import { load, startTarget } from './targets';

export const watchOptions = { intervalMs: 250, profileIntervalMs: 1000, reportEveryTicks: 4 };

/** Runs `file` under `node`, loads it for about `seconds` while watching, and returns the final report. */
export async function detect(file: string, node: string, seconds = 8, perSecond = 300): Promise<WatchReport> {
  const target = await startTarget(file, node);
  try {
    // Warm-up before attaching: JIT, lazy modules, a bounded cache filling to its bound.
    await load(target.port, { requests: 2500, concurrency: 4 });
    const w = await watch({ url: target.wsUrl }, watchOptions);
    try {
      await load(target.port, { requests: Math.round(seconds * perSecond), concurrency: 4, perSecond });
    } finally {
      await w.detach();
    }
    return w.report();
  } finally {
    await target.stop();
  }
}

/** "kind file:line fn score" lines for assertion messages. */
export function describe(report: WatchReport): string {
  return (
    report.verdict.summary +
    '\n' +
    report.hotspots
      .slice(0, 8)
      .map((h, i) => `${i + 1}. ${h.kind} ${h.location.file}:${h.location.line} ${h.function} score ${h.score}`)
      .join('\n')
  );
}
