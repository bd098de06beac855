/**
 * Runtime evidence: a watched process proves a flagged line is leaking. Pure matching and wording;
 * the server decides when to republish.
 */
import * as path from 'node:path';
import { hotspotGrowth } from '../core/format';
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
  // The same wording as the Leak Hotspots view and the CodeLens, so one number reads the same everywhere.
  return ` — confirmed at runtime: ${hotspotGrowth(hotspot) || 'growing'}`;
}

