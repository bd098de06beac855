/**
 * The targets Leak Lens watches, and the one the views show (the active target). Owns the inspector
 * `Watch` objects; views, status bar, CodeLens, chart and runtime evidence subscribe to its events
 * and never talk to the inspector themselves.
 */
import * as vscode from 'vscode';
import { discoverProcesses, watch, type Watch, type WatchEnd } from '../inspector';
import { describeAttachTarget, type AttachTarget } from '../core/attachTarget';
import { scriptFromCommandLine, targetLabel } from '../core/format';
import type { MemorySample, TargetInfo, WatchReport } from '../core/report';
import { toError } from '../shared/errors';
import type { Logger } from '../shared/logger';
import { watchSettings } from './settings';

/** `attaching` until watch() resolves; `ended` after detach, exit or error. */
export type SessionState = 'attaching' | 'watching' | 'ended';

let nextId = 1;

/** One attached (or formerly attached) target. */
export class TargetSession {
  readonly id = nextId++;
  state: SessionState = 'attaching';
  watch: Watch | undefined;
  end: WatchEnd | undefined;
  /** The report as of the last update (kept after the target ends, for export). */
  lastReport: WatchReport | undefined;
  private frozenSamples: readonly MemorySample[] = [];
  /** Processes Leak Lens started for this target (the demo) and must stop on detach. */
  readonly owned: vscode.Disposable[] = [];
  readonly startedAt = Date.now();

  constructor(readonly attach: AttachTarget) {}

  /** The main script, learnt from the process list when the inspector did not say (see SessionManager.attach). */
  main: string | undefined;

  get target(): TargetInfo {
    const target = this.watch?.target ?? { address: describeAttachTarget(this.attach), pid: this.attach.pid };
    return target.main || !this.main ? target : { ...target, main: this.main };
  }

  /** `leaky-server.js` (the main script), the process title, or the address. */
  get label(): string {
    return targetLabel(this.target);
  }

  samples(): readonly MemorySample[] {
    return this.watch && this.state !== 'ended' ? this.watch.samples() : this.frozenSamples;
  }

  report(): WatchReport | undefined {
    return this.lastReport;
  }

  /** Why watching ended, for people. */
  endedReason(): string | undefined {
    const end = this.end;
    if (!end) return undefined;
    if (end.reason === 'detached') return 'detached';
    if (end.reason === 'target-exited') return 'target exited';
    return `error: ${end.error.message}`;
  }

  /** @internal called by SessionManager when the watch ends: keeps what was seen for reading and export. */
  freeze(): void {
    if (!this.watch) return;
    try {
      this.frozenSamples = [...this.watch.samples()];
      const report = this.watch.report();
      // A report computed after the end may have lost its hotspots; keep the last one that had some.
      if (!this.lastReport || report.hotspots.length >= this.lastReport.hotspots.length) this.lastReport = report;
    } catch {
      // The watch may refuse to report after its session closed; the last update we saw stays.
    }
  }
}

/** Everything attached. Events fire on the extension host's thread; listeners must not throw. */
export class SessionManager implements vscode.Disposable {
  private readonly list: TargetSession[] = [];
  private activeSession: TargetSession | undefined;
  private readonly subscriptions = new Map<TargetSession, vscode.Disposable[]>();

  private readonly changed = new vscode.EventEmitter<void>();
  /** A session was added, removed, changed state, or the active one changed. */
  readonly onDidChange = this.changed.event;
  private readonly sampled = new vscode.EventEmitter<{ session: TargetSession; sample: MemorySample }>();
  readonly onDidSample = this.sampled.event;
  private readonly reported = new vscode.EventEmitter<{ session: TargetSession; report: WatchReport }>();
  readonly onDidUpdateReport = this.reported.event;
  private readonly ended = new vscode.EventEmitter<{ session: TargetSession; end: WatchEnd }>();
  readonly onDidEnd = this.ended.event;

  constructor(private readonly log: Logger) {}

  get sessions(): readonly TargetSession[] {
    return this.list;
  }

  /** The session the views and the status bar show: the last one attached or picked. */
  get active(): TargetSession | undefined {
    return this.activeSession;
  }

  /** Sessions still being watched. */
  get watching(): TargetSession[] {
    return this.list.filter((s) => s.state === 'watching');
  }

