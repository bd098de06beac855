// Runs the extension tests (out/test/vscode/suite/**/*.test.js) inside a real VS Code, offline:
// the VS Code server from the npm package code-server (installed by test/setupHost.mjs) runs on
// Node 24 on loopback, and a headless Debian chromium opens its web workbench with the
// extension-test parameters, which starts the extension host and our mocha suite in it.
//
// Prints the extension host's console output (mocha's report ends with
// `vscode: N passed, N failed, N skipped`). Exits 0 only if the suite ran and nothing failed.
// On failure or timeout it keeps the server logs and a screenshot under test-results/.
// Whatever happens, the browser is closed, the server's process group killed and temp dirs removed.
//
// Needs: `npx tsc -p . && node esbuild.mjs` first (npm test does that), /usr/bin/chromium.
// Environment:
//   LEAK_LENS_VSCODE_START_TIMEOUT_MS  until the suite reports it started (default 120000)
//   LEAK_LENS_VSCODE_TIMEOUT_MS        whole run, start to exit (default 600000)
//   LEAK_LENS_TEST_FILTER              substring of test file paths to run (passed to the suite)
//   LEAK_LENS_VSCODE_HOST              reuse an installed host folder (see setupHost.mjs)
//   LEAK_LENS_VSCODE_VERBOSE=1         also print the server's own output as it comes
import { spawn } from 'node:child_process';
import { cpSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { format } from 'node:util';
import { CHROMIUM_PATH, ensureChromium, ensureHost } from './setupHost.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const suiteIndex = join(root, 'out', 'test', 'vscode', 'suite', 'index.js');
const fixtureWorkspace = join(root, 'test', 'fixtures', 'vscode-workspace');
const resultsDir = join(root, 'test-results');
const screenshotDir = join(resultsDir, 'screenshots');
const failureDir = join(resultsDir, 'vscode-failure');
const startTimeoutMs = positiveInt('LEAK_LENS_VSCODE_START_TIMEOUT_MS', 120_000);
const totalTimeoutMs = positiveInt('LEAK_LENS_VSCODE_TIMEOUT_MS', 600_000);
const verbose = process.env.LEAK_LENS_VSCODE_VERBOSE === '1';

// Lines the suite prints, from the compiled suite itself so both sides agree.
const require = createRequire(import.meta.url);
const SUMMARY_PATTERN = /^vscode: \d+ passed, \d+ failed, \d+ skipped$/m;
/** Workbench chatter that says nothing about our tests (still kept in workbench-console.log). */
const WORKBENCH_NOISE = /^(Ignoring fetching additional builtin extensions|Updating additional builtin extensions cache|\[AccountPolicyGate\]|\[Service Worker\])/;

/** A failure of the harness itself (not of a test); the message is what the user reads. */
class HarnessError extends Error {
  /** @param {string} message @param {boolean} [keepEvidence] copy logs and a screenshot to test-results/ */
  constructor(message, keepEvidence = true) {
    super(message);
    this.name = 'HarnessError';
    this.keepEvidence = keepEvidence;
  }
}

/** @param {string} name @param {number} fallback */
function positiveInt(name, fallback) {
  const raw = process.env[name];
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    console.error(`[vscode-tests] ${name} must be a positive integer (milliseconds), got ${JSON.stringify(raw)}`);
    process.exit(2);
  }
  return value;
}

/** A free loopback port: the OS picks one, we release it and hand it to the server right away. */
function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}

/** A promise plus its settle functions, so events from different sources can end one wait. */
function deferred() {
  /** @type {(value: any) => void} */ let resolveFn = () => {};
  /** @type {(error: Error) => void} */ let rejectFn = () => {};
  const promise = new Promise((res, rej) => ((resolveFn = res), (rejectFn = rej)));
  return { promise, resolve: resolveFn, reject: rejectFn };
}

/** Rejects with a HarnessError after `ms`; `cancel()` stops the timer so the process can exit. */
function timeout(ms, message) {
  let timer;
  const promise = new Promise((_, reject) => (timer = setTimeout(() => reject(new HarnessError(message)), ms)));
  return { promise, cancel: () => clearTimeout(timer) };
}

/**
 * The workbench forwards the extension host's console through `codeAutomationLog(type, args)`;
 * args are the console call's arguments (mocha passes printf-style formats, hence util.format).
 * @param {unknown} args
 */
function formatLogArgs(args) {
  return Array.isArray(args) ? format(...args) : format(args);
}

