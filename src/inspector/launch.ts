/**
 * Starting a Node script with an inspector on a free loopback port, and a small bounded HTTP load:
 * what the demo (CLI and editor) and the tests need to have a real target to watch. One copy here.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { LeakLensError, TimeoutError } from '../shared/errors';

/** A started script: its inspector URL and HTTP port (it prints `listening on PORT`). */
export interface LaunchedTarget {
  child: ChildProcess;
  wsUrl: string;
  port: number;
  /** Kills it (idempotent). */
  stop(): void;
}

export interface LaunchOptions {
  /** Node binary; default this process's (in VS Code, Electron run as Node). */
  node?: string;
  /** Arguments before the script, after `--inspect=127.0.0.1:0`. */
  execArgv?: string[];
  /** Lines the script writes to stderr, other than the inspector's banner. */
  onStderrLine?(line: string): void;
  /** Default 10 s. */
  startTimeoutMs?: number;
}

/**
 * Runs `script 0` with an inspector on a free loopback port and waits (bounded) until it printed both
 * its inspector URL and `listening on PORT`.
 * @throws TimeoutError when it does not within the bound (it is killed then), LeakLensError (IO) when it exits first.
 */
export async function launchWithInspector(script: string, options: LaunchOptions = {}): Promise<LaunchedTarget> {
  const child = spawn(options.node ?? process.execPath, ['--inspect=127.0.0.1:0', ...(options.execArgv ?? []), script, '0'], {
    // In VS Code process.execPath is Electron: this makes it behave as plain Node. NODE_OPTIONS from
    // the host (a debugger's --require, say) is not the target's business.
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', NODE_OPTIONS: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
    windowsHide: true,
  });
  const stop = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill();
  };
  const timeoutMs = options.startTimeoutMs ?? 10_000;
  try {
    const { wsUrl, port } = await new Promise<{ wsUrl: string; port: number }>((resolve, reject) => {
      let wsUrl: string | undefined;
      let port: number | undefined;
      let stderr = '';
      const timer = setTimeout(() => reject(new TimeoutError(`starting ${script}`, timeoutMs)), timeoutMs);
      const check = () => {
        if (wsUrl && port) {
          clearTimeout(timer);
          resolve({ wsUrl, port });
        }
      };
      child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
        wsUrl ??= /ws:\/\/127\.0\.0\.1:\d+\/[\w-]+/.exec(stderr)?.[0];
        for (const line of chunk.split('\n')) if (line.trim() && !/Debugger (listening|attached)|For help, see/.test(line)) options.onStderrLine?.(line.trim());
        check();
      });
      child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
        const m = /listening on (\d+)/.exec(chunk);
        if (m) port ??= Number(m[1]);
        check();
      });
      child.once('error', (e) => {
        clearTimeout(timer);
        reject(new LeakLensError('IO', `could not start ${script}: ${e.message}`, { cause: e }));
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new LeakLensError('IO', `${script} exited before it was ready (${signal ?? `exit code ${code}`})${stderr.trim() ? `: ${stderr.trim().slice(-500)}` : ''}`));
      });
    });
    return { child, wsUrl, port, stop };
  } catch (e) {
    stop();
    throw e;
  }
}

/** A running load; `stop()` ends it and resolves with the number of requests sent. */
export interface Load {
  stop(): Promise<number>;
}

/**
 * Sends GETs of `paths` (in turn) to 127.0.0.1:`port` at about `perSecond` over `connections`
 * keep-alive connections, until stopped or `maxMs` passed. Errors (the server going away) end
 * nothing: the load is best effort.
 */
export function startLoad(port: number, options: { paths: string[]; perSecond: number; connections?: number; maxMs?: number }): Load {
  const connections = options.connections ?? 3;
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const gapMs = (1000 * connections) / options.perSecond;
  const deadline = Date.now() + (options.maxMs ?? 10 * 60_000);
  let stopped = false;
  let sent = 0;
  const loop = async (offset: number) => {
    let n = offset;
    while (!stopped && Date.now() < deadline) {
      const began = Date.now();
      const path = options.paths[n++ % options.paths.length];
      await new Promise<void>((done) => {
        const req = request({ host: '127.0.0.1', port, path, agent }, (res) => {
          res.resume();
          res.on('end', done);
          res.on('error', () => done());
        });
        req.setTimeout(5_000, () => req.destroy());
        req.on('error', () => done());
        req.end();
      });
      sent++;
      const wait = gapMs - (Date.now() - began);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  };
  const running = Promise.all(Array.from({ length: connections }, (_, i) => loop(i)));
  return {
    async stop() {
      stopped = true;
      await running;
      agent.destroy();
      return sent;
    },
  };
}
