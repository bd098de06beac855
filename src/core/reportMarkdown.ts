/**
 * The watch report as Markdown (Export Leak Report) and as JSON. Everything that came from the target
 * (function names, paths, titles) is escaped: a function called `**x**|y` must not restyle the
 * document or break the table.
 */
import {
  KIND_LABELS,
  formatBytes,
  formatCount,
  formatDuration,
  hotspotGrowth,
  lastGoodSample,
  projectionText,
} from './format';
import type { MemorySample, WatchReport } from './report';

/** Escapes text for Markdown inline content, including table cells (`|`) and line breaks. */
export function escapeMarkdown(text: string): string {
  return text
    // Only what can start inline markup here; `(` is harmless once `[` and `]` are escaped.
    .replace(/[\\`*_[\]|<>~]/g, (c) => `\\${c}`)
    .replace(/\r?\n/g, ' ');
}

/** The report in the JSON shape `leak-lens watch --json` writes (DESIGN.md), pretty-printed. */
export function reportToJson(report: WatchReport): string {
  const { target, durationSeconds, verdict, hotspots } = report;
  return JSON.stringify({ target, durationSeconds, verdict, hotspots }, null, 2) + '\n';
}

/** The report as a Markdown document a person can paste into an issue. */
export function reportToMarkdown(report: WatchReport, samples: readonly MemorySample[] = [], generatedAt = new Date()): string {
  const { target, verdict } = report;
  const lines: string[] = [];
  lines.push(`# Leak Lens report: ${escapeMarkdown(target.title ?? target.address)}`, '');
  lines.push(`- Target: ${escapeMarkdown(target.address)}${target.pid !== undefined ? ` (pid ${target.pid})` : ''}`);
  if (target.nodeVersion) lines.push(`- Node.js: ${escapeMarkdown(target.nodeVersion)}`);
  lines.push(`- Watched for: ${formatDuration(report.durationSeconds)}`);
  lines.push(`- Generated: ${generatedAt.toISOString()}`, '');

  lines.push('## Verdict', '');
  lines.push(
    `**${verdict.leaking ? 'Leaking' : 'No leak detected'}** (confidence ${Math.round(verdict.confidence * 100)}%): ${escapeMarkdown(verdict.summary)}`,
  );
  const projection = projectionText(verdict);
  if (projection) lines.push('', escapeMarkdown(projection));
  lines.push('');

  const last = lastGoodSample(samples);
  if (last) {
    lines.push('## Memory now', '');
    lines.push('| rss | heapUsed | heapTotal | external | heap limit |', '| ---: | ---: | ---: | ---: | ---: |');
    lines.push(
      `| ${formatBytes(last.rss)} | ${formatBytes(last.heapUsed)} | ${formatBytes(last.heapTotal)} | ${formatBytes(last.external)} | ${formatBytes(last.heapLimit)} |`,
    );
    const resources = Object.entries(last.resources).sort((a, b) => b[1] - a[1]);
    if (resources.length) {
      lines.push('', '| Active resource | Count |', '| --- | ---: |');
      for (const [type, count] of resources) lines.push(`| ${escapeMarkdown(type)} | ${formatCount(count)} |`);
    }
    lines.push('');
  }

  lines.push('## Hotspots', '');
  if (report.hotspots.length === 0) {
    lines.push('No growing allocation or resource creation site was found.');
  } else {
    lines.push('| # | Kind | Function | Location | Growth | Live | Via |', '| ---: | --- | --- | --- | --- | ---: | --- |');
    report.hotspots.forEach((h, i) => {
      const live = [h.liveCount !== undefined ? formatCount(h.liveCount) : '', h.liveBytes !== undefined ? formatBytes(h.liveBytes) : '']
        .filter(Boolean)
        .join(' / ');
      lines.push(
        `| ${i + 1} | ${KIND_LABELS[h.kind] ?? escapeMarkdown(h.kind)} | ${escapeMarkdown(h.function || '(anonymous)')} | ${escapeMarkdown(`${h.location.file}:${h.location.line}:${h.location.column}`)} | ${escapeMarkdown(hotspotGrowth(h))} | ${live} | ${h.via ? escapeMarkdown(h.via) : ''} |`,
      );
    });
  }
  lines.push('');
  return lines.join('\n');
}
