// The language server over the real protocol: `node dist/server.js --stdio` (build first), JSON-RPC
// through vscode-jsonrpc, real files in a temporary workspace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import type { Hotspot } from '../../src/core/report';
import { applyEdits, editsOf, LspTestClient, serverPath } from './lspClient';

const RULE = 'no-uncleared-timer';

/** A handler that starts an interval per request and never clears it. */
const LEAKY = [
  "const http = require('node:http');",
  '',
  'http.createServer((req, res) => {',
  '  setInterval(() => console.log(req.url), 1000);',
  "  res.end('ok');",
  '}).listen(0);',
  '',
].join('\n');
/** 1-based line of the interval in LEAKY. */
const INTERVAL_LINE = 4;

/** A per-request keep-alive agent: its rule offers a safe quick fix (hoist to module scope). */
const PER_REQUEST_AGENT = [
  "const http = require('node:http');",
  '',
  'http.createServer((req, res) => {',
  '  const agent = new http.Agent({ keepAlive: true });',
  "  http.get('http://127.0.0.1:1/', { agent }, () => {});",
  "  res.end('ok');",
  '}).listen(0);',
  '',
].join('\n');
const AGENT_RULE = 'no-per-request-background-work';
const AGENT_LINE = 4;

function workspace(files: Record<string, string> = {}): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'leak-lens-server-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

const ours = (diagnostics: Diagnostic[], rule = RULE) => diagnostics.filter((d) => d.source === 'leak-lens' && d.code === rule);

test('the server bundle exists (run `node esbuild.mjs` first)', () => {
  assert.ok(existsSync(serverPath), `${serverPath} is missing`);
});

test('didOpen publishes the finding with rule, range and docs link; a fixing didChange clears it', async () => {
  const ws = workspace();
  const client = await LspTestClient.start({ workspaceFolder: ws.dir });
  try {
    const uri = client.open(path.join(ws.dir, 'server.js'), LEAKY);
    const diagnostics = ours(await client.waitForDiagnostics(uri, (d) => ours(d).length > 0));
    assert.equal(diagnostics.length, 1, JSON.stringify(diagnostics));
    const [d] = diagnostics;
    assert.equal(d.range.start.line, INTERVAL_LINE - 1, 'LSP lines are 0-based');
    assert.equal(d.range.start.character, LEAKY.split('\n')[INTERVAL_LINE - 1].indexOf('setInterval'));
    assert.match(d.codeDescription?.href ?? '', new RegExp(`${RULE}`));
    assert.ok(d.severity !== undefined && d.severity >= 1 && d.severity <= 3);
    assert.ok(d.message.length > 10);

    // Incremental change: delete the interval line only.
    const start = { line: INTERVAL_LINE - 1, character: 0 };
    const version = client.change(uri, [{ range: { start, end: { line: INTERVAL_LINE, character: 0 } }, text: '' }]);
    const after = await client.waitForDiagnostics(uri, (ds) => ours(ds).length === 0);
    assert.deepEqual(ours(after), []);
    assert.equal(client.diagnostics.get(uri)?.version, version, 'the publish names the version it was computed for');
  } finally {
    client.dispose();
    ws.remove();
  }
});

test('a quick fix, applied, removes the finding; "disable for this line" too; docs action links the rule', async () => {
  const ws = workspace();
  const mine = (ds: Diagnostic[]) => ours(ds, AGENT_RULE);
  const client = await LspTestClient.start({ workspaceFolder: ws.dir });
  try {
    const uri = client.open(path.join(ws.dir, 'server.js'), PER_REQUEST_AGENT);
    const [d] = mine(await client.waitForDiagnostics(uri, (ds) => mine(ds).length > 0));
    const actions = await client.codeActions(uri, d.range, [d]);
    const titles = actions.map((a) => a.title);

    const fix = actions.find((a) => a.isPreferred);
    assert.ok(fix, `a preferred fix among ${JSON.stringify(titles)}`);
    assert.equal(fix.kind, 'quickfix');
    const fixed = applyEdits(PER_REQUEST_AGENT, editsOf(fix, uri));
    assert.notEqual(fixed, PER_REQUEST_AGENT);
    client.change(uri, [{ text: fixed }]);
    await client.waitForDiagnostics(uri, (ds) => mine(ds).length === 0);

    const disable = actions.find((a) => a.title === `Disable ${AGENT_RULE} for this line`);
    assert.ok(disable, `a disable action among ${JSON.stringify(titles)}`);
    const suppressed = applyEdits(PER_REQUEST_AGENT, editsOf(disable, uri));
    assert.equal(suppressed.split('\n')[AGENT_LINE - 1], `  // leak-lens-disable-next-line ${AGENT_RULE}`, 'same indentation');
    client.change(uri, [{ text: suppressed }]);
    await client.waitForDiagnostics(uri, (ds) => mine(ds).length === 0 && client.diagnostics.get(uri)?.version === 3);

    const docs = actions.find((a) => a.command?.command === 'vscode.open');
    assert.ok(docs, `a docs action among ${JSON.stringify(titles)}`);
    assert.equal(docs.command?.arguments?.[0], d.codeDescription?.href);

    // The actions were computed for version 1; asking again with that stale diagnostic yields nothing
    // to apply, rather than edits at the wrong place.
    assert.deepEqual(
      (await client.codeActions(uri, d.range, [d])).filter((a) => a.edit),
      [],
    );
  } finally {
    client.dispose();
    ws.remove();
  }
});

