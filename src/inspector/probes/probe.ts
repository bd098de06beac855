/**
 * The probe: self-contained JavaScript source that Leak Lens evaluates inside the target. It is a
 * string (not a compiled function) so that what tests run is byte for byte what is sent, and no
 * bundler helper can sneak in. It must not use backquotes or dollar-brace sequences.
 *
 * Installed once per watch under `globalThis[Symbol.for('leaklens.probe.v1')]`, it offers:
 * - `tick(withSites)`: one combined sample (memoryUsage, heap limit, active resources by type, GCs
 *   since the previous tick with the exact heap size after each, from v8.GCProfiler), plus the
 *   creation sites when asked. Calling it is also the heartbeat.
 * - creation-site tracking (optional): an async_hooks hook that filters by resource type *before*
 *   capturing a stack (stacks for TickObject/Immediate would cost ×10), formats stacks only for
 *   resources still alive at a report, and counts live resources per creation stack (destroy hook); a patch of EventEmitter.prototype.addListener that captures the
 *   stack only once an emitter already has many listeners for the event; a patch of
 *   fs/promises.open, because FileHandles carry no user frame in async_hooks, and of fs.open/openSync/
 *   close/closeSync for plain descriptors (and the streams built on them).
 * - `remove()`: undoes all of it. A watchdog removes the probe by itself when no tick arrived for
 *   `ttlMs`, so a watcher that dies leaves nothing running.
 */

/** The global key; a tick finds the probe through it. */
export const probeKey = 'leaklens.probe.v1';

/** Options the probe is installed with (serialised into the installing expression). */
export interface ProbeOptions {
  trackCreationSites: boolean;
  ttlMs: number;
  /** Listener adds on an emitter/event that already has this many listeners get a stack. */
  listenerThreshold: number;
  stackTraceLimit: number;
  /** Resource stacks captured per second before sampling (weighted) sets in; default 50. */
  stackBudgetPerSecond?: number;
  /** Who installs it: a live probe of another owner is left alone and reported as `busy`. */
  owner?: ProbeOwner;
  /** The watcher opened the inspector (SIGUSR1): when the watchdog removes the probe, close it too. */
  closeInspectorOnExpiry?: boolean;
}

/** The watcher a probe belongs to. */
export interface ProbeOwner {
  id: string;
  pid: number;
  /** Epoch ms the watch began. */
  since: number;
}

/** What installing returns. */
export interface ProbeInstallResult {
  /** Set when another watcher's probe is alive in the target; nothing was installed. */
  busy?: ProbeOwner;
  gcSource: 'gc-profiler' | 'performance-observer';
  /** The size the JS heap dies at: the old generation's maximum (see `heapLimit` in the probe). */
  heapLimit: number;
  cgroupLimitBytes?: number;
  constrainedMemoryBytes?: number;
  tracking: boolean;
}

/** One GC seen by the probe: heap used right after it, and whether it was a full (mark-sweep) GC. */
export interface ProbeGc {
  t: number;
  major: boolean;
  usedAfter: number;
}

/** A creation site: sent in full once, then as id + counts. */
export interface ProbeSite {
  id: number;
  /** async_hooks type ("Timeout", "TCPWRAP", …), "FILEHANDLE" or "listener". */
  type: string;
  /** Error().stack text, only the first time the site is reported. */
  stack?: string;
  /** For listener sites: the event name. */
  event?: string;
  live: number;
  created: number;
}

export interface ProbeTick {
  t: number;
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  heapLimit: number;
  resources: Record<string, number>;
  gcs: ProbeGc[];
  sites?: ProbeSite[];
  /** Live resource ids the tracker dropped because its table was full. */
  dropped?: number;
}

