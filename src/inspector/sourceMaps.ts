/**
 * Turning what the target reports (script URLs or paths, generated positions) into the user's source:
 * absolute file paths, 1-based lines, mapped through source maps (external files and inline data:
 * URLs) to the original .ts when a map exists. Scripts' source-map URLs come from
 * Debugger.scriptParsed; scripts we never saw there are checked for a `sourceMappingURL` comment.
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { TraceMap, originalPositionFor } from '@jridgewell/trace-mapping';
import type { SourceLocation } from '../core/report';

/** A script URL (file:// or a bare path, as CJS frames give) as an absolute path, or undefined when it is not a file. */
export function scriptPath(url: string): string | undefined {
  if (!url) return undefined;
  if (url.startsWith('file://')) {
    try {
      return fileURLToPath(url);
    } catch {
      return undefined;
    }
  }
  return isAbsolute(url) ? url : undefined;
}

/** True for frames in the user's own code: not node internals, not node_modules, not evaluated code. */
export function isUserScript(url: string): boolean {
  const path = scriptPath(url);
  return path !== undefined && !/[\\/]node_modules[\\/]/.test(path);
}

/** "pkg/lib/file.js:61" for a frame inside node_modules, for the `via` field. */
export function libraryLabel(url: string, line1: number): string | undefined {
  const path = scriptPath(url);
  if (!path) return undefined;
  const m = /[\\/]node_modules[\\/](.*)$/.exec(path);
  return m ? `${m[1].replace(/\\/g, '/').replace(/^.*[\\/]node_modules[\\/]/, '')}:${line1}` : undefined;
}

/** Scripts and maps bigger than this are not read: a file this big is not one we could map anyway. */
export const maxSourceFileBytes = 64 * 1024 * 1024;
const readTimeoutMs = 3_000;

/**
 * The text of a regular file of at most `maxBytes`, read off the calling thread (libuv's pool) within
 * `timeoutMs`; undefined for anything else. A sourceMappingURL can name a FIFO, /dev/zero or a file on
 * a hung mount: opened non-blocking and checked with fstat, none of them can stall the caller.
 */
export async function readRegularFile(path: string, maxBytes = maxSourceFileBytes, timeoutMs = readTimeoutMs): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const controller = new AbortController();
  const read = async (): Promise<string | undefined> => {
    const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const stat = await handle.stat();
      if (!stat.isFile() || stat.size > maxBytes) return undefined;
      return await handle.readFile({ encoding: 'utf8', signal: controller.signal });
    } finally {
      await handle.close();
    }
  };
  const timedOut = new Promise<undefined>((done) => {
    timer = setTimeout(() => {
      controller.abort();
      done(undefined);
    }, timeoutMs);
  });
  try {
    return await Promise.race([read(), timedOut]);
  } catch {
    // Missing, unreadable, aborted: positions stay unmapped.
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

interface Loaded {
  text?: string;
  map?: TraceMap | null;
}

/**
 * File texts and source maps for one watch. Reading is asynchronous and bounded ({@link preload});
 * resolving is synchronous and uses only what was loaded, so it never blocks its thread.
 */
export class SourceResolver {
  private readonly mapUrls = new Map<string, string>();
  private readonly files = new Map<string, Loaded>();
  private readonly loading = new Map<string, Promise<void>>();

  /** Remembers the source map a script announced in Debugger.scriptParsed. */
  registerScript(url: string, sourceMapURL: string | undefined): void {
    const path = scriptPath(url);
    if (path && sourceMapURL) this.mapUrls.set(path, sourceMapURL);
  }

  /** Reads the scripts behind `urls` and their source maps, once each. Never rejects. */
  async preload(urls: Iterable<string>): Promise<void> {
    const waits: Array<Promise<void>> = [];
    for (const url of urls) {
      const path = scriptPath(url);
      if (!path || this.files.has(path)) continue;
      let pending = this.loading.get(path);
      if (!pending) {
        pending = this.loadFile(path).finally(() => this.loading.delete(path));
        this.loading.set(path, pending);
      }
      waits.push(pending);
    }
    await Promise.all(waits);
  }

  /** True when `url`'s script was loaded (or found unreadable): resolving it is then final. */
  isLoaded(url: string): boolean {
    const path = scriptPath(url);
    return path === undefined || this.files.has(path);
  }

  /** The text of a loaded local script, or undefined when it was not loaded or cannot be read. */
  text(path: string): string | undefined {
    return this.files.get(path)?.text;
  }

  private async loadFile(path: string): Promise<void> {
    const loaded: Loaded = { text: await readRegularFile(path), map: null };
    let mapUrl = this.mapUrls.get(path);
    if (!mapUrl && loaded.text) {
      const m = /\/\/[#@]\s*sourceMappingURL=(\S+)\s*$/.exec(loaded.text.slice(-100_000).trimEnd());
      if (m) mapUrl = m[1];
    }
    if (mapUrl) {
      try {
        let json: string | undefined;
        let base: string;
        if (mapUrl.startsWith('data:')) {
          const comma = mapUrl.indexOf(',');
          const meta = mapUrl.slice(5, comma);
          const payload = mapUrl.slice(comma + 1);
          json = meta.endsWith(';base64') ? Buffer.from(payload, 'base64').toString('utf8') : decodeURIComponent(payload);
          base = pathToFileURL(path).href;
        } else {
          const mapPath = mapUrl.startsWith('file://') ? fileURLToPath(mapUrl) : resolve(dirname(path), mapUrl);
          json = await readRegularFile(mapPath);
          base = pathToFileURL(mapPath).href;
        }
        if (json !== undefined) loaded.map = new TraceMap(json, base);
      } catch {
        // A broken map: report the generated position rather than nothing.
        loaded.map = null;
      }
    }
    this.files.set(path, loaded);
  }

  /**
   * The user-facing location of a generated position (1-based line and column). Returns the
   * original source position when the script has a usable source map.
   */
  resolve(url: string, line1: number, column1: number): SourceLocation | undefined {
    const path = scriptPath(url);
    if (!path) return undefined;
    const map = this.files.get(path)?.map;
    if (map) {
      const original = originalPositionFor(map, { line: line1, column: Math.max(0, column1 - 1) });
      if (original.source && original.line !== null) {
        const file = original.source.startsWith('file://') ? fileURLToPath(original.source) : resolve(dirname(path), original.source);
        return { file, line: original.line, column: (original.column ?? 0) + 1 };
      }
    }
    return { file: path, line: line1, column: column1 };
  }
}

/** One frame of a V8 stack trace string. Line and column are 1-based. */
export interface StackFrame {
  functionName: string;
  url: string;
  line: number;
  column: number;
  isConstructor: boolean;
}

/** Parses the "    at …" lines of an Error().stack. Frames without a position are skipped. */
export function parseStack(stack: string): StackFrame[] {
  const frames: StackFrame[] = [];
  for (const raw of stack.split('\n')) {
    const line = raw.trim();
    if (!line.startsWith('at ')) continue;
    let body = line.slice(3);
    let functionName = '';
    const paren = /^(.*?) \((.*)\)$/.exec(body);
    if (paren) {
      functionName = paren[1];
      body = paren[2];
    }
    const pos = /^(.*):(\d+):(\d+)$/.exec(body);
    if (!pos) continue;
    const isConstructor = functionName.startsWith('new ');
    functionName = functionName.replace(/^async /, '').replace(/^new /, '').replace(/ \[as [^\]]+\]$/, '');
    frames.push({ functionName: functionName || '(anonymous)', url: pos[1], line: Number(pos[2]), column: Number(pos[3]), isConstructor });
  }
  return frames;
}