  setActive(session: TargetSession | undefined): void {
    if (this.activeSession === session) return;
    this.activeSession = session;
    this.changed.fire();
  }

  /**
   * Attaches and starts watching.
   * @throws AttachError (from the inspector) with a hint; the session is removed again on failure.
   */
  async attach(target: AttachTarget): Promise<TargetSession> {
    const session = new TargetSession(target);
    this.list.push(session);
    this.activeSession = session;
    this.changed.fire();
    const settings = watchSettings();
    try {
      const w = await watch(
        { ...target, allowRemote: settings.allowRemoteAttach, logger: this.log },
        { intervalMs: settings.intervalMs, trackCreationSites: settings.trackCreationSites, heapSampling: settings.heapSampling },
      );
      if (session.state === 'ended') {
        // Detached (or the window closed) while attaching: do not leave the probes in the target.
        await w.detach();
        return session;
      }
      session.watch = w;
      session.state = 'watching';
      session.lastReport = w.report();
      this.subscriptions.set(session, [
        w.onDidSample((sample) => this.sampled.fire({ session, sample })),
        w.onDidUpdateReport((report) => {
          session.lastReport = report;
          this.reported.fire({ session, report });
        }),
        w.onDidEnd((end) => this.finish(session, end)),
      ]);
      this.changed.fire();
      this.learnMain(session);
      return session;
    } catch (e) {
      this.forget(session);
      throw e;
    }
  }

  /** Names the target by its script: the process list has the command line of local targets. */
  private learnMain(session: TargetSession): void {
    const pid = session.target.pid;
    if (pid === undefined || session.target.main) return;
    discoverProcesses().then(
      (list) => {
        const script = scriptFromCommandLine(list.find((p) => p.pid === pid)?.command ?? '');
        if (!script || session.state === 'ended') return;
        session.main = script;
        this.changed.fire();
      },
      // A remote target is not in our process list; its title or address names it instead.
      (e: unknown) => this.log.debug(`listing processes to name pid ${pid}: ${String(e)}`),
    );
  }

  /** Detaches (removing everything injected into the target) and forgets the session. Idempotent. */
  async detach(session: TargetSession): Promise<void> {
    const w = session.watch;
    if (session.state !== 'ended') {
      this.finish(session, { reason: 'detached' });
    }
    try {
      // Detach first: a demo process owned by the session must still be alive to have its probe removed.
      if (w) await w.detach();
    } finally {
      this.forget(session);
    }
  }

  /** Removes an ended session from the list (Targets view "Remove"). */
  forget(session: TargetSession): void {
    const i = this.list.indexOf(session);
    if (i >= 0) this.list.splice(i, 1);
    this.disposeOwned(session);
    if (this.activeSession === session) this.activeSession = this.list[this.list.length - 1];
    if (session.state !== 'ended') session.state = 'ended';
    this.changed.fire();
  }

  private finish(session: TargetSession, end: WatchEnd): void {
    if (session.state === 'ended' && session.end) return;
    session.freeze();
    session.state = 'ended';
    session.end = end;
    for (const d of this.subscriptions.get(session) ?? []) d.dispose();
    this.subscriptions.delete(session);
    if (end.reason !== 'detached') {
      this.log.warn(`${session.label}: watching ended (${session.endedReason() ?? end.reason})`);
      this.disposeOwned(session);
    }
    this.ended.fire({ session, end });
    this.changed.fire();
  }

  private disposeOwned(session: TargetSession): void {
    for (const d of session.owned.splice(0)) {
      try {
        d.dispose();
      } catch (e) {
        this.log.error(`${session.label}: stopping a helper process failed`, e);
      }
    }
  }

  /** Detaches from everything (extension deactivation). */
  async detachAll(): Promise<void> {
    const results = await Promise.allSettled([...this.list].map((s) => this.detach(s)));
    for (const r of results) if (r.status === 'rejected') this.log.error('detach failed', toError(r.reason));
  }

  dispose(): void {
    this.detachAll().catch((e) => this.log.error('detach on shutdown failed', e));
    this.changed.dispose();
    this.sampled.dispose();
    this.reported.dispose();
    this.ended.dispose();
  }
}