/** The probe source: an expression evaluating to a function `(options) => ProbeInstallResult`. */
export const probeSource = String.raw`(function leakLensProbe(options) {
  'use strict';
  var KEY = Symbol.for('leaklens.probe.v1');
  var previous = globalThis[KEY];
  if (previous && typeof previous.remove === 'function') {
    // Two watchers would corrupt each other (one stops the heap sampler the other reads): a live
    // probe of another owner stays, and the installer is told whose it is.
    var otherOwner = previous.owner && options.owner && previous.owner.id !== options.owner.id;
    if (otherOwner && typeof previous.alive === 'function' && previous.alive()) return { busy: previous.owner };
    previous.remove();
  }
  var load = function (name) {
    return typeof process.getBuiltinModule === 'function' ? process.getBuiltinModule(name) : require(name);
  };
  var v8 = load('v8');
  var fs = load('fs');
  var asyncHooks = load('async_hooks');
  var perfHooks = load('perf_hooks');
  var events = load('events');
  var cleanups = [];
  var removed = false;
  var lastBeat = Date.now();

  // ---- GC observation (never forces a GC) ----
  var gcs = [];
  var gcSource;
  var profiler;
  if (typeof v8.GCProfiler === 'function') {
    gcSource = 'gc-profiler';
    profiler = new v8.GCProfiler();
    profiler.start();
    var drainProfiler = function () {
      var data = profiler.stop();
      profiler.start();
      var now = Date.now();
      var stats = (data && data.statistics) || [];
      for (var i = 0; i < stats.length; i++) {
        var s = stats[i];
        gcs.push({ t: now, major: s.gcType === 'MarkSweepCompact', usedAfter: s.afterGC.heapStatistics.usedHeapSize });
      }
    };
    cleanups.push(function () { try { profiler.stop(); } catch (e) { /* already stopped */ } });
  } else {
    gcSource = 'performance-observer';
    var majorKind = perfHooks.constants.NODE_PERFORMANCE_GC_MAJOR;
    var observer = new perfHooks.PerformanceObserver(function (list) {
      var entries = list.getEntries();
      for (var i = 0; i < entries.length; i++) {
        var kind = entries[i].detail ? entries[i].detail.kind : entries[i].kind;
        // The callback runs after the GC: the size read here is approximate.
        gcs.push({ t: Date.now(), major: kind === majorKind, usedAfter: v8.getHeapStatistics().used_heap_size });
      }
    });
    observer.observe({ entryTypes: ['gc'] });
    cleanups.push(function () { observer.disconnect(); });
  }

  // ---- limits, read once ----
  function cgroupLimit() {
    var candidates = [];
    try {
      var lines = fs.readFileSync('/proc/self/cgroup', 'utf8').split('\n');
      for (var i = 0; i < lines.length; i++) {
        var parts = lines[i].split(':');
        if (parts.length < 3) continue;
        var path = parts.slice(2).join(':');
        if (parts[0] === '0' && parts[1] === '') {
          candidates.push('/sys/fs/cgroup' + path + '/memory.max', '/sys/fs/cgroup/memory.max');
        } else if (parts[1].split(',').indexOf('memory') >= 0) {
          candidates.push('/sys/fs/cgroup/memory' + path + '/memory.limit_in_bytes', '/sys/fs/cgroup/memory/memory.limit_in_bytes');
        }
      }
    } catch (e) { return undefined; }
    var min;
    for (var j = 0; j < candidates.length; j++) {
      try {
        var text = fs.readFileSync(candidates[j], 'utf8').trim();
        var n = Number(text);
        // "max" (v2) and 2^63-ish (v1) mean no limit.
        if (text !== 'max' && n > 0 && n < Math.pow(2, 60) && (min === undefined || n < min)) min = n;
      } catch (e) { /* not this cgroup version */ }
    }
    return min;
  }
  // The heap dies when the old generation cannot grow: heap_size_limit also counts the young
  // generation (3 semi-spaces), which never holds what leaks. --max-old-space-size=64 gives a
  // heap_size_limit of 112 MB on Node 20 and 256 MB on Node 24 (measured): the old limit is 64 MB.
  function v8Flag(names) {
    var args = (process.execArgv || []).concat(String(process.env.NODE_OPTIONS || '').split(/\s+/));
    for (var i = 0; i < args.length; i++) {
      var m = /^--([a-z_-]+)(?:=(\d+))?$/.exec(args[i]);
      if (!m || names.indexOf(m[1].replace(/_/g, '-')) < 0) continue;
      var v = m[2] !== undefined ? Number(m[2]) : Number(args[i + 1]);
      if (v > 0) return v * 1024 * 1024;
    }
    return undefined;
  }
  function oldSpaceLimit() {
    var total = v8.getHeapStatistics().heap_size_limit;
    var old = v8Flag(['max-old-space-size']);
    if (old !== undefined && old < total) return old;
    var semi = v8Flag(['max-semi-space-size']);
    // Default young generation, measured: 48 MB on V8 11 (Node 20), 192 MB on V8 12+ (Node 24).
    var young = semi !== undefined ? 3 * semi : (Number(String(process.versions.v8).split('.')[0]) >= 12 ? 192 : 48) * 1024 * 1024;
    return young < total / 2 ? total - young : total;
  }
  var heapLimit = oldSpaceLimit();
  var constrained;
  if (typeof process.constrainedMemory === 'function') {
    var c = process.constrainedMemory();
    if (c > 0 && c < Math.pow(2, 60)) constrained = c;
  }

  // ---- creation sites ----
  var sites = new Map();
  var siteList = [];
  var liveIds = new Map();
  var pending = new Map();
  var stackBudgetPerSecond = options.stackBudgetPerSecond || 50;
  var seenThisSecond = 0;
  var stride = 1;
  var strideCounter = 0;
  function flushPending() {
    pending.forEach(function (holder, asyncId) {
      var site = siteFor(holder.type, String(holder.stack));
      if (site === undefined) return;
      site.live += holder.weight;
      site.created += holder.weight;
      liveIds.set(asyncId, { site: site, weight: holder.weight });
    });
    pending.clear();
  }
  var maxLiveIds = 500000;
  var maxSites = 5000;
  var dropped = 0;
  var ownIds = new Set();
  var TYPES = new Set(['Timeout', 'FILEHANDLE', 'TCPWRAP', 'TCPSERVERWRAP', 'PIPEWRAP', 'PIPESERVERWRAP', 'TLSWRAP',
    'FSEVENTWRAP', 'STATWATCHER', 'PROCESSWRAP', 'UDPWRAP', 'WORKER', 'MESSAGEPORT', 'ZLIB', 'HTTPCLIENTREQUEST',
    'SIGNALWRAP', 'DNSCHANNEL']);
  function captureStack(skip) {
    var holder = {};
    var limit = Error.stackTraceLimit;
    Error.stackTraceLimit = options.stackTraceLimit;
    Error.captureStackTrace(holder, skip);
    Error.stackTraceLimit = limit;
    return String(holder.stack);
  }
  function siteFor(type, stack, event) {
    var key = type + '\n' + (event === undefined ? '' : String(event)) + '\n' + stack;
    var site = sites.get(key);
    if (site === undefined) {
      if (siteList.length >= maxSites) return undefined;
      site = { id: siteList.length + 1, type: type, stack: stack, event: event === undefined ? undefined : String(event),
        live: 0, created: 0, sent: false, handles: undefined, emitters: undefined, fns: undefined };
      sites.set(key, site);
      siteList.push(site);
    }
    return site;
  }
  var hook;
  var restoreListeners;
  var restoreOpen;
  function installTracking() {
    // Capturing a stack is cheap; formatting it (reading .stack) is what costs. Most tracked resources
    // (a socket's per-request timeout, a request's timer) are gone before the next report, so a stack
    // is only formatted for resources still alive when sites are reported.
    hook = asyncHooks.createHook({
      init: function init(asyncId, type) {
        if (!TYPES.has(type) || removed) return;
        seenThisSecond++;
        // Above the budget only every stride-th resource gets a stack, weighted by the stride, so
        // a busy server's per-request socket timeouts do not pay for a stack each.
        if (stride > 1 && ++strideCounter % stride !== 0) return;
        if (liveIds.size + pending.size >= maxLiveIds) { dropped++; return; }
        var holder = { type: type, weight: stride };
        var limit = Error.stackTraceLimit;
        Error.stackTraceLimit = options.stackTraceLimit;
        Error.captureStackTrace(holder, init);
        Error.stackTraceLimit = limit;
        pending.set(asyncId, holder);
      },
      destroy: function destroy(asyncId) {
        if (pending.delete(asyncId)) return;
        var entry = liveIds.get(asyncId);
        if (entry !== undefined) {
          entry.site.live -= entry.weight;
          liveIds.delete(asyncId);
        }
      }
    });
    hook.enable();
    cleanups.push(function () { hook.disable(); liveIds.clear(); pending.clear(); });

    // Listeners are not async resources. Capture a stack only when an emitter already holds many
    // listeners for the event, so ordinary per-socket listeners cost one comparison.
    var proto = events.EventEmitter.prototype;
    var originalAdd = proto.addListener;
    var originalOn = proto.on;
    var originalPrepend = proto.prependListener;
    function recordListener(emitter, event, listener, skip) {
      var count = typeof emitter.listenerCount === 'function' ? emitter.listenerCount(event) : 0;
      if (count < options.listenerThreshold) return;
      var site = siteFor('listener', captureStack(skip), event);
      if (site === undefined) return;
      site.created++;
      if (site.fns === undefined) { site.fns = new WeakSet(); site.emitters = []; }
      site.fns.add(listener);
      var known = false;
      for (var i = 0; i < site.emitters.length; i++) {
        if (site.emitters[i].ref.deref() === emitter && site.emitters[i].event === event) { known = true; break; }
      }
      if (!known && site.emitters.length < 20) site.emitters.push({ ref: new WeakRef(emitter), event: event });
    }
    var wrappedAdd = function addListener(event, listener) {
      if (!removed) recordListener(this, event, listener, wrappedAdd);
      return originalAdd.apply(this, arguments);
    };
    var wrappedOn = function on(event, listener) {
      if (!removed) recordListener(this, event, listener, wrappedOn);
      return originalOn.apply(this, arguments);
    };
    var wrappedPrepend = function prependListener(event, listener) {
      if (!removed) recordListener(this, event, listener, wrappedPrepend);
      return originalPrepend.apply(this, arguments);
    };
    proto.addListener = wrappedAdd;
    proto.on = wrappedOn;
    proto.prependListener = wrappedPrepend;
    restoreListeners = function () {
      // Only put the originals back if nobody patched over us meanwhile.
      if (proto.addListener === wrappedAdd) proto.addListener = originalAdd;
      if (proto.on === wrappedOn) proto.on = originalOn;
      if (proto.prependListener === wrappedPrepend) proto.prependListener = originalPrepend;
    };
    cleanups.push(restoreListeners);

    // EventTarget (AbortSignal!) listeners cannot be enumerated, so count adds and removes ourselves,
    // per target and type, and take a stack once a target already holds many for the type.
    if (typeof EventTarget === 'function') {
      var etProto = EventTarget.prototype;
      var originalAddEvent = etProto.addEventListener;
      var originalRemoveEvent = etProto.removeEventListener;
      var etCounts = new WeakMap();
      var etSiteOf = new WeakMap();
      var wrappedAddEvent = function addEventListener(type, listener) {
        if (!removed && listener) {
          var perType = etCounts.get(this);
          if (perType === undefined) { perType = new Map(); etCounts.set(this, perType); }
          var count = perType.get(type) || 0;
          perType.set(type, count + 1);
          if (count >= options.listenerThreshold && !etSiteOf.has(listener)) {
            var site = siteFor('listener', captureStack(wrappedAddEvent), type);
            if (site !== undefined) {
              site.created++;
              site.live++;
              etSiteOf.set(listener, site);
            }
          }
        }
        return originalAddEvent.apply(this, arguments);
      };
      var wrappedRemoveEvent = function removeEventListener(type, listener) {
        if (!removed && listener) {
          var perType = etCounts.get(this);
          if (perType !== undefined && perType.get(type) > 0) perType.set(type, perType.get(type) - 1);
          var site = etSiteOf.get(listener);
          if (site !== undefined) { site.live--; etSiteOf.delete(listener); }
        }
        return originalRemoveEvent.apply(this, arguments);
      };
      etProto.addEventListener = wrappedAddEvent;
      etProto.removeEventListener = wrappedRemoveEvent;
      cleanups.push(function () {
        if (etProto.addEventListener === wrappedAddEvent) etProto.addEventListener = originalAddEvent;
        if (etProto.removeEventListener === wrappedRemoveEvent) etProto.removeEventListener = originalRemoveEvent;
      });
    }

    // FileHandles: async_hooks sees them with no user frame, so wrap fs/promises.open.
    var fsp = load('fs/promises');
    var originalOpen = fsp.open;
    var wrappedOpen = function open() {
      var site = removed ? undefined : siteFor('FILEHANDLE', captureStack(wrappedOpen));
      var promise = originalOpen.apply(this, arguments);
      if (site === undefined) return promise;
      return promise.then(function (handle) {
        site.created++;
        patchClose(Object.getPrototypeOf(handle));
        if (site.handles === undefined) site.handles = [];
        // A handle the program never closes counts as leaked even after GC closed it for us (with a
        // warning): that is the bug, and under load it runs the process out of descriptors.
        var entry = { ref: new WeakRef(handle), closed: false };
        openEntries.set(handle, entry);
        if (site.handles.length < 100000) site.handles.push(entry);
        return handle;
      });
    };
    var openEntries = new WeakMap();
    var handleProto;
    var originalClose;
    var wrappedClose = function close() {
      var entry = openEntries.get(this);
      if (entry !== undefined) entry.closed = true;
      return originalClose.apply(this, arguments);
    };
    function patchClose(proto) {
      if (handleProto !== undefined || !proto || typeof proto.close !== 'function') return;
      handleProto = proto;
      originalClose = proto.close;
      proto.close = wrappedClose;
      cleanups.push(function () { if (handleProto.close === wrappedClose) handleProto.close = originalClose; });
    }
    fsp.open = wrappedOpen;
    // Plain descriptors (fs.open / fs.openSync, and the streams built on them) are no async resource
    // at all: remember who opened each fd until fs.close / fs.closeSync releases it.
    var openFds = new Map();
    var fdPatches = [];
    function patchFs(name, make) {
      var original = fs[name];
      if (typeof original !== 'function') return;
      var wrapped = make(original);
      fs[name] = wrapped;
      fdPatches.push(function () { if (fs[name] === wrapped) fs[name] = original; });
    }
    function trackFd(fd, stack) {
      if (typeof fd !== 'number' || removed) return;
      var site = siteFor('FD', stack);
      if (site === undefined) return;
      site.created++;
      site.live++;
      var previous = openFds.get(fd);
      if (previous !== undefined) previous.live--;
      openFds.set(fd, site);
    }
    function releaseFd(fd) {
      var site = openFds.get(fd);
      if (site !== undefined) {
        site.live--;
        openFds.delete(fd);
      }
    }
    patchFs('open', function (original) {
      var wrapped = function open() {
        var args = Array.prototype.slice.call(arguments);
        var callback = args[args.length - 1];
        if (removed || typeof callback !== 'function') return original.apply(this, arguments);
        var stack = captureStack(wrapped);
        args[args.length - 1] = function (err, fd) {
          if (!err) trackFd(fd, stack);
          return callback.apply(this, arguments);
        };
        return original.apply(this, args);
      };
      return wrapped;
    });
    // A file stream opens its descriptor on a later tick (in _construct), where no user frame is on the
    // stack: the line that created the stream is the creation site, so its fd moves there on 'open'.
    function retagFd(fd, stack) {
      var from = openFds.get(fd);
      if (from === undefined || removed) return;
      from.live--;
      from.created--;
      openFds.delete(fd);
      trackFd(fd, stack);
    }
    ['createReadStream', 'createWriteStream'].forEach(function (name) {
      patchFs(name, function (original) {
        var wrapped = function () {
          var stream = original.apply(this, arguments);
          if (!removed && stream && typeof stream.once === 'function' && typeof stream.fd !== 'number') {
            var stack = captureStack(wrapped);
            stream.once('open', function (fd) { retagFd(fd, stack); });
          }
          return stream;
        };
        return wrapped;
      });
    });
    patchFs('openSync', function (original) {
      var wrapped = function openSync() {
        var fd = original.apply(this, arguments);
        if (!removed) trackFd(fd, captureStack(wrapped));
        return fd;
      };
      return wrapped;
    });
    patchFs('close', function (original) {
      return function close(fd) {
        releaseFd(fd);
        return original.apply(this, arguments);
      };
    });
    patchFs('closeSync', function (original) {
      return function closeSync(fd) {
        releaseFd(fd);
        return original.apply(this, arguments);
      };
    });
    cleanups.push(function () { for (var i = 0; i < fdPatches.length; i++) fdPatches[i](); openFds.clear(); });

    var moduleApi = load('module');
    // ESM named imports of node:fs/promises only see the patch after this.
    if (typeof moduleApi.syncBuiltinESMExports === 'function') moduleApi.syncBuiltinESMExports();
    restoreOpen = function () {
      if (fsp.open === wrappedOpen) fsp.open = originalOpen;
      if (typeof moduleApi.syncBuiltinESMExports === 'function') moduleApi.syncBuiltinESMExports();
    };
    cleanups.push(restoreOpen);
  }

  function liveOf(site) {
    if (site.handles !== undefined) {
      var alive = [];
      for (var i = 0; i < site.handles.length; i++) {
        if (!site.handles[i].closed) alive.push(site.handles[i]);
      }
      site.handles = alive;
      return alive.length;
    }
    if (site.emitters !== undefined) {
      var n = 0;
      var kept = [];
      for (var j = 0; j < site.emitters.length; j++) {
        var entry = site.emitters[j];
        var emitter = entry.ref.deref();
        if (emitter === undefined) continue;
        kept.push(entry);
        var listeners = emitter.rawListeners(entry.event);
        for (var k = 0; k < listeners.length; k++) {
          var f = listeners[k];
          if (site.fns.has(f) || (f && site.fns.has(f.listener))) n++;
        }
      }
      site.emitters = kept;
      return n;
    }
    return site.live;
  }

  function tick(withSites) {
    lastBeat = Date.now();
    if (profiler !== undefined) drainProfiler();
    var mem = process.memoryUsage();
    var resources = {};
    if (typeof process.getActiveResourcesInfo === 'function') {
      var info = process.getActiveResourcesInfo();
      for (var i = 0; i < info.length; i++) resources[info[i]] = (resources[info[i]] || 0) + 1;
    }
    var out = { t: Date.now(), rss: mem.rss, heapUsed: mem.heapUsed, heapTotal: mem.heapTotal, external: mem.external,
      arrayBuffers: mem.arrayBuffers, heapLimit: heapLimit, resources: resources, gcs: gcs };
    gcs = [];
    if (withSites && hook !== undefined) {
      flushPending();
      var list = [];
      for (var s = 0; s < siteList.length; s++) {
        var site = siteList[s];
        var live = liveOf(site);
        if (site.sent && live === site.lastLive && site.created === site.lastCreated) continue;
        list.push({ id: site.id, type: site.type, stack: site.sent ? undefined : site.stack, event: site.event, live: live, created: site.created });
        site.sent = true;
        site.lastLive = live;
        site.lastCreated = site.created;
      }
      out.sites = list;
      out.dropped = dropped;
    }
    return out;
  }

  function remove() {
    if (removed) return false;
    removed = true;
    for (var i = cleanups.length - 1; i >= 0; i--) {
      try { cleanups[i](); } catch (e) { /* keep removing the rest */ }
    }
    if (globalThis[KEY] === api) delete globalThis[KEY];
    return true;
  }

  // The watchdog timer exists before the hook, so it is never tracked as a site itself.
  var watchdog = setInterval(function () {
    if (Date.now() - lastBeat > options.ttlMs && remove() && options.closeInspectorOnExpiry) {
      // Our watcher opened this inspector and died without closing it: leave the process as we found it.
      try { load('inspector').close(); } catch (e) { /* already closed */ }
    }
    stride = Math.max(1, Math.ceil(seenThisSecond / stackBudgetPerSecond));
    seenThisSecond = 0;
  }, Math.min(1000, options.ttlMs));
  watchdog.unref();
  cleanups.push(function () { clearInterval(watchdog); });

  if (options.trackCreationSites) installTracking();
  var alive = function () { return !removed && Date.now() - lastBeat <= options.ttlMs; };
  var api = { tick: tick, remove: remove, alive: alive, owner: options.owner, version: 1 };
  Object.defineProperty(globalThis, KEY, { value: api, configurable: true, enumerable: false, writable: true });
  return { gcSource: gcSource, heapLimit: heapLimit, cgroupLimitBytes: cgroupLimit(),
    constrainedMemoryBytes: constrained, tracking: hook !== undefined };
})`;

