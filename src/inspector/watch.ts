/**
 * The watch engine: one probe evaluate per tick for the memory series, live-only heap sampling for
 * allocation sites, creation-site tracking for resources, and the verdict + hotspots recomputed every
 * few ticks. Never forces GC, never takes snapshots, never queries objects.
 */
import { randomUUID } from 'node:crypto';
import type { Hotspot, HotspotKind, MemorySample, SourceLocation, TargetInfo, WatchReport } from '../core/report';
import { allocationLine } from '../core/analyses/allocationLine';
import type { SiteSeries } from '../core/analyses/hotspots';
import { rankHotspots } from '../core/analyses/hotspots';
import type { Point } from '../core/analyses/trend';
import type { MajorGc, MemoryLimits, VerdictDetails } from '../core/analyses/verdict';
import { computeVerdict, withHeapSiteEvidence } from '../core/analyses/verdict';
import type { Event } from '../shared/disposable';
import { DisposableStore, Emitter } from '../shared/disposable';
import { AttachError, InspectorError, TargetExitedError, toError } from '../shared/errors';
import type { Logger } from '../shared/logger';
import { silentLogger } from '../shared/logger';
import type { AttachOptions, Connection } from './attach';
import { closeInspectorThrough, connect } from './attach';
import type { CaptureOptions, CaptureResult, SnapshotSink } from './heapSnapshot';
import { captureHeapSnapshot } from './heapSnapshot';
import type { SamplingHeapProfile } from './heapProfile';
import { aggregateHeapProfile } from './heapProfile';
import type { ProbeInstallResult, ProbeOptions, ProbeOwner, ProbeSite, ProbeTick } from './probes/probe';
import { installExpression, removeExpression, tickExpression } from './probes/probe';
import type { InspectorSession } from './session';
import { evaluate } from './session';
import { SourceResolver, isUserScript, libraryLabel, parseStack, scriptPath } from './sourceMaps';

/** How to watch. */
export interface WatchOptions {
  /** Time between samples; default 1000. */
  intervalMs?: number;
  /** Track creation stacks of timers, sockets, file handles, watchers and listeners; default true. */
  trackCreationSites?: boolean;
  /** Live-only sampling heap profiler for allocation sites; default true. */
  heapSampling?: boolean;
  /** Time between sampling-profile reads (each read costs the target a full GC); default 6000, stretched on big heaps. */
  profileIntervalMs?: number;
  /** Sampling interval of the heap profiler in bytes; default 32768 (measured ~×1.18 CPU/request; 131072: ~×1.11 but misses small retained objects in short windows). */
  samplingIntervalBytes?: number;
  /** Verdict and hotspots are recomputed every this many ticks; default 3. */
  reportEveryTicks?: number;
  logger?: Logger;
}

/** Why a watch ended. */
export type WatchEnd = { reason: 'detached' } | { reason: 'target-exited'; error?: Error } | { reason: 'error'; error: Error };

/** A running watch of one target. */
export interface Watch {
  readonly target: TargetInfo;
  /** The inspector's WebSocket URL, for a second session (snapshot capture). Secret: never put it in a report. */
  readonly wsUrl: string;
  /** Every tick. */
  readonly onDidSample: Event<MemorySample>;
  /** Whenever verdict/hotspots are recomputed (every few ticks). */
  readonly onDidUpdateReport: Event<WatchReport>;
  /** Exactly once. */
  readonly onDidEnd: Event<WatchEnd>;
  samples(): readonly MemorySample[];
  /** Current verdict + hotspots. */
  report(): WatchReport;
  /**
   * Takes a heap snapshot through the watch's own inspector session, which lives as long as the
   * attach: V8 numbers objects per session, so snapshots taken here compare by object id. Sampling
   * pauses while V8 walks the heap (the target is stopped anyway).
   * @throws CancelledError, TargetExitedError, InspectorError, TimeoutError
   */
  takeHeapSnapshot(sink: SnapshotSink, options?: Omit<CaptureOptions, 'identity'>): Promise<CaptureResult>;
  /** Removes everything we injected and closes the session; idempotent. */
  detach(): Promise<void>;
}

