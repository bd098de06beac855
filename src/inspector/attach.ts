/**
 * Turning what the user gave us (port, ws URL or PID) into an open session, with an AttachError that
 * says what to try next whenever that fails.
 */
import { lookup } from 'node:dns/promises';
import { existsSync } from 'node:fs';
import { isIP, connect as netConnect } from 'node:net';
import { redactedWsUrl } from '../core/attachTarget';
import type { TargetInfo } from '../core/report';
import { AttachError, toError } from '../shared/errors';
import type { Logger } from '../shared/logger';
import { silentLogger } from '../shared/logger';
import type { FoundInspector } from './discover';
import { commandLine, eventLoopTurns, executableOf, findInspector, inspectorTargets, isNodeProcess, listeningSockets } from './discover';
import { closeInspectorExpression } from './probes/probe';
import type { InspectorSession } from './session';
import { evaluate, openSession } from './session';

/** Where to attach: exactly one of `port`, `url` or `pid`. */
export interface AttachOptions {
  port?: number;
  host?: string;
  url?: string;
  pid?: number;
  /** The inspector runs any code it is sent: non-loopback hosts are refused unless this is set. */
  allowRemote?: boolean;
  logger?: Logger;
}

/** True for an IP address of this machine's loopback interface (127.0.0.0/8, ::1, IPv4-mapped 127.x). */
export function isLoopbackAddress(address: string): boolean {
  const ip = address.replace(/^\[|\]$/g, '').toLowerCase();
  if (isIP(ip) === 4) return ip.startsWith('127.');
  if (isIP(ip) === 6) return ip === '::1' || /^::ffff:127\./.test(ip);
  return false;
}

function remoteRefused(what: string, target: string): AttachError {
  return new AttachError(
    target,
    `${what} is not this machine, and an inspector port lets whoever reaches it run any code in the process`,
    'Tunnel the port to this machine (ssh -L 9229:127.0.0.1:9229 host) and attach to 127.0.0.1, or allow remote hosts explicitly',
  );
}

/**
 * The IP address to connect to for `host`, resolved once here so that what was checked is what is
 * connected to (a name that resolves to loopback now and elsewhere later cannot slip through).
 * Refuses any address that is not loopback unless `allowRemote`.
 */
async function checkedAddress(host: string, target: string, allowRemote: boolean | undefined): Promise<string> {
  const bare = host.replace(/^\[|\]$/g, '');
  let addresses: string[];
  if (isIP(bare)) {
    addresses = [bare];
  } else {
    try {
      addresses = (await lookup(bare, { all: true, verbatim: false })).map((a) => a.address);
    } catch (e) {
      throw new AttachError(target, `cannot resolve the host name ${bare}`, 'Check the name, or give the IP address (127.0.0.1 for this machine)', { cause: e });
    }
  }
  if (!allowRemote) {
    const remote = addresses.find((a) => !isLoopbackAddress(a));
    if (remote !== undefined) throw remoteRefused(remote === bare ? bare : `${bare} (${remote})`, target);
  }
  return addresses[0];
}

/** A WebSocket URL whose host is replaced by the checked address it resolves to. @throws AttachError */
async function checkedWsUrl(wsUrl: string, target: string, allowRemote: boolean | undefined): Promise<string> {
  let parsed: URL;
  try {
    parsed = new URL(wsUrl);
  } catch (e) {
    throw new AttachError(target, `the inspector gave an unusable WebSocket URL (${JSON.stringify(wsUrl.slice(0, 200))})`, 'Copy the ws://… URL from the "Debugger listening on" line', { cause: e });
  }
  if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') {
    throw new AttachError(target, 'not a ws:// URL', 'Copy the ws://… URL from the "Debugger listening on" line');
  }
  const address = await checkedAddress(parsed.hostname, target, allowRemote);
  parsed.hostname = isIP(address) === 6 ? `[${address}]` : address;
  return parsed.toString();
}