test('runtime evidence confirms a finding (suffix, Error severity) and an empty list restores it', async () => {
  const ws = workspace();
  const client = await LspTestClient.start({ workspaceFolder: ws.dir });
  try {
    const file = path.join(ws.dir, 'server.js');
    const uri = client.open(file, LEAKY);
    const [before] = ours(await client.waitForDiagnostics(uri, (ds) => ours(ds).length > 0));
    const hotspot: Hotspot = {
      kind: 'timer',
      location: { file, line: INTERVAL_LINE + 1, column: 3 },
      function: '(anonymous)',
      resourceType: 'Timeout',
      countGrowthPerMinute: 240,
      liveCount: 900,
      score: 0.9,
    };
    const elsewhere: Hotspot = { ...hotspot, location: { ...hotspot.location, line: INTERVAL_LINE + 3 }, countGrowthPerMinute: 1 };
    client.notify('leakLens/runtimeEvidence', { hotspots: [hotspot, elsewhere] });
    const [confirmed] = ours(await client.waitForDiagnostics(uri, (ds) => ours(ds)[0]?.message.includes('confirmed') ?? false));
    assert.equal(confirmed.message, `${before.message} — confirmed at runtime: +240 Timeout/min`);
    assert.equal(confirmed.severity, 1);
    assert.deepEqual(confirmed.range, before.range);

    client.notify('leakLens/runtimeEvidence', { hotspots: [] });
    const [restored] = ours(await client.waitForDiagnostics(uri, (ds) => !(ours(ds)[0]?.message.includes('confirmed') ?? true)));
    assert.deepEqual(restored, before);

    // A hotspot 3 lines away is outside the ±2 tolerance; one in bytes is worded in MB.
    client.notify('leakLens/runtimeEvidence', { hotspots: [elsewhere] });
    client.notify('leakLens/runtimeEvidence', {
      hotspots: [{ ...hotspot, countGrowthPerMinute: undefined, resourceType: undefined, kind: 'heap', growthBytesPerMinute: 1_200_000 }],
    });
    const [bytes] = ours(await client.waitForDiagnostics(uri, (ds) => ours(ds)[0]?.message.includes('confirmed') ?? false));
    assert.match(bytes.message, / — confirmed at runtime: \+1\.1 MB\/min$/, "binary units, like the hotspot tree");
    const publishesWithElsewhere = client.publishes.filter((p) => p.params.uri === uri).map((p) => ours(p.params.diagnostics)[0]?.message ?? '');
    assert.equal(publishesWithElsewhere.filter((m) => m.includes('+1 Timeout/min')).length, 0, 'a hotspot 3 lines away confirms nothing');
  } finally {
    client.dispose();
    ws.remove();
  }
});

test('.leaklensrc.json turns a rule off; a setting turns it off too; a config change re-lints', async () => {
  const ws = workspace({ '.leaklensrc.json': JSON.stringify({ rules: { [RULE]: 'off' } }) });
  const client = await LspTestClient.start({ workspaceFolder: ws.dir });
  try {
    const uri = client.open(path.join(ws.dir, 'server.js'), LEAKY);
    const diagnostics = await client.waitForDiagnostics(uri);
    assert.deepEqual(ours(diagnostics), [], 'the config file turned the rule off');

    // Without the file the rule reports; the settings then turn it off again.
    rmSync(path.join(ws.dir, '.leaklensrc.json'));
    client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToFileURL(path.join(ws.dir, '.leaklensrc.json')).toString(), type: 3 }] });
    await client.waitForDiagnostics(uri, (ds) => ours(ds).length === 1);

    client.settings = { rules: { [RULE]: 'off' } };
    client.notify('workspace/didChangeConfiguration', { settings: null });
    await client.waitForDiagnostics(uri, (ds) => ours(ds).length === 0);

    client.settings = {};
    client.notify('workspace/didChangeConfiguration', { settings: null });
    await client.waitForDiagnostics(uri, (ds) => ours(ds).length === 1);

    client.settings = { enable: false };
    client.notify('workspace/didChangeConfiguration', { settings: null });
    await client.waitForDiagnostics(uri, (ds) => ours(ds).length === 0);
  } finally {
    client.dispose();
    ws.remove();
  }
});

