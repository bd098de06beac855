// Starts test/fixtures/targets/cluster.js (a primary and two workers) for the cluster tests. Not a test file.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { poll, targetsDir } from './targets';

interface RunningCluster {
  pid: number;
  wsUrl: string;
  port: number;
  stop(): void;
}

/**
 * Starts the cluster fixture in its own process group, so `stop` kills primary and workers at once.
 * Workers take the inspector ports right after the primary's random one, and on a busy machine one
 * of those can be in use (the worker then runs without an inspector): that start is retried.
 */
export async function startCluster(): Promise<RunningCluster> {
  for (let attempt = 1; ; attempt++) {
    const started = await startOnce();
    if (started !== 'port-taken') return started;
    if (attempt === 3) throw new Error('a worker inspector port was taken on three starts in a row');
  }
}

async function startOnce(): Promise<RunningCluster | 'port-taken'> {
  const child = spawn(process.execPath, ['--inspect=127.0.0.1:0', join(targetsDir, 'cluster.js'), '0'], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stderr = '';
  let stdout = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  const stop = () => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // The group is already gone.
    }
  };
  try {
    const portTaken = () => /Starting inspector on \S+ failed: address already in use/.test(stderr);
    await poll(() => portTaken() || (/listening on \d+/.test(stdout) && (stderr.match(/ws:\/\//g) ?? []).length >= 3), 10_000, () => `cluster did not start: ${stderr}`);
    if (portTaken()) {
      stop();
      return 'port-taken';
    }
  } catch (e) {
    stop();
    throw e;
  }
  // The primary opens its inspector before it forks, so its "Debugger listening" line comes first.
  return { pid: child.pid!, wsUrl: /ws:\/\/\S+/.exec(stderr)![0], port: Number(/listening on (\d+)/.exec(stdout)![1]), stop };
}
