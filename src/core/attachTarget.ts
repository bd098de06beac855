/**
 * What the user typed into "Enter port or ws URL…" / "Attach by PID…", or passed as command
 * arguments, turned into attach options. Pure, so the rules are tested without VS Code.
 */

/** Where to attach; the same fields as the inspector's AttachOptions. */
export interface AttachTarget {
  port?: number;
  host?: string;
  url?: string;
  pid?: number;
}

/** A parse result: the target, or a message saying what was expected. */
export type ParsedAttachTarget = { ok: AttachTarget } | { error: string };

function validPort(n: number): boolean {
  return Number.isInteger(n) && n > 0 && n < 65536;
}

/**
 * Parses `9229`, `host:9229`, `[::1]:9229`, `ws://host:port/uuid` or `http://host:port` (the
 * inspector's /json endpoint base). Returns an error message for anything else.
 */
export function parseAddress(input: string): ParsedAttachTarget {
  const text = input.trim();
  if (!text) return { error: 'Enter a port (9229), host:port (127.0.0.1:9229) or a ws:// URL.' };
  if (/^wss?:\/\//i.test(text)) {
    try {
      const url = new URL(text);
      if (!url.port && !url.hostname) throw new Error('no host');
      return { ok: { url: text } };
    } catch {
      return { error: `"${text}" is not a valid WebSocket URL.` };
    }
  }
  if (/^https?:\/\//i.test(text)) {
    try {
      const url = new URL(text);
      const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
      return { ok: { host: url.hostname.replace(/^\[|\]$/g, ''), port } };
    } catch {
      return { error: `"${text}" is not a valid URL.` };
    }
  }
  if (/^\d+$/.test(text)) {
    const port = Number(text);
    return validPort(port) ? { ok: { port } } : { error: `${text} is not a port number (1–65535).` };
  }
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(text) ?? /^([^:\s]+):(\d+)$/.exec(text);
  if (m) {
    const port = Number(m[2]);
    if (!validPort(port)) return { error: `${m[2]} is not a port number (1–65535).` };
    return { ok: { host: m[1], port } };
  }
  return { error: `"${text}" is not a port, host:port or ws:// URL.` };
}

/** Parses a process id. */
export function parsePid(input: string): ParsedAttachTarget {
  const text = input.trim();
  if (!/^\d+$/.test(text) || Number(text) <= 0) return { error: 'Enter the numeric process id (PID) of a running Node.js process.' };
  return { ok: { pid: Number(text) } };
}

/** Where to attach plus the remote switch, as the CLI's attach flags give them. */
export type AttachFlags = AttachTarget & { allowRemote?: boolean };

/** The attach flags' help lines, shared by every CLI command that attaches. */
export const attachFlagsHelp = `  --port N          inspector port (the process runs with --inspect=127.0.0.1:N)
  --host H          inspector host (default 127.0.0.1; other machines need --allow-remote)
  --url ws://…      inspector WebSocket URL (from "Debugger listening on ws://…")
  --pid N           a local Node process started without --inspect: opens its inspector (SIGUSR1)
  --allow-remote    allow a non-loopback host (the inspector runs any code it is sent)
`;

/**
 * Applies one command-line flag to `target` when it is an attach flag (--port, --host, --url, --pid,
 * --allow-remote): true when applied, false when it is not an attach flag, or the problem with its value.
 */
export function applyAttachFlag(target: AttachFlags, flag: string, value: () => string | undefined): boolean | string {
  switch (flag) {
    case '--port': {
      const raw = value();
      const port = Number(raw);
      if (raw === undefined || !/^\d+$/.test(raw) || !validPort(port)) return `--port needs a port number (1–65535), got ${raw ?? 'nothing'}`;
      target.port = port;
      return true;
    }
    case '--host': {
      const host = value();
      if (!host) return '--host needs a host name or address';
      target.host = host;
      return true;
    }
    case '--url': {
      const url = value();
      if (!url || !/^wss?:\/\//i.test(url)) return `--url needs a ws:// URL, got ${url ?? 'nothing'}`;
      const parsed = parseAddress(url);
      if ('error' in parsed) return `--url: ${parsed.error}`;
      target.url = url;
      return true;
    }
    case '--pid': {
      const parsed = parsePid(value() ?? '');
      if ('error' in parsed) return `--pid: ${parsed.error}`;
      target.pid = parsed.ok.pid;
      return true;
    }
    case '--allow-remote':
      target.allowRemote = true;
      return true;
    default:
      return false;
  }
}

/** What is wrong with a target: not exactly one of port, url or pid, or a host without a port. */
export function attachTargetProblem(target: AttachTarget): string | undefined {
  const given = [target.port, target.url, target.pid].filter((x) => x !== undefined).length;
  if (given !== 1) return given === 0 ? 'give one of port, url or pid' : 'give only one of port, url or pid';
  if (target.host !== undefined && target.port === undefined) return 'a host goes with a port';
  return undefined;
}

/**
 * Validates command arguments (`leakLens.attach` called from a test or a keybinding). Returns
 * undefined when no usable target is given, so the command falls back to the quick pick.
 */
export function attachTargetFromArgs(args: unknown): ParsedAttachTarget | undefined {
  if (typeof args === 'number') return parseAddress(String(args));
  if (typeof args === 'string') return parseAddress(args);
  if (!args || typeof args !== 'object') return undefined;
  const a = args as Record<string, unknown>;
  const target: AttachTarget = {};
  if (a.url !== undefined) {
    if (typeof a.url !== 'string') return { error: '`url` must be a string (ws://host:port/id).' };
    target.url = a.url;
  }
  if (a.port !== undefined) {
    const port = Number(a.port);
    if (!validPort(port)) return { error: '`port` must be a port number (1–65535).' };
    target.port = port;
  }
  if (a.host !== undefined) {
    if (typeof a.host !== 'string' || !a.host) return { error: '`host` must be a non-empty string.' };
    target.host = a.host;
  }
  if (a.pid !== undefined) {
    const pid = Number(a.pid);
    if (!Number.isInteger(pid) || pid <= 0) return { error: '`pid` must be a positive integer.' };
    target.pid = pid;
  }
  if (target.url === undefined && target.port === undefined && target.pid === undefined) return undefined;
  const problem = attachTargetProblem(target);
  return problem ? { error: `${problem[0].toUpperCase()}${problem.slice(1)}.` } : { ok: target };
}

/**
 * "ws://127.0.0.1:9229/…": a ws URL without its path, which is the inspector's secret (whoever has it
 * can run code in the process), for names, messages and reports.
 */
export function redactedWsUrl(wsUrl: string): string {
  try {
    const u = new URL(wsUrl);
    return `${u.protocol}//${u.host}/…`;
  } catch {
    return 'the given WebSocket URL';
  }
}

/** A short name for a target before we know its title: `127.0.0.1:9229`, the URL without its secret, or `pid 1234`. */
export function describeAttachTarget(target: AttachTarget): string {
  if (target.url) return redactedWsUrl(target.url);
  if (target.port !== undefined) return `${target.host ?? '127.0.0.1'}:${target.port}`;
  if (target.pid !== undefined) return `pid ${target.pid}`;
  return 'unknown target';
}