/**
 * Attaches and starts watching.
 * @throws AttachError with a hint saying what to try next.
 */
export async function watch(attach: AttachOptions, options: WatchOptions = {}): Promise<Watch> {
  const connection = await connect(attach);
  const engine = new WatchEngine(connection, { logger: attach.logger, ...options });
  try {
    await engine.start();
  } catch (e) {
    await engine.detach();
    throw e;
  }
  return engine;
}

const maxSamples = 86_400;
const maxSeriesPoints = 720;
const ttlMs = 15_000;
/** Frames kept in creation stacks: enough to get from a library's internals back to the user's line. */
const stackTraceLimit = 24;

interface ResourceSiteState {
  type: string;
  event?: string;
  stack: string;
  live: number;
  points: Point[];
  resolved?: SiteSeries[] | null;
}

interface HeapSiteState {
  points: Point[];
  resolved?: SiteSeries | null;
  frame: { url: string; lineNumber: number; columnNumber: number; functionName: string };
  callee?: string;
  via?: string;
}

function kindOf(type: string): HotspotKind {
  switch (type) {
    case 'Timeout':
      return 'timer';
    case 'TCPWRAP':
    case 'TLSWRAP':
    case 'PIPEWRAP':
    case 'UDPWRAP':
    case 'HTTPCLIENTREQUEST':
      return 'socket';
    case 'TCPSERVERWRAP':
    case 'PIPESERVERWRAP':
      return 'server';
    case 'FILEHANDLE':
    case 'FD':
      return 'file-handle';
    case 'FSEVENTWRAP':
    case 'STATWATCHER':
      return 'watcher';
    case 'PROCESSWRAP':
      return 'child-process';
    case 'WORKER':
    case 'MESSAGEPORT':
      return 'worker';
    case 'listener':
      return 'listener';
    default:
      return 'resource';
  }
}

function pushPoint(points: Point[], point: Point): void {
  points.push(point);
  if (points.length > maxSeriesPoints) points.splice(0, points.length - maxSeriesPoints);
}

class WatchEngine implements Watch {
  private readonly sampleEmitter = new Emitter<MemorySample>();
  private readonly reportEmitter = new Emitter<WatchReport>();
  private readonly endEmitter = new Emitter<WatchEnd>();
  readonly onDidSample = this.sampleEmitter.event;
  readonly onDidUpdateReport = this.reportEmitter.event;
  readonly onDidEnd = this.endEmitter.event;

  private readonly logger: Logger;
  private readonly intervalMs: number;
  private readonly profileIntervalMs: number;
  private readonly reportEveryTicks: number;
  private readonly resolver = new SourceResolver();
  private readonly disposables = new DisposableStore();
  private readonly series: MemorySample[] = [];
  private readonly majorGcs: MajorGc[] = [];
  private readonly sampledTotal: Point[] = [];
  private readonly resourceSites = new Map<number, ResourceSiteState>();
  private readonly heapSites = new Map<string, HeapSiteState>();
  /** Scripts named by new sites, read (asynchronously) before the next report resolves them. */
  private readonly scriptsToLoad = new Set<string>();
  private limits: MemoryLimits = {};
  private lastPostGc: number | undefined;
  private startedAt = Date.now();
  private ticks = 0;
  private lastProfileReadMs = 0;
  private tickTimer: NodeJS.Timeout | undefined;
  private profileTimer: NodeJS.Timeout | undefined;
  private inFlight: Promise<unknown> = Promise.resolve();
  private ended = false;
  private stopping = false;
  private sampling = false;
  private lastReport: WatchReport | undefined;
  private lastDetails: VerdictDetails | undefined;
  /** False until our probe is in the target: a refused watch must not tick or remove another watcher's. */
  private probeInstalled = false;
  /** A snapshot is being taken through our session: ticks and profile reads wait. */
  private capturing = false;
  private snapshots = 0;
  private readonly owner: ProbeOwner = { id: randomUUID(), pid: process.pid, since: Date.now() };

  private readonly session: InspectorSession;
  readonly target: TargetInfo;
  readonly wsUrl: string;
  private readonly openedInspector: boolean;