async function main() {
  if (!existsSync(suiteIndex) || !existsSync(join(root, 'dist', 'extension.js'))) {
    throw new HarnessError('the extension or its tests are not built: run `npx tsc -p . && node esbuild.mjs` first (or `npm test`)', false);
  }
  const { SUITE_STARTED_MARKER } = require(suiteIndex);
  const { SCREENSHOT_MARKER, SCREENSHOT_NAME_PATTERN } = require(join(dirname(suiteIndex), 'util.js'));
  const host = ensureHost({ quiet: true });
  ensureChromium({ quiet: true });
  const { chromium } = await import('playwright-core');

  const tmp = mkdtempSync(join(tmpdir(), 'leak-lens-vscode-'));
  running = { tmp };
  /** @type {import('node:child_process').ChildProcess | undefined} */ let server;
  /** @type {import('playwright-core').Browser | undefined} */ let browser;
  /** @type {import('playwright-core').Page | undefined} */ let page;
  const serverLogFile = join(tmp, 'server-output.log');
  const serverLog = createWriteStream(serverLogFile);
  const started = Date.now();
  const total = timeout(totalTimeoutMs, `the VS Code test run did not finish within ${totalTimeoutMs} ms (LEAK_LENS_VSCODE_TIMEOUT_MS)`);
  const workbenchLogFile = join(tmp, 'workbench-console.log');
  const workbenchLog = createWriteStream(workbenchLogFile);
  let suiteRunning = false;
  /** @type {string | undefined} */ let summaryLine;
  let exitCode = 1;
  try {
    rmSync(screenshotDir, { recursive: true, force: true });
    rmSync(failureDir, { recursive: true, force: true });
    mkdirSync(screenshotDir, { recursive: true });
    // Tests may edit files in the workspace, so they get a fresh copy each run.
    const workspace = join(tmp, 'workspace');
    cpSync(fixtureWorkspace, workspace, { recursive: true });
    mkdirSync(join(tmp, 'ud', 'User'), { recursive: true });
    writeFileSync(
      join(tmp, 'ud', 'User', 'settings.json'),
      JSON.stringify(
        {
          // The chat agent host needs a native sqlite addon the npm package does not build.
          'chat.disableAIFeatures': true,
          'extensions.autoUpdate': false,
          'extensions.autoCheckUpdates': false,
          'workbench.startupEditor': 'none',
          'workbench.tips.enabled': false,
          // The server's own ports would otherwise show up as forwarded ports in the panel.
          'remote.autoForwardPorts': false,
          // Screenshots show the editor and panel, not an empty chat sidebar.
          'workbench.secondarySideBar.defaultVisibility': 'hidden',
          'telemetry.telemetryLevel': 'off',
          'update.mode': 'none',
          'security.workspace.trust.enabled': false,
        },
        null,
        2,
      ),
    );

    // --- server ---
    const port = await freePort();
    const serverReady = deferred();
    const serverExited = deferred();
    server = spawn(
      host.node24,
      [
        host.serverMain,
        '--host', '127.0.0.1',
        '--port', String(port),
        '--without-connection-token',
        '--accept-server-license-terms',
        // Without it the workbench ignores the extension-test parameters in the URL.
        '--enable-smoke-test-driver',
        '--disable-telemetry',
        '--disable-workspace-trust',
        '--server-data-dir', join(tmp, 'sd'),
        '--user-data-dir', join(tmp, 'ud'),
        '--extensions-dir', join(tmp, 'ext'),
        '--logsPath', join(tmp, 'logs'),
      ],
      {
        // Its own process group, so the extension host and everything it started die with it.
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          XDG_CACHE_HOME: join(tmp, 'cache'),
          // No extension gallery: the workbench would otherwise query a marketplace over the network.
          EXTENSIONS_GALLERY: '{}',
          // The extension host inherits these: where screenshots go, and the Node 24 tests may use.
          LEAK_LENS_SCREENSHOT_DIR: screenshotDir,
          LEAK_LENS_NODE24: process.env.LEAK_LENS_NODE24 || host.node24,
        },
      },
    );
    running.serverPid = server.pid;
    let serverOutput = '';
    const onServerData = (chunk) => {
      const text = chunk.toString();
      serverLog.write(text);
      if (verbose) process.stdout.write(`[server] ${text}`);
      if (serverOutput !== null) {
        serverOutput += text;
        if (serverOutput.includes('Extension host agent listening on')) {
          serverOutput = null;
          serverReady.resolve(undefined);
        }
      }
    };
    server.stdout.on('data', onServerData);
    server.stderr.on('data', onServerData);
    server.once('error', (error) => serverExited.reject(new HarnessError(`could not start the VS Code server: ${error.message}`)));
    server.once('exit', (code, signal) =>
      serverExited.reject(new HarnessError(`the VS Code server exited unexpectedly (${code ?? signal}); see its output in ${failureDir}`)),
    );
    // Either branch may lose the race; both are handled where they matter.
    serverExited.promise.catch(() => {});
    const startup = timeout(startTimeoutMs, `the VS Code server did not report "listening" within ${startTimeoutMs} ms`);
    try {
      await Promise.race([serverReady.promise, serverExited.promise, startup.promise, total.promise]);
    } finally {
      startup.cancel();
    }
    console.log(`[vscode-tests] VS Code server on 127.0.0.1:${port} after ${((Date.now() - started) / 1000).toFixed(1)} s`);

    // --- workbench ---
    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-dev-shm-usage',
      ],
      env: { ...process.env, XDG_CONFIG_HOME: join(tmp, 'xdg-config'), XDG_CACHE_HOME: join(tmp, 'cache') },
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const suiteStarted = deferred();
    const suiteExited = deferred();
    const browserGone = deferred();
    browserGone.promise.catch(() => {});
    page.once('crash', () => browserGone.reject(new HarnessError('the workbench page crashed')));
    browser.once('disconnected', () => browserGone.reject(new HarnessError('the browser closed unexpectedly')));

    /** Serialises screenshot requests so two never write the same file at once. */
    let screenshots = Promise.resolve();
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      const line = formatLogArgs(args);
      workbenchLog.write(`[${type}] ${line}\n`);
      if (line.includes(SUITE_STARTED_MARKER)) {
        suiteRunning = true;
        suiteStarted.resolve(undefined);
      }
      // The workbench logs its own start-up through the same channel; that is kept in the log file
      // and printed only from the suite's start on (or with LEAK_LENS_VSCODE_VERBOSE=1).
      if (verbose || (suiteRunning && !WORKBENCH_NOISE.test(line))) {
        (type === 'error' ? process.stderr : process.stdout).write(`${line}\n`);
      }
      const summary = SUMMARY_PATTERN.exec(line);
      if (summary) summaryLine = summary[0];
      if (line.startsWith(`${SCREENSHOT_MARKER} `)) {
        const name = line.slice(SCREENSHOT_MARKER.length + 1).trim();
        // A name never becomes a path outside the screenshot folder.
        if (SCREENSHOT_NAME_PATTERN.test(name)) {
          screenshots = screenshots.then(() => takeScreenshot(page, join(screenshotDir, `${name}.png`))).catch((error) => {
            console.error(`[vscode-tests] screenshot ${name} failed: ${error.message}`);
          });
        }
      }
    });
    await page.exposeFunction('codeAutomationExit', (code) => suiteExited.resolve(Number(code)));

    const remote = (path) => `vscode-remote://127.0.0.1:${port}${path}`;
    const payload = [
      ['extensionDevelopmentPath', remote(root)],
      ['extensionTestsPath', remote(suiteIndex)],
      ['enableProposedApi', ''],
      ['skipWelcome', 'true'],
    ];
    const url = `http://127.0.0.1:${port}/?payload=${encodeURIComponent(JSON.stringify(payload))}&folder=${encodeURIComponent(workspace)}`;
    await page.goto(url, { timeout: startTimeoutMs });

    const suiteStart = timeout(
      startTimeoutMs,
      `the extension tests did not start within ${startTimeoutMs} ms (LEAK_LENS_VSCODE_START_TIMEOUT_MS): ` +
        'no extension host, or the suite index failed to load',
    );
    try {
      await Promise.race([suiteStarted.promise, suiteExited.promise, serverExited.promise, browserGone.promise, suiteStart.promise, total.promise]);
    } finally {
      suiteStart.cancel();
    }
    exitCode = await Promise.race([suiteExited.promise, serverExited.promise, browserGone.promise, total.promise]);
    await screenshots;
    // Console lines and the exit call travel separately; give the summary a moment to arrive.
    const deadline = Date.now() + 3000;
    while (!summaryLine && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    if (!summaryLine) {
      console.log(`vscode: the suite ended (exit ${exitCode}) without printing its summary`);
      if (exitCode === 0) exitCode = 1;
    }
    if (exitCode !== 0) {
      console.error(`[vscode-tests] extension tests failed (exit ${exitCode}); logs in ${failureDir}`);
      await keepEvidence(page, tmp, [serverLog, workbenchLog]);
    }
  } catch (error) {
    exitCode = 1;
    console.error(`[vscode-tests] ${error instanceof Error ? error.message : String(error)}`);
    if (!(error instanceof HarnessError) || error.keepEvidence) {
      await keepEvidence(page, tmp, [serverLog, workbenchLog]);
      console.error(`[vscode-tests] server logs and a screenshot are in ${failureDir}`);
    }
  } finally {
    total.cancel();
    await cleanUp(browser, server, tmp, [serverLog, workbenchLog]);
  }
  console.log(`[vscode-tests] ${exitCode === 0 ? 'passed' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  // Repeated as the very last line, where CI looks for it.
  if (summaryLine) console.log(summaryLine);
  return exitCode;
}

/**
 * Waits for `promise` but at most `ms`, and clears its timer either way (a pending timer would keep
 * the process alive after the run).
 */
async function settleWithin(promise, ms) {
  let timer;
  try {
    await Promise.race([promise, new Promise((r) => (timer = setTimeout(r, ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Writes the screenshot to a temporary name first and renames it, so a test polling for the file
 * never reads half a PNG. Waits two animation frames so the last UI change is painted.
 * @param {import('playwright-core').Page | undefined} page @param {string} file
 */
async function takeScreenshot(page, file) {
  if (!page) return;
  await settleWithin(
    page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(undefined))))),
    1000,
  );
  const buffer = await page.screenshot({ timeout: 10_000 });
  writeFileSync(`${file}.tmp`, buffer);
  renameSync(`${file}.tmp`, file);
}

/** Ends the log streams (idempotent) so their files are complete. @param {import('node:fs').WriteStream[]} streams */
async function endLogs(streams) {
  await Promise.all(streams.map((stream) => (stream.writableEnded ? undefined : new Promise((r) => stream.end(r)))));
}

/**
 * Keeps what explains a failure in test-results/vscode-failure/: a screenshot of the workbench, the
 * server's output, the workbench console and VS Code's own logs (server, extension host).
 */
async function keepEvidence(page, tmp, streams) {
  mkdirSync(failureDir, { recursive: true });
  if (page && !page.isClosed()) {
    try {
      await takeScreenshot(page, join(failureDir, 'workbench.png'));
    } catch (error) {
      console.error(`[vscode-tests] could not take the failure screenshot: ${error.message}`);
    }
  }
  await endLogs(streams);
  for (const stream of streams) cpSync(String(stream.path), join(failureDir, basename(String(stream.path))));
  if (existsSync(join(tmp, 'logs'))) cpSync(join(tmp, 'logs'), join(failureDir, 'logs'), { recursive: true });
}

/** Closes the browser, kills the server's whole process group and removes the temp folder. */
async function cleanUp(browser, server, tmp, streams) {
  if (browser) {
    await settleWithin(
      browser.close().catch((error) => console.error(`[vscode-tests] closing the browser: ${error.message}`)),
      10_000,
    );
  }
  if (server?.pid !== undefined) await killGroup(server.pid);
  await endLogs(streams);
  rmSync(tmp, { recursive: true, force: true, maxRetries: 3 });
  running = undefined;
}

/** SIGTERM to the process group, then SIGKILL if anything in it is still alive after 5 s. */
async function killGroup(pid) {
  const alive = () => {
    try {
      process.kill(-pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  if (!alive()) return;
  try {
    process.kill(-pid, 'SIGTERM');
  } catch {
    // Already gone between the check and the kill.
    return;
  }
  const deadline = Date.now() + 5000;
  while (alive() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (alive()) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // Gone in the meantime: nothing left to kill.
    }
  }
}

/**
 * What an interrupted run must not leave behind. Set while a run is under way; on SIGINT/SIGTERM the
 * server group is killed and the temp folder removed synchronously (playwright closes the browser
 * on the same signals itself).
 * @type {{ serverPid?: number, tmp: string } | undefined}
 */
let running;

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(signal, () => {
    console.error(`[vscode-tests] ${signal}: stopping the VS Code server and removing temp files`);
    if (running?.serverPid !== undefined) {
      try {
        process.kill(-running.serverPid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    if (running) rmSync(running.tmp, { recursive: true, force: true });
    process.exit(130);
  });
}

process.exitCode = await main().catch((error) => {
  // Failures before anything was started (no chromium, nothing built, host install failed).
  console.error(`[vscode-tests] ${error instanceof Error ? error.message : String(error)}`);
  return 1;
});