function portOpen(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = netConnect({ host, port });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function wsUrlForPort(host: string, port: number): Promise<string> {
  const target = `${host}:${port}`;
  const targets = await inspectorTargets(host, port);
  if (!targets) {
    if (await portOpen(host, port)) {
      throw new AttachError(target, 'something listens there but it is not a Node inspector', 'Check the port: the inspector prints "Debugger listening on ws://…" when the process starts with --inspect');
    }
    throw new AttachError(
      target,
      'connection refused',
      'Start the process with --inspect=127.0.0.1:' + port + ', or attach by PID (--pid) to open the inspector of a running process',
    );
  }
  const ws = targets.find((t) => t.type === 'node' && t.webSocketDebuggerUrl) ?? targets.find((t) => t.webSocketDebuggerUrl);
  if (!ws?.webSocketDebuggerUrl) {
    throw new AttachError(target, 'the inspector lists no target to attach to', 'Another debugger may hold it exclusively; detach it and retry');
  }
  return ws.webSocketDebuggerUrl;
}

function pidAlive(pid: number): boolean {
  return existsSync(`/proc/${pid}`);
}

/** Closes the target's inspector (one we opened with SIGUSR1) through `session`, which drops with it. Best effort. */
export async function closeInspectorThrough(session: InspectorSession, logger: Logger): Promise<void> {
  await session
    .send('Runtime.evaluate', { expression: closeInspectorExpression, includeCommandLineAPI: true, silent: true, timeout: 1000 }, { timeoutMs: 1_500 })
    .catch((e: unknown) => logger.debug(`closing the inspector: ${toError(e).message}`));
}

/** Closes an inspector we opened (found at `found`), over loopback. Best effort: logs failures. */
async function closeOpenedInspector(found: FoundInspector, logger: Logger): Promise<void> {
  try {
    const session = await openSession(found.wsUrl, `${found.host}:${found.port}`);
    await closeInspectorThrough(session, logger);
    await session.close().catch(() => undefined);
  } catch (e) {
    logger.warn(`could not close the inspector opened at ${found.host}:${found.port}: ${toError(e).message}`);
  }
}

/** Opens the inspector of a running process that was started without --inspect, and returns where it listens. */
async function openInspectorOfPid(pid: number, allowRemote: boolean | undefined, logger: Logger): Promise<FoundInspector & { opened: boolean }> {
  const target = `pid ${pid}`;
  const command = commandLine(pid);
  if (command === undefined) throw new AttachError(target, 'no such process', 'Check the PID (leak-lens lists Node processes it can see)');
  // SIGUSR1 kills most programs: signal only a process that runs Node.
  let node: boolean;
  try {
    node = isNodeProcess(pid, true);
  } catch (e) {
    throw new AttachError(target, 'cannot tell which program it runs', 'Check the PID and that it runs as your user', { cause: e });
  }
  if (!node) {
    let program = '?';
    try {
      program = executableOf(pid);
    } catch {
      // Gone meanwhile: the message below still names the PID.
    }
    throw new AttachError(target, `it is not a Node.js process (it runs ${program}), and the signal that opens an inspector would stop most other programs`, 'Give the PID of a node process (ps -C node -o pid,args lists them)');
  }
  const existing = await findInspector(pid);
  if (existing) {
    if (!isLoopbackAddress(existing.bound)) logger.warn(`the inspector of pid ${pid} is open on ${existing.bound}:${existing.port}, reachable from other machines; it was open before we came`);
    return { ...existing, opened: false };
  }
  if (/(^|\s)--disable-sigusr1(\s|$)/.test(command)) {
    throw new AttachError(target, 'the process was started with --disable-sigusr1, so it cannot open its inspector on request', 'Restart it with --inspect=127.0.0.1:0 (or without --disable-sigusr1)');
  }
  // Node opens its inspector on SIGUSR1 only from its event loop. A main thread that is busy or
  // blocked would open it whenever it returns, after we gave up, and leave it open: do not signal it.
  const turns = await eventLoopTurns(pid);
  if (turns === false) {
    throw new AttachError(
      target,
      'its main thread is busy or blocked (running JavaScript or waiting in native code without returning to its event loop), and Node opens the inspector only from the event loop',
      'Retry when it is responsive again; a process that stays blocked needs a restart with --inspect=127.0.0.1:0 to be examined',
    );
  }
  const before = new Set(listeningSockets(pid).map((s) => `${s.host}:${s.port}`));
  try {
    // Same as SIGUSR1 on Linux: Node's signal handler opens the inspector without a restart.
    (process as unknown as { _debugProcess(pid: number): void })._debugProcess(pid);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new AttachError(
      target,
      code === 'EPERM' ? 'not allowed to signal it (another user)' : `could not signal it (${toError(e).message})`,
      code === 'EPERM' ? 'Run leak-lens as the same user as the process' : 'Check that the process still runs',
      { cause: e },
    );
  }
  logger.debug(`sent SIGUSR1 to ${pid}; waiting for its inspector`);
  const deadline = Date.now() + 3_000;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    if (!pidAlive(pid)) throw new AttachError(target, 'the process exited while its inspector was opening', 'It may have been shutting down; start it again and retry');
    const fresh = listeningSockets(pid).filter((s) => !before.has(`${s.host}:${s.port}`));
    if (fresh.length === 0) continue;
    const found = await findInspector(pid);
    if (!found) continue;
    if (!allowRemote && !isLoopbackAddress(found.bound)) {
      // The process asked for an any-address inspector (--inspect-port=0.0.0.0:…): close what we opened.
      await closeOpenedInspector(found, logger);
      throw new AttachError(
        target,
        `its inspector opened on ${found.bound}:${found.port} (its --inspect-port asks for it), where other machines can reach it and run code; it was closed again`,
        'Restart the process with --inspect-port=127.0.0.1:0, or allow remote hosts explicitly if that exposure is intended',
      );
    }
    return { ...found, opened: true };
  }
  // No inspector appeared: say which of the known reasons applies.
  const customPort = /--inspect-port[= ](?!\S*:?9229\b)/.test(command);
  if (!customPort && (await portOpen('127.0.0.1', 9229))) {
    const ours = listeningSockets(pid).some((s) => s.port === 9229);
    if (!ours) {
      throw new AttachError(
        target,
        'its inspector could not bind 127.0.0.1:9229 because another process already uses that port (the target stays alive without an inspector)',
        'Stop whatever holds 9229 (often another debugged Node process), or restart the target with --inspect-port=127.0.0.1:0 so SIGUSR1 picks a free port',
      );
    }
  }
  if (turns === true && (await eventLoopTurns(pid)) === true) {
    throw new AttachError(
      target,
      'the process did not open its inspector after SIGUSR1 although its event loop runs, so it handles SIGUSR1 itself (process.on("SIGUSR1")) or ignores it',
      'Restart it with --inspect=127.0.0.1:0 and attach by port',
    );
  }
  throw new AttachError(
    target,
    'the process did not open its inspector after SIGUSR1: it handles SIGUSR1 itself, or its main thread became busy; if it opens the inspector later, it listens on 127.0.0.1:9229 until the process exits',
    'Retry (an inspector that opened late is found and used), or restart it with --inspect=127.0.0.1:0 and attach by port',
  );
}