  constructor(
    connection: Connection,
    private readonly options: WatchOptions,
  ) {
    this.session = connection.session;
    this.target = connection.target;
    this.wsUrl = connection.wsUrl;
    this.openedInspector = connection.openedInspector;
    this.logger = options.logger ?? silentLogger;
    this.intervalMs = options.intervalMs ?? 1000;
    this.profileIntervalMs = options.profileIntervalMs ?? 6000;
    this.reportEveryTicks = options.reportEveryTicks ?? 3;
  }

  async start(): Promise<void> {
    this.disposables.add(this.session.onDidClose((reason) => this.end({ reason: 'target-exited', error: reason })));
    // Node 20 keeps an exiting target alive while a client is attached: let go when it says so.
    this.disposables.add(
      this.session.on('NodeRuntime.waitingForDisconnect', () => {
        this.logger.info('target is exiting and waits for us to disconnect');
        this.end({ reason: 'target-exited' });
        this.session.close().catch((e: unknown) => this.logger.debug(`close on exit: ${toError(e).message}`));
      }),
    );
    await this.trySend('NodeRuntime.notifyWhenWaitingForDisconnect', { enabled: true });
    await this.collectScripts();
    const installed = await evaluate<ProbeInstallResult>(this.session, installExpression(this.probeOptions()), { timeoutMs: 5_000 });
    if (installed.busy) {
      const other = installed.busy;
      throw new AttachError(
        this.target.address,
        `another Leak Lens watch (process ${other.pid}, since ${new Date(other.since).toLocaleTimeString()}) is watching this process, and two watches would corrupt each other's numbers`,
        'Detach the other watch first (a watcher that was killed lets go by itself within 15 s), or look at its report',
      );
    }
    this.probeInstalled = true;
    this.limits = { heapLimitBytes: installed.heapLimit, cgroupLimitBytes: installed.cgroupLimitBytes, constrainedMemoryBytes: installed.constrainedMemoryBytes };
    this.logger.debug(`probe installed (gc via ${installed.gcSource}, tracking ${installed.tracking})`);
    if (this.options.heapSampling ?? true) {
      await this.session.send('HeapProfiler.startSampling', { samplingInterval: this.options.samplingIntervalBytes ?? 32768 });
      this.sampling = true;
    }
    this.startedAt = Date.now();
    this.scheduleTick(0);
    if (this.sampling) this.scheduleProfile();
  }

  async takeHeapSnapshot(sink: SnapshotSink, options: Omit<CaptureOptions, 'identity'> = {}): Promise<CaptureResult> {
    if (this.ended || this.stopping) throw new TargetExitedError(this.target.address, 'the watch has ended; attach again to take a snapshot');
    if (this.capturing) throw new InspectorError('HeapProfiler.takeHeapSnapshot', undefined, 'a heap snapshot of this target is already being taken');
    this.capturing = true;
    try {
      await this.inFlight.catch(() => undefined);
      return await captureHeapSnapshot(this.session, sink, { ...options, identity: { session: this.owner.id, seq: ++this.snapshots } });
    } finally {
      this.capturing = false;
    }
  }

  private probeOptions(): ProbeOptions {
    return {
      trackCreationSites: this.options.trackCreationSites ?? true,
      ttlMs,
      listenerThreshold: 5,
      stackTraceLimit,
      owner: this.owner,
      closeInspectorOnExpiry: this.openedInspector,
    };
  }

  /** Learns every loaded script's source map URL, then turns the Debugger off again (it costs ~8% while on). */
  private async collectScripts(): Promise<void> {
    const subscription = this.session.on('Debugger.scriptParsed', (p: { url: string; sourceMapURL?: string }) => {
      this.resolver.registerScript(p.url, p.sourceMapURL || undefined);
    });
    try {
      await this.session.send('Debugger.enable', {}, { timeoutMs: 10_000 });
    } catch (e) {
      this.logger.warn(`could not list scripts for source maps: ${toError(e).message}`);
    } finally {
      subscription.dispose();
      await this.trySend('Debugger.disable');
    }
  }

