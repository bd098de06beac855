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
  /** Per file, each line a hotspot stands at: its location, and the user frames of its creation stack. */
  private byFile = new Map<string, Array<{ hotspot: Hotspot; line: number }>>();

  /**
   * Replaces all evidence. An empty list clears it. A resource hotspot also stands at every user
   * frame of its creation stack: the per-request call of a helper that starts the timer is as much
   * confirmed as the `setInterval` line inside it.
   */
  set(hotspots: readonly Hotspot[]): void {
    this.byFile = new Map();
    for (const hotspot of hotspots) {
      if (!hotspot?.location?.file || !Number.isFinite(hotspot.location.line)) continue;
      const seen = new Set<string>();
      for (const at of [hotspot.location, ...(Array.isArray(hotspot.stack) ? hotspot.stack : [])]) {
        if (!at?.file || !Number.isFinite(at.line)) continue;
        const key = fileKey(at.file);
        if (seen.has(`${key}:${at.line}`)) continue;
        seen.add(`${key}:${at.line}`);
        const list = this.byFile.get(key) ?? [];
        list.push({ hotspot, line: at.line });
        this.byFile.set(key, list);
      }
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
   * The hotspot that confirms `finding`, if any: same file, line (or a creation-stack line) within the tolerance. Hotspots
   * arrive most suspicious first, so among several matches the best is taken; ties in suspicion
   * go to the nearest line.
   */
  confirming(finding: Finding): Hotspot | undefined {
    const candidates = this.byFile.get(fileKey(finding.file));
    if (!candidates) return undefined;
    let best: { hotspot: Hotspot; distance: number } | undefined;
    for (const { hotspot, line } of candidates) {
      const distance = Math.abs(line - finding.range.start.line);
      if (distance > RUNTIME_EVIDENCE_LINE_TOLERANCE) continue;
      if (!best || hotspot.score > best.hotspot.score || (hotspot.score === best.hotspot.score && distance < best.distance)) best = { hotspot, distance };
    }
    return best?.hotspot;
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

