/**
 * Runtime evidence: a watched process proves a flagged line is leaking. Pure matching and wording;
 * the server decides when to republish.
 */
import * as path from 'node:path';
import type { Hotspot } from '../core/report';
import type { Finding } from '../lint/types';
import { RUNTIME_EVIDENCE_LINE_TOLERANCE } from '../protocol/lsp';

/** Holds the latest hotspots by file so each publish can look its findings up cheaply. */
export class RuntimeEvidence {
  private byFile = new Map<string, Hotspot[]>();

  /** Replaces all evidence. An empty list clears it. */
  set(hotspots: readonly Hotspot[]): void {
    this.byFile = new Map();
    for (const hotspot of hotspots) {
      if (!hotspot?.location?.file || !Number.isFinite(hotspot.location.line)) continue;
      const key = fileKey(hotspot.location.file);
      const list = this.byFile.get(key) ?? [];
      list.push(hotspot);
      this.byFile.set(key, list);
    }
  }

  get isEmpty(): boolean {
    return this.byFile.size === 0;
  }

  /** Files (normalised keys) that have evidence, so the server knows which documents to refresh. */
  files(): string[] {
    return [...this.byFile.keys()];
  }

  /**
   * The hotspot that confirms `finding`, if any: same file, line within the tolerance. Hotspots
   * arrive most suspicious first, so among several matches the best is taken; ties in suspicion
   * go to the nearest line.
   */
  confirming(finding: Finding): Hotspot | undefined {
    const candidates = this.byFile.get(fileKey(finding.file));
    if (!candidates) return undefined;
    let best: Hotspot | undefined;
    for (const hotspot of candidates) {
      const distance = Math.abs(hotspot.location.line - finding.range.start.line);
      if (distance > RUNTIME_EVIDENCE_LINE_TOLERANCE) continue;
      if (!best || hotspot.score > best.score) best = hotspot;
      else if (hotspot.score === best.score && distance < Math.abs(best.location.line - finding.range.start.line)) best = hotspot;
    }
    return best;
  }
}

/** Paths from the runtime and from the editor may differ in separators and, on Windows, in case. */
export function fileKey(file: string): string {
  const normalised = path.resolve(file);
  return process.platform === 'win32' || process.platform === 'darwin' ? normalised.toLowerCase() : normalised;
}

/**
 * The suffix a confirmed finding's message gets: ` — confirmed at runtime: +240 Timeout/min` for a
 * growing resource count, ` — confirmed at runtime: +1.2 MB/min` for growing bytes.
 */
export function evidenceSuffix(hotspot: Hotspot): string {
  return ` — confirmed at runtime: ${describeGrowth(hotspot)}`;
}

function describeGrowth(hotspot: Hotspot): string {
  if (hotspot.countGrowthPerMinute !== undefined && Number.isFinite(hotspot.countGrowthPerMinute)) {
    const what = hotspot.resourceType ?? (hotspot.kind === 'heap' ? 'objects' : hotspot.kind);
    return `${signed(roundCount(hotspot.countGrowthPerMinute))} ${what}/min`;
  }
  if (hotspot.growthBytesPerMinute !== undefined && Number.isFinite(hotspot.growthBytesPerMinute)) {
    return `${hotspot.growthBytesPerMinute < 0 ? '-' : '+'}${formatBytes(Math.abs(hotspot.growthBytesPerMinute))}/min`;
  }
  if (hotspot.liveCount !== undefined) return `${hotspot.liveCount} live`;
  return 'growing';
}

function roundCount(value: number): number {
  return Math.abs(value) >= 10 ? Math.round(value) : Math.round(value * 10) / 10;
}

function signed(value: number): string {
  return value < 0 ? String(value) : `+${value}`;
}

/** 1.2 MB, 340 KB, 512 B: decimal units like the watch report's summaries. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  if (bytes >= 1e3) return `${Math.round(bytes / 1e3)} KB`;
  return `${Math.round(bytes)} B`;
}