  private async trySend(method: string, params?: object): Promise<unknown> {
    try {
      return await this.session.send(method, params, { timeoutMs: 3_000 });
    } catch (e) {
      // Optional commands (older Node versions lack some): log and carry on.
      this.logger.debug(`${method} failed: ${toError(e).message}`);
      return undefined;
    }
  }

  private scheduleTick(delayMs: number): void {
    if (this.stopping || this.ended) return;
    this.tickTimer = setTimeout(() => {
      const run = this.tick().catch((e: unknown) => this.logger.error('tick failed', e));
      this.inFlight = run;
      run.finally(() => this.scheduleTick(this.intervalMs)).catch((e: unknown) => this.logger.error('tick scheduling failed', e));
    }, delayMs);
  }

  private scheduleProfile(): void {
    if (this.stopping || this.ended) return;
    // Reading the sampling profile makes V8 run a full GC first (measured: one MarkSweepCompact per
    // read), which stalls the target for as long as the read takes. Keep that under ~5% of the time.
    const delayMs = Math.max(this.profileIntervalMs, 20 * this.lastProfileReadMs);
    this.profileTimer = setTimeout(() => {
      const run = this.readProfile().catch((e: unknown) => this.logger.warn(`heap profile read failed: ${toError(e).message}`));
      run.finally(() => this.scheduleProfile()).catch((e: unknown) => this.logger.error('profile scheduling failed', e));
    }, delayMs);
  }

  private async tick(final = false): Promise<void> {
    if (this.ended || this.capturing) return;
    this.ticks++;
    // Sites every tick (only changed ones travel), verdict and ranking every few ticks.
    const publish = this.ticks % this.reportEveryTicks === 0 && !final;
    const withSites = true;
    let data: ProbeTick | null;
    try {
      data = await evaluate<ProbeTick | null>(this.session, tickExpression(withSites), { timeoutMs: 2_000 });
    } catch (e) {
      if (e instanceof TargetExitedError || this.ended) {
        this.end({ reason: 'target-exited', error: toError(e) });
        return;
      }
      this.addSample({ t: Date.now(), error: toError(e).message });
      return;
    }
    if (data === null) {
      // The watchdog removed the probe (we were away longer than its TTL) or someone replaced it.
      this.logger.warn('probe was gone from the target; installing it again');
      const again = await evaluate<ProbeInstallResult>(this.session, installExpression(this.probeOptions()), { timeoutMs: 5_000 });
      if (again.busy) this.logger.warn(`another Leak Lens watch (process ${again.busy.pid}) took over this process while we were away; its numbers and ours are not comparable`);
      return;
    }
    for (const gc of data.gcs) {
      if (gc.major) {
        this.majorGcs.push({ t: gc.t, usedAfter: gc.usedAfter });
        this.lastPostGc = gc.usedAfter;
      }
    }
    if (this.majorGcs.length > maxSamples) this.majorGcs.splice(0, this.majorGcs.length - maxSamples);
    if (data.sites) this.updateSites(data.t, data.sites);
    const resources = { ...data.resources };
    // FileHandles and listeners are not in getActiveResourcesInfo(); the tracker knows them.
    let fileHandles = 0;
    let fds = 0;
    let listeners = 0;
    for (const site of this.resourceSites.values()) {
      if (site.type === 'FILEHANDLE') fileHandles += site.live;
      else if (site.type === 'FD') fds += site.live;
      else if (site.type === 'listener') listeners += site.live;
    }
    if (fileHandles) resources.FileHandle = fileHandles;
    if (fds) resources.FileDescriptor = fds;
    if (listeners) resources.Listener = listeners;
    this.addSample({
      t: data.t,
      rss: data.rss,
      heapUsed: data.heapUsed,
      heapTotal: data.heapTotal,
      external: data.external,
      arrayBuffers: data.arrayBuffers,
      heapLimit: data.heapLimit,
      postGcHeapUsed: this.lastPostGc,
      resources,
    });
    if (publish) await this.publishReport();
  }

  private addSample(sample: MemorySample): void {
    this.series.push(sample);
    if (this.series.length > maxSamples) this.series.splice(0, this.series.length - maxSamples);
    this.sampleEmitter.fire(sample);
  }

