// Starts test/fixtures/targets/cluster.js (a primary and two workers) for the cluster tests. Not a test file.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { poll, targetsDir } from './targets';

/** Starts the cluster fixture in its own process group, so `stop` kills primary and workers at once. */
export async function startCluster(): Promise<{ pid: number; wsUrl: string; port: number; stop(): void }> {
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
    await poll(() => /listening on \d+/.test(stdout) && (stderr.match(/ws:\/\//g) ?? []).length >= 3, 10_000, () => `cluster did not start: ${stderr}`);
  } catch (e) {
    stop();
    throw e;
  }
  // The primary opens its inspector before it forks, so its "Debugger listening" line comes first.
  return { pid: child.pid!, wsUrl: /ws:\/\/\S+/.exec(stderr)![0], port: Number(/listening on (\d+)/.exec(stdout)![1]), stop };
}