/** What {@link connect} returns. */
export interface Connection {
  session: InspectorSession;
  target: TargetInfo;
  /** True when we opened the target's inspector (attach by PID): detaching should close it again. */
  openedInspector: boolean;
  /** The checked WebSocket URL: a second session (snapshot capture) opens it. Secret: never in reports. */
  wsUrl: string;
}

/** Opens a session without watching (used by snapshot capture). @throws AttachError */
export async function connect(attach: AttachOptions): Promise<Connection> {
  const logger = attach.logger ?? silentLogger;
  const given = [attach.port !== undefined, attach.url !== undefined, attach.pid !== undefined].filter(Boolean).length;
  if (given !== 1) throw new AttachError('target', 'give exactly one of port, url or pid', 'Pass --port N, --url ws://… or --pid N');
  let wsUrl: string;
  let address: string;
  let openedInspector = false;
  let opened: FoundInspector | undefined;
  if (attach.url !== undefined) {
    // The URL's path is the inspector's secret: name the target by host and port only.
    address = redactedWsUrl(attach.url);
    wsUrl = await checkedWsUrl(attach.url, address, attach.allowRemote);
    const parsed = new URL(wsUrl);
    if (!(await portOpen(parsed.hostname.replace(/^\[|\]$/g, ''), Number(parsed.port || 80)))) {
      throw new AttachError(address, 'connection refused', 'The process may have exited, or its inspector URL changed (it is new each start): copy the current one');
    }
  } else if (attach.port !== undefined) {
    const host = attach.host ?? '127.0.0.1';
    address = `${host}:${attach.port}`;
    if (!Number.isInteger(attach.port) || attach.port <= 0 || attach.port > 65535) {
      throw new AttachError(address, 'not a TCP port', 'Give a port between 1 and 65535');
    }
    const ip = await checkedAddress(host, address, attach.allowRemote);
    // Whatever /json/list answers, the URL we follow is checked like one the user typed.
    wsUrl = await checkedWsUrl(await wsUrlForPort(isIP(ip) === 6 ? `[${ip}]` : ip, attach.port), address, attach.allowRemote);
  } else {
    const pid = attach.pid!;
    const found = await openInspectorOfPid(pid, attach.allowRemote, logger);
    wsUrl = await checkedWsUrl(found.wsUrl, `pid ${pid}`, attach.allowRemote);
    openedInspector = found.opened;
    if (found.opened) opened = found;
    address = `pid ${pid}`;
  }
  let session: InspectorSession;
  try {
    session = await openSession(wsUrl, address);
  } catch (e) {
    if (opened) await closeOpenedInspector(opened, logger);
    throw new AttachError(address, `the inspector refused the WebSocket (${toError(e).message})`, 'Another client may hold it; close other debuggers or retry', { cause: e });
  }
  // The address the socket reached, not the one we meant to reach, decides.
  const peer = session.remoteAddress;
  if (!attach.allowRemote && peer !== undefined && !isLoopbackAddress(peer)) {
    await session.close().catch(() => undefined);
    throw remoteRefused(peer, address);
  }
  try {
    const who = await evaluate<{ pid: number; version: string; title: string; main?: string }>(
      session,
      `({ pid: process.pid, version: process.version, title: process.title, main: process.argv[1] })`,
      { timeoutMs: 3_000 },
    );
    const target: TargetInfo = { address, pid: who.pid, nodeVersion: who.version, title: who.title, main: who.main };
    logger.info(`attached to ${address} (pid ${who.pid}, node ${who.version}${who.main ? `, ${who.main}` : ''})`);
    return { session, target, openedInspector, wsUrl };
  } catch (e) {
    if (openedInspector) await closeInspectorThrough(session, logger);
    await session.close().catch((closeError: unknown) => logger.debug(`close after failed attach: ${toError(closeError).message}`));
    throw new AttachError(address, `the target did not answer (${toError(e).message})`, 'It may be exiting, or busy in native code; retry', { cause: e });
  }
}