  private updateSites(t: number, sites: ProbeSite[]): void {
    for (const s of sites) {
      let state = this.resourceSites.get(s.id);
      if (!state) {
        if (s.stack === undefined) continue;
        state = { type: s.type, event: s.event, stack: s.stack, live: 0, points: [] };
        this.resourceSites.set(s.id, state);
        for (const frame of parseStack(s.stack)) if (isUserScript(frame.url)) this.scriptsToLoad.add(frame.url);
      }
      state.live = s.live;
    }
    for (const state of this.resourceSites.values()) pushPoint(state.points, { t, v: state.live });
  }

  private async readProfile(): Promise<void> {
    if (this.ended || this.stopping || this.capturing) return;
    const began = Date.now();
    const { profile } = await this.session.send<{ profile: SamplingHeapProfile }>('HeapProfiler.getSamplingProfile', {}, { timeoutMs: 30_000 });
    const t = Date.now();
    this.lastProfileReadMs = t - began;
    const aggregated = aggregateHeapProfile(profile);
    let total = 0;
    const sum = (node: SamplingHeapProfile['head']) => {
      total += node.selfSize;
      for (const child of node.children) sum(child);
    };
    sum(profile.head);
    pushPoint(this.sampledTotal, { t, v: total });
    for (const [key, site] of aggregated) {
      if (!this.heapSites.has(key)) {
        this.heapSites.set(key, { points: [], frame: site.frame, callee: site.callee, via: site.via });
        this.scriptsToLoad.add(site.frame.url);
      }
    }
    for (const [key, state] of this.heapSites) pushPoint(state.points, { t, v: aggregated.get(key)?.bytes ?? 0 });
  }

  private resolveResourceSite(state: ResourceSiteState): SiteSeries[] | null {
    const frames = parseStack(state.stack);
    const userIndex = frames.findIndex((f) => isUserScript(f.url));
    if (userIndex < 0) return null;
    const user = frames[userIndex];
    const location = this.resolver.resolve(user.url, user.line, user.column);
    if (!location) return null;
    let via: string | undefined;
    for (let i = 0; i < userIndex; i++) {
      via = libraryLabel(frames[i].url, frames[i].line);
      if (via) break;
    }
    const userFrames = frames.filter((f) => isUserScript(f.url));
    const stack = userFrames
      .slice(0, 8)
      .map((f) => this.resolver.resolve(f.url, f.line, f.column))
      .filter((l): l is SourceLocation => l !== undefined);
    const kind = kindOf(state.type);
    const resourceType = state.type === 'listener' ? `listener:${state.event ?? '?'}` : state.type;
    const site: SiteSeries = { kind, location, function: user.functionName, via, resourceType, points: state.points, stack };
    const result = [site];
    // A constructor that starts background work is created somewhere: that line (the per-request `new`)
    // is as much the culprit as the line inside the constructor.
    if (user.isConstructor && userFrames.length > 1) {
      const caller = userFrames[1];
      const callerLocation = this.resolver.resolve(caller.url, caller.line, caller.column);
      if (callerLocation) {
        result.push({ ...site, location: callerLocation, function: caller.functionName, via: `new ${user.functionName} at ${location.file}:${location.line}`, weight: 0.97 });
      }
    }
    return result;
  }

  private resolveHeapSite(state: HeapSiteState): SiteSeries | null {
    const path = scriptPath(state.frame.url);
    if (!path) return null;
    const text = this.resolver.text(path);
    let line0 = state.frame.lineNumber;
    let column0 = state.frame.columnNumber;
    if (text !== undefined) {
      line0 = allocationLine(text, state.frame.lineNumber, state.frame.columnNumber, state.callee);
      if (line0 !== state.frame.lineNumber) {
        const lineText = text.split('\n')[line0] ?? '';
        column0 = Math.max(0, lineText.search(/\S/));
      }
    }
    const location = this.resolver.resolve(state.frame.url, line0 + 1, column0 + 1);
    if (!location) return null;
    return { kind: 'heap', location, function: state.frame.functionName || '(anonymous)', via: state.via, points: state.points };
  }

