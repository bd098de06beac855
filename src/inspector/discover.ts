/**
 * Finding Node processes and their inspectors on this machine through /proc (Linux), and asking an
 * inspector port who it is via its HTTP endpoints. No CDP here.
 */
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { request } from 'node:http';

/** A local Node process and, when it has one open, its inspector. */
export interface DiscoveredProcess {
  pid: number;
  command: string;
  inspector?: { host: string; port: number; wsUrl: string };
}

/** One entry of an inspector's `/json/list`. */
export interface InspectorTarget {
  id: string;
  type: string;
  title: string;
  url: string;
  webSocketDebuggerUrl?: string;
}

/** GETs a small JSON document over loopback HTTP. Rejects on refusal, timeout or bad JSON. */
export function getJson<T>(host: string, port: number, path: string, timeoutMs = 1_500): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path, timeout: timeoutMs, headers: { accept: 'application/json' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
        if (body.length > 1_000_000) req.destroy(new Error('response too large'));
      });
      res.on('end', () => {
        try {
          resolve(JSON.parse(body) as T);
        } catch (e) {
          reject(new Error(`${host}:${port}${path} did not answer JSON (HTTP ${res.statusCode})`, { cause: e }));
        }
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${host}:${port}${path} did not answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** The inspector targets listening on host:port, or undefined when the port is not an inspector. */
export async function inspectorTargets(host: string, port: number): Promise<InspectorTarget[] | undefined> {
  try {
    const list = await getJson<InspectorTarget[]>(host, port, '/json/list');
    return Array.isArray(list) && list.every((t) => typeof t === 'object' && t && typeof t.id === 'string') ? list : undefined;
  } catch {
    // Not answering /json/list as an inspector would is exactly the "no" this function returns.
    return undefined;
  }
}

/** Socket inodes the process holds open (from /proc/PID/fd links like "socket:[12345]"). */
function socketInodes(pid: number): Set<string> {
  const inodes = new Set<string>();
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return inodes;
  }
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]);
    } catch {
      // The fd closed between readdir and readlink: it is not a listening socket we could use anyway.
    }
  }
  return inodes;
}

function parseHexAddress(hex: string): string {
  if (hex.length === 8) {
    const n = parseInt(hex, 16);
    return [n & 255, (n >> 8) & 255, (n >> 16) & 255, (n >>> 24) & 255].join('.');
  }
  // IPv6: four little-endian 32-bit words; only the common loopback/any forms matter to us.
  if (/^0+1000000$/.test(hex.slice(-8)) && /^0+$/.test(hex.slice(0, 24))) return '::1';
  if (/^0+$/.test(hex)) return '::';
  if (hex.slice(0, 24) === '0000000000000000FFFF0000') return parseHexAddress(hex.slice(24));
  return hex;
}

/** TCP ports the process listens on, with the address each is bound to. */
export function listeningSockets(pid: number): Array<{ host: string; port: number }> {
  const inodes = socketInodes(pid);
  if (inodes.size === 0) return [];
  const found: Array<{ host: string; port: number }> = [];
  for (const table of ['tcp', 'tcp6']) {
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/net/${table}`, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // cols: sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
      if (cols.length < 10 || cols[3] !== '0A' || !inodes.has(cols[9])) continue;
      const [addrHex, portHex] = cols[1].split(':');
      found.push({ host: parseHexAddress(addrHex), port: parseInt(portHex, 16) });
    }
  }
  return found;
}

/** Host to connect to for a socket bound to `bound` (any-address binds are reached on loopback). */
export function connectHost(bound: string): string {
  if (bound === '0.0.0.0') return '127.0.0.1';
  if (bound === '::') return '::1';
  return bound;
}

/** An inspector found listening in a local process. */
export interface FoundInspector {
  /** Where we connect to it (loopback for an any-address bind). */
  host: string;
  port: number;
  wsUrl: string;
  /** The address it is bound to, as the kernel reports it ("0.0.0.0" means every interface). */
  bound: string;
}

/** The inspector the process has open, found by asking each of its listening ports. */
export async function findInspector(pid: number): Promise<FoundInspector | undefined> {
  for (const socket of listeningSockets(pid)) {
    const host = connectHost(socket.host);
    const targets = await inspectorTargets(host, socket.port);
    const wsUrl = targets?.find((t) => t.webSocketDebuggerUrl)?.webSocketDebuggerUrl;
    if (wsUrl) return { host, port: socket.port, wsUrl, bound: socket.host };
  }
  return undefined;
}

// Syscall numbers of the event loop's wait (epoll_wait, epoll_pwait, epoll_pwait2) per architecture.
const eventLoopWaits: Partial<Record<string, ReadonlySet<number>>> = {
  x64: new Set([232, 281, 441]),
  arm64: new Set([22, 441]),
};

/**
 * Whether the process's main thread is waiting in its event loop right now: "idle" when it is in
 * epoll_wait, "busy" when it runs or waits on something else (a lock, a child, a read), undefined when
 * the kernel does not tell us (another user, another architecture). Node opens its inspector on
 * SIGUSR1 only from its event loop, so a busy main thread would open it later, unattended.
 */
export function mainThreadState(pid: number): 'idle' | 'busy' | undefined {
  const waits = eventLoopWaits[process.arch];
  if (!waits) return undefined;
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/syscall`, 'utf8').trim();
  } catch {
    return undefined;
  }
  // "running" while on a CPU; otherwise the syscall number and its arguments ("-1 …" outside a syscall).
  if (text === 'running') return 'busy';
  const nr = Number(text.split(' ')[0]);
  if (!Number.isInteger(nr)) return undefined;
  return waits.has(nr) ? 'idle' : 'busy';
}

/** Samples {@link mainThreadState} over `windowMs`: idle as soon as one sample is, busy when none is. */
export async function eventLoopTurns(pid: number, windowMs = 600): Promise<boolean | undefined> {
  const deadline = Date.now() + windowMs;
  let known = false;
  for (;;) {
    const state = mainThreadState(pid);
    if (state === 'idle') return true;
    if (state === 'busy') known = true;
    if (Date.now() >= deadline) return known ? false : undefined;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The command line of a process, with arguments joined by spaces, or undefined when it is gone. */
export function commandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
  } catch {
    return undefined;
  }
}

/** The program a process runs (its executable, or argv[0] when the link is unreadable). @throws when it is gone. */
export function executableOf(pid: number): string {
  try {
    return readlinkSync(`/proc/${pid}/exe`).replace(/ \(deleted\)$/, '');
  } catch {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] ?? '';
  }
}

/**
 * True when the process runs a node binary, or (with `embedders`, which reads its memory map) a
 * program that loaded libnode. @throws when it is gone or unreadable.
 */
export function isNodeProcess(pid: number, embedders = false): boolean {
  if (/(^|\/)(node|nodejs)(\d+)?$/.test(executableOf(pid))) return true;
  if (!embedders) return false;
  try {
    return /\/libnode\.so/.test(readFileSync(`/proc/${pid}/maps`, 'utf8'));
  } catch {
    return false;
  }
}

/** Local Node processes other than this one, each with its inspector when one is listening. */
export async function discoverProcesses(): Promise<DiscoveredProcess[]> {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const result: DiscoveredProcess[] = [];
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (pid === process.pid) continue;
    try {
      if (!isNodeProcess(pid)) continue;
    } catch {
      continue;
    }
    const command = commandLine(pid);
    if (command === undefined) continue;
    result.push({ pid, command, inspector: await findInspector(pid) });
  }
  return result;
}
