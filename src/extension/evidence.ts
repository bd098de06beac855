/**
 * Sends runtime evidence (the hotspots of every watched target) to the language server on each
 * report update, so a static finding at a growing line says "confirmed at runtime". An empty list
 * clears the evidence when the last target goes.
 */
import * as vscode from 'vscode';
import type { Hotspot } from '../core/report';
import type { Logger } from '../shared/logger';
import type { SessionManager } from './sessions';

/** The part of the language client this needs (src/extension/languageClient.ts implements it). */
export interface EvidenceSink {
  sendRuntimeEvidence(hotspots: Hotspot[]): void;
}

export class RuntimeEvidence implements vscode.Disposable {
  private sink: EvidenceSink | undefined;
  private last: Hotspot[] = [];
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly sessions: SessionManager,
    private readonly log: Logger,
  ) {
    this.disposables.push(
      sessions.onDidUpdateReport(() => this.send()),
      sessions.onDidChange(() => this.send()),
    );
  }

  /** Connects the language client once it has started (it starts asynchronously). */
  setSink(sink: EvidenceSink | undefined): void {
    this.sink = sink;
    this.send(true);
  }

  /** The hotspots last sent (the test API reads this). */
  get current(): readonly Hotspot[] {
    return this.last;
  }

  private send(force = false): void {
    const hotspots = this.sessions.watching.flatMap((s) => s.report()?.hotspots ?? []);
    const same =
      hotspots.length === this.last.length &&
      hotspots.every((h, i) => JSON.stringify(h) === JSON.stringify(this.last[i]));
    if (same && !force) return;
    this.last = hotspots;
    if (!this.sink) return;
    try {
      this.sink.sendRuntimeEvidence(hotspots);
    } catch (e) {
      this.log.error('sending runtime evidence to the language server failed', e);
    }
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
    if (this.sink && this.last.length) {
      try {
        this.sink.sendRuntimeEvidence([]);
      } catch {
        // The client is shutting down with the extension; nothing left to clear.
      }
    }
  }
}
