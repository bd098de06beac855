/**
 * Turning what the user gave us (port, ws URL or PID) into an open session, with an AttachError that
 * says what to try next whenever that fails.
 */
import { existsSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import type { TargetInfo } from '../core/report';
import { AttachError, toError } from '../shared/errors';
import type { Logger } from '../shared/logger';
import { silentLogger } from '../shared/logger';
import { commandLine, findInspector, inspectorTargets, listeningSockets } from './discover';
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

const loopbackHosts = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

function isLoopback(host: string): boolean {
  return loopbackHosts.has(host) || /^127\./.test(host);
}

function refuseRemote(host: string, target: string, allowRemote: boolean | undefined): void {
  if (allowRemote || isLoopback(host)) return;
  throw new AttachError(
    target,
    `${host} is not this machine, and an inspector port lets whoever reaches it run any code in the process`,
    'Tunnel the port to this machine (ssh -L 9229:127.0.0.1:9229 host) and attach to 127.0.0.1, or allow remote hosts explicitly',
  );
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

/** Opens the inspector of a running process that was started without --inspect, and returns its ws URL. */
async function openInspectorOfPid(pid: number, logger: Logger): Promise<{ wsUrl: string; host: string; port: number; opened: boolean }> {
  const target = `pid ${pid}`;
  const command = commandLine(pid);
  if (command === undefined) throw new AttachError(target, 'no such process', 'Check the PID (leak-lens lists Node processes it can see)');
  const existing = await findInspector(pid);
  if (existing) return { ...existing, opened: false };
  if (/(^|\s)--disable-sigusr1(\s|$)/.test(command)) {
    throw new AttachError(target, 'the process was started with --disable-sigusr1, so it cannot open its inspector on request', 'Restart it with --inspect=127.0.0.1:0 (or without --disable-sigusr1)');
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
    if (found) return { ...found, opened: true };
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
  throw new AttachError(
    target,
    'the process did not open its inspector after SIGUSR1',
    'It probably handles SIGUSR1 itself (process.on("SIGUSR1")) or ignores it; restart it with --inspect=127.0.0.1:0 and attach by port',
  );
}

/** What {@link connect} returns. */
export interface Connection {
  session: InspectorSession;
  target: TargetInfo;
  /** True when we opened the target's inspector (attach by PID): detaching should close it again. */
  openedInspector: boolean;
}

/** Opens a session without watching (used by snapshot capture). @throws AttachError */
export async function connect(attach: AttachOptions): Promise<Connection> {
  const logger = attach.logger ?? silentLogger;
  const given = [attach.port !== undefined, attach.url !== undefined, attach.pid !== undefined].filter(Boolean).length;
  if (given !== 1) throw new AttachError('target', 'give exactly one of port, url or pid', 'Pass --port N, --url ws://… or --pid N');
  let wsUrl: string;
  let address: string;
  let openedInspector = false;
  if (attach.url !== undefined) {
    let parsed: URL;
    try {
      parsed = new URL(attach.url);
    } catch (e) {
      throw new AttachError(attach.url, 'not a URL', 'Copy the ws://… URL from the "Debugger listening on" line', { cause: e });
    }
    if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') {
      throw new AttachError(attach.url, 'not a ws:// URL', 'Copy the ws://… URL from the "Debugger listening on" line');
    }
    const host = parsed.hostname.replace(/^\[|\]$/g, '');
    refuseRemote(host, attach.url, attach.allowRemote);
    wsUrl = attach.url;
    address = attach.url;
    if (!(await portOpen(host, Number(parsed.port || 80)))) {
      throw new AttachError(attach.url, 'connection refused', 'The process may have exited, or its inspector URL changed (it is new each start): copy the current one');
    }
  } else if (attach.port !== undefined) {
    const host = attach.host ?? '127.0.0.1';
    refuseRemote(host, `${host}:${attach.port}`, attach.allowRemote);
    if (!Number.isInteger(attach.port) || attach.port <= 0 || attach.port > 65535) {
      throw new AttachError(`${host}:${attach.port}`, 'not a TCP port', 'Give a port between 1 and 65535');
    }
    wsUrl = await wsUrlForPort(host, attach.port);
    address = `${host}:${attach.port}`;
  } else {
    const pid = attach.pid!;
    const opened = await openInspectorOfPid(pid, logger);
    wsUrl = opened.wsUrl;
    openedInspector = opened.opened;
    address = `pid ${pid}`;
  }
  let session: InspectorSession;
  try {
    session = await openSession(wsUrl, address);
  } catch (e) {
    throw new AttachError(address, `the inspector refused the WebSocket (${toError(e).message})`, 'Another client may hold it; close other debuggers or retry', { cause: e });
  }
  try {
    const who = await evaluate<{ pid: number; version: string; title: string; main?: string }>(
      session,
      `({ pid: process.pid, version: process.version, title: process.title, main: process.argv[1] })`,
      { timeoutMs: 3_000 },
    );
    const target: TargetInfo = { address, pid: who.pid, nodeVersion: who.version, title: who.title, url: wsUrl };
    logger.info(`attached to ${address} (pid ${who.pid}, node ${who.version}${who.main ? `, ${who.main}` : ''})`);
    return { session, target, openedInspector };
  } catch (e) {
    await session.close().catch((closeError: unknown) => logger.debug(`close after failed attach: ${toError(closeError).message}`));
    throw new AttachError(address, `the target did not answer (${toError(e).message})`, 'It may be exiting, or busy in native code; retry', { cause: e });
  }
}
