/**
 * `Leak Lens: Start the Leaky Demo`: runs the bundled demo server (media/demo/leaky-server.js) with
 * an inspector on a free loopback port, drives a small bounded load against it, and attaches. The
 * demo process and its load stop when the target is detached.
 */
import type { ChildProcess } from 'node:child_process';
import type * as vscode from 'vscode';
import { launchWithInspector, startLoad, type Load } from '../inspector/launch';
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
  const target = await launchWithInspector(script.fsPath, { onStderrLine: (line) => log.info(`demo: ${line}`) });
  let load: Load | undefined;
  return {
    child: target.child,
    wsUrl: target.wsUrl,
    port: target.port,
    startLoad() {
      load ??= startLoad(target.port, { paths: ['/session?u=1', '/?u=2', '/session?u=3', '/?u=4'], perSecond: LOAD_REQUESTS_PER_SECOND, connections: 2, maxMs: LOAD_MAX_MS });
    },
    dispose() {
      void load?.stop();
      target.stop();
    },
  };
}

/** Ties the demo's lifetime to the session: detaching or the target ending stops it. */
export function adoptDemo(session: TargetSession, demo: DemoProcess): void {
  session.owned.push(demo);
}
