// Runs the leaky fixture in a real Node child process and takes heap snapshots of it between
// steps, over IPC (no sleeps). Shared by the engine, worker and CLI tests.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** Repository root, from out/test/core/snapshot/ or test/core/snapshot/. */
export const repoRoot = resolve(__dirname, __dirname.includes(`${join('out', 'test')}`) ? '../../../..' : '../../..');
export const fixtureDir = join(repoRoot, 'test', 'fixtures', 'snapshots');

/** 1-based line of LeakyRecord's constructor in the fixture, where V8 places the class. */
export const leakyRecordLine = (() => {
  const lines = readFileSync(join(fixtureDir, 'leaky.js'), 'utf8').split('\n');
  const start = lines.findIndex((line) => line.startsWith('class LeakyRecord'));
  return lines.findIndex((line, k) => k > start && line.includes('constructor(')) + 1;
})();

export type Step = { cmd: 'leak'; count: number } | { cmd: 'snapshot'; name: string };

function request(child: ChildProcess, message: object, timeoutMs: number): Promise<any> {
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`fixture did not answer ${JSON.stringify(message)} within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (reply: any) => {
      cleanup();
      resolvePromise(reply.ok);
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`fixture exited with ${code}`));
    };
    const cleanup = () => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
    child.send(message);
  });
}

/**
 * Runs `steps` against test/fixtures/snapshots/leaky.js and returns the written snapshot files by
 * name (in a fresh temporary folder).
 */
export async function takeSnapshots(steps: Step[]): Promise<Record<string, string>> {
  const dir = mkdtempSync(join(tmpdir(), 'leak-lens-snap-'));
  const child = fork(join(fixtureDir, 'leaky.js'), [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const files: Record<string, string> = {};
  try {
    await new Promise<void>((resolveReady, reject) => {
      child.once('message', () => resolveReady());
      child.once('exit', (code) => reject(new Error(`fixture exited with ${code}`)));
    });
    for (const step of steps) {
      if (step.cmd === 'leak') await request(child, step, 30_000);
      else files[step.name] = (await request(child, { cmd: 'snapshot', file: join(dir, `${step.name}.heapsnapshot`) }, 60_000)).file;
    }
  } finally {
    child.kill();
  }
  return files;
}

/** The three-snapshot scenario: warm up, s1, leak, s2, leak, s3. */
export function threeSnapshots(count: number): Promise<Record<string, string>> {
  return takeSnapshots([
    { cmd: 'leak', count: 10 },
    { cmd: 'snapshot', name: 's1' },
    { cmd: 'leak', count },
    { cmd: 'snapshot', name: 's2' },
    { cmd: 'leak', count },
    { cmd: 'snapshot', name: 's3' },
  ]);
}