  private candidateSites(): SiteSeries[] {
    const out: SiteSeries[] = [];
    // A site is resolved for good once its scripts are loaded; before that, positions stay unmapped.
    for (const state of this.resourceSites.values()) {
      let resolved = state.resolved;
      if (resolved === undefined) {
        resolved = this.resolveResourceSite(state);
        if (parseStack(state.stack).every((f) => this.resolver.isLoaded(f.url))) state.resolved = resolved;
      }
      if (resolved) for (const s of resolved) out.push({ ...s, points: state.points });
    }
    for (const state of this.heapSites.values()) {
      let resolved = state.resolved;
      if (resolved === undefined) {
        resolved = this.resolveHeapSite(state);
        if (this.resolver.isLoaded(state.frame.url)) state.resolved = resolved;
      }
      if (resolved) out.push({ ...resolved, points: state.points });
    }
    return out;
  }

  private computeReport(): WatchReport {
    const hotspots: Hotspot[] = rankHotspots(this.candidateSites());
    this.lastDetails = withHeapSiteEvidence(computeVerdict(this.series, this.majorGcs, this.limits, this.sampling ? this.sampledTotal : undefined), hotspots);
    return {
      target: this.target,
      durationSeconds: Math.round((Date.now() - this.startedAt) / 100) / 10,
      verdict: this.lastDetails.verdict,
      hotspots,
    };
  }

  /** Reads the scripts and source maps new sites need (bounded, off this thread), before a report resolves them. */
  private async loadScripts(): Promise<void> {
    if (this.scriptsToLoad.size === 0) return;
    const urls = [...this.scriptsToLoad];
    this.scriptsToLoad.clear();
    await this.resolver.preload(urls);
  }

  private async publishReport(): Promise<void> {
    await this.loadScripts();
    if (this.ended) return;
    try {
      this.lastReport = this.computeReport();
      this.reportEmitter.fire(this.lastReport);
    } catch (e) {
      this.logger.error('report failed', e);
    }
  }

  samples(): readonly MemorySample[] {
    return this.series;
  }

  report(): WatchReport {
    if (this.ended && this.lastReport) return this.lastReport;
    this.lastReport = this.computeReport();
    return this.lastReport;
  }

  /** Per-measure trends behind the last verdict (for people who ask "why?"). */
  verdictDetails(): VerdictDetails | undefined {
    return this.lastDetails;
  }

  async detach(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    clearTimeout(this.tickTimer);
    clearTimeout(this.profileTimer);
    await this.inFlight.catch(() => undefined);
    if (!this.ended) {
      if (this.probeInstalled) {
        // A final tick and profile read so the report covers the whole window.
        await this.tick(true).catch((e: unknown) => this.logger.debug(`final tick: ${toError(e).message}`));
        if (this.sampling) await this.readProfile().catch((e: unknown) => this.logger.debug(`final profile: ${toError(e).message}`));
        await this.loadScripts();
        this.lastReport = this.computeReport();
        try {
          await evaluate(this.session, removeExpression, { timeoutMs: 2_000 });
        } catch (e) {
          this.logger.warn(`could not remove the probe (its watchdog will): ${toError(e).message}`);
        }
      }
      if (this.sampling) await this.trySend('HeapProfiler.stopSampling');
      // Ended before closing the inspector: its socket dropping is then not mistaken for an exit.
      this.end({ reason: 'detached' });
      if (this.openedInspector) {
        // We opened this inspector with SIGUSR1; leave the process as we found it. Our socket drops with it.
        await closeInspectorThrough(this.session, this.logger);
      }
    }
    await this.session.close().catch((e: unknown) => this.logger.debug(`close: ${toError(e).message}`));
  }

  private end(end: WatchEnd): void {
    if (this.ended) return;
    if (!this.lastReport) {
      try {
        this.lastReport = this.computeReport();
      } catch (e) {
        this.logger.error('final report failed', e);
      }
    }
    this.ended = true;
    this.stopping = true;
    clearTimeout(this.tickTimer);
    clearTimeout(this.profileTimer);
    this.disposables.dispose();
    this.endEmitter.fire(end);
    this.sampleEmitter.dispose();
    this.reportEmitter.dispose();
    this.endEmitter.dispose();
  }
}