test('ignore globs from the settings keep a file quiet', async () => {
  const ws = workspace();
  const client = await LspTestClient.start({ workspaceFolder: ws.dir, settings: { ignore: ['generated/'] } });
  try {
    const quiet = client.open(path.join(ws.dir, 'generated', 'server.js'), LEAKY);
    const loud = client.open(path.join(ws.dir, 'src', 'server.js'), LEAKY);
    await client.waitForDiagnostics(loud, (ds) => ours(ds).length === 1);
    assert.deepEqual(ours(await client.waitForDiagnostics(quiet)), []);
  } finally {
    client.dispose();
    ws.remove();
  }
});

test('files in node_modules or .gitignored stay quiet when opened, as scan skips them', async () => {
  const ws = workspace({ '.gitignore': 'dist/\n', 'node_modules/pkg/index.js': LEAKY, 'dist/server.js': LEAKY });
  mkdirSync(path.join(ws.dir, '.git'));
  const client = await LspTestClient.start({ workspaceFolder: ws.dir });
  try {
    const dependency = client.open(path.join(ws.dir, 'node_modules', 'pkg', 'index.js'), LEAKY);
    const built = client.open(path.join(ws.dir, 'dist', 'server.js'), LEAKY);
    const loud = client.open(path.join(ws.dir, 'src', 'server.js'), LEAKY);
    await client.waitForDiagnostics(loud, (ds) => ours(ds).length === 1);
    assert.deepEqual(ours(await client.waitForDiagnostics(dependency)), []);
    assert.deepEqual(ours(await client.waitForDiagnostics(built)), []);
  } finally {
    client.dispose();
    ws.remove();
  }
});

test('a file that does not parse: no crash, no diagnostics, a log message; the server keeps working', async () => {
  const ws = workspace();
  const client = await LspTestClient.start({ workspaceFolder: ws.dir });
  try {
    const broken = path.join(ws.dir, 'broken.ts');
    const uri = client.open(broken, 'export function f( {\n  setInterval(() => {}, 1000);\n  return (((;\n', 'typescript');
    assert.deepEqual(ours(await client.waitForDiagnostics(uri)), []);
    const log = await client.waitForLog((e) => e.message.includes(broken) && /parse/i.test(e.message));
    assert.ok(log.type >= 1);

    const good = client.open(path.join(ws.dir, 'server.js'), LEAKY);
    await client.waitForDiagnostics(good, (ds) => ours(ds).length === 1);
    assert.equal(client.process.exitCode, null, 'still running');
  } finally {
    client.dispose();
    ws.remove();
  }
});

test('leakLens/scanWorkspace lints files that are not open, publishes them and returns counts', async () => {
  const ws = workspace({
    'a.js': LEAKY,
    'lib/b.mjs': LEAKY,
    'lib/clean.ts': 'export const x = 1;\n',
    'node_modules/dep/index.js': LEAKY,
    'notes.txt': LEAKY,
  });
  const client = await LspTestClient.start({ workspaceFolder: ws.dir });
  try {
    const result = await client.request<{ ok?: { files: number; findings: number }; error?: unknown }>('leakLens/scanWorkspace', {
      workDoneToken: 'scan-1',
    });
    assert.deepEqual(result, { ok: { files: 3, findings: 2 } });
    const a = pathToFileURL(path.join(ws.dir, 'a.js')).toString();
    const b = pathToFileURL(path.join(ws.dir, 'lib', 'b.mjs')).toString();
    assert.equal(ours(await client.waitForDiagnostics(a)).length, 1);
    assert.equal(ours(await client.waitForDiagnostics(b)).length, 1);
    assert.equal(client.diagnostics.has(pathToFileURL(path.join(ws.dir, 'node_modules', 'dep', 'index.js')).toString()), false);
  } finally {
    client.dispose();
    ws.remove();
  }
});

test('shutdown and exit end the process', async () => {
  const client = await LspTestClient.start();
  try {
    assert.equal(await client.shutdown(), 0);
  } finally {
    client.dispose();
  }
});
