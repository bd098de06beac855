/**
 * `Leak Lens: Start the Leaky Demo`: runs the bundled demo server (media/demo/leaky-server.js) with
 * an inspector on a free loopback port, drives a small bounded load against it, and attaches. The
 * demo process and its load stop when the target is detached.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as http from 'node:http';
import * as vscode from 'vscode';
import { TimeoutError } from '../shared/errors';
import type { Logger } from '../shared/logger';
import type { TargetSession } from './sessions';

/** Requests per second the demo load sends; small, so the demo never stresses the machine. */
const LOAD_REQUESTS_PER_SECOND = 40;
/** The load stops by itself after this long even if nobody detaches. */
const LOAD_MAX_MS = 10 * 60_000;

/** A started demo: its inspector URL and HTTP port, and how to stop it. */
export interface DemoProcess extends vscode.Disposable {
  child: ChildProcess;
  wsUrl: string;
  port: number;
  /** Starts the bounded load; stops with dispose(). */
  startLoad(): void;
}

/**
 * Starts the demo and waits (bounded) for its inspector URL and HTTP port.
 * @throws TimeoutError if it does not report both within 10 s; the child is killed then.
 */
export async function spawnDemo(script: vscode.Uri, log: Logger): Promise<DemoProcess> {
  const child = spawn(process.execPath, ['--inspect=127.0.0.1:0', script.fsPath, '0'], {
    // In desktop VS Code process.execPath is Electron; this makes it behave as plain Node.
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', NODE_OPTIONS: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
    windowsHide: true,
  });
  let loadTimer: NodeJS.Timeout | undefined;
  let stopTimer: NodeJS.Timeout | undefined;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  const stopLoad = () => {
    if (loadTimer) clearInterval(loadTimer);
    if (stopTimer) clearTimeout(stopTimer);
    loadTimer = stopTimer = undefined;
    agent.destroy();
  };
  const kill = () => {
    stopLoad();
    if (child.exitCode === null && child.signalCode === null) child.kill();
  };
  try {
    const { wsUrl, port } = await new Promise<{ wsUrl: string; port: number }>((resolve, reject) => {
      let wsUrl: string | undefined;
      let port: number | undefined;
      const timer = setTimeout(() => reject(new TimeoutError('starting the demo server', 10_000)), 10_000);
      const check = () => {
        if (wsUrl && port) {
          clearTimeout(timer);
          resolve({ wsUrl, port });
        }
      };
      child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
        const m = /ws:\/\/127\.0\.0\.1:\d+\/[\w-]+/.exec(chunk);
        if (m) wsUrl ??= m[0];
        for (const line of chunk.split('\n')) if (line.trim() && !/Debugger (listening|attached)|For help, see/.test(line)) log.info(`demo: ${line.trim()}`);
        check();
      });
      child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
        const m = /listening on (\d+)/.exec(chunk);
        if (m) port ??= Number(m[1]);
        check();
      });
      child.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`the demo server exited early (${signal ?? `exit code ${code}`})`));
      });
    });
    let n = 0;
    return {
      child,
      wsUrl,
      port,
      startLoad() {
        if (loadTimer) return;
        loadTimer = setInterval(() => {
          const path = n++ % 2 === 0 ? `/session?u=${n}` : `/?u=${n}`;
          const req = http.get({ host: '127.0.0.1', port, path, agent }, (res) => res.resume());
          // The demo may be exiting; a failed request is expected then and needs no report.
          req.on('error', () => undefined);
        }, 1000 / LOAD_REQUESTS_PER_SECOND);
        stopTimer = setTimeout(stopLoad, LOAD_MAX_MS);
      },
      dispose: kill,
    };
  } catch (e) {
    kill();
    throw e;
  }
}

/** Ties the demo's lifetime to the session: detaching or the target ending stops it. */
export function adoptDemo(session: TargetSession, demo: DemoProcess): void {
  session.owned.push(demo);
}