/** The expression that installs the probe with `options`. */
export function installExpression(options: ProbeOptions): string {
  return `${probeSource}(${JSON.stringify(options)})`;
}

/** The expression for one tick; it evaluates to null when the probe is gone (watchdog, or replaced). */
export function tickExpression(withSites: boolean): string {
  return `(function () { var p = globalThis[Symbol.for(${JSON.stringify(probeKey)})]; return p ? p.tick(${withSites}) : null; })()`;
}

/** The expression that closes the target's inspector (one we opened with SIGUSR1); our session drops with it. */
export const closeInspectorExpression = "(process.getBuiltinModule ? process.getBuiltinModule('inspector') : require('inspector')).close()";

/** The expression that removes the probe; evaluates to true when one was removed. */
export const removeExpression = `(function () { var p = globalThis[Symbol.for(${JSON.stringify(probeKey)})]; return p ? p.remove() : false; })()`;

/** The expression tests use to see whether anything of ours is left in the target. */
export const presenceExpression = `(function () {
  var events = (typeof process.getBuiltinModule === 'function' ? process.getBuiltinModule('events') : require('events'));
  var proto = events.EventEmitter.prototype;
  return { global: globalThis[Symbol.for(${JSON.stringify(probeKey)})] !== undefined,
    addListenerPatched: String(proto.addListener).indexOf('recordListener') >= 0 || String(proto.on).indexOf('recordListener') >= 0
      || String(EventTarget.prototype.addEventListener).indexOf('captureStack') >= 0,
    openPatched: String((typeof process.getBuiltinModule === 'function' ? process.getBuiltinModule('fs/promises') : require('fs/promises')).open).indexOf('captureStack') >= 0
      || String((typeof process.getBuiltinModule === 'function' ? process.getBuiltinModule('fs') : require('fs')).open).indexOf('captureStack') >= 0 };
})()`;
