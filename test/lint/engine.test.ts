// The engine as the language server and the CLI use it: parse errors, suppression, severities,
// quick fixes that really apply, the cross-file workspace model, config loading and discovery.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../src/shared/errors';
import { defaultConfig, discoverFiles, type Finding, Linter, loadConfig } from '../../src/lint';

const E = "const express = require('express');\nconst app = express();\n";

function lint(text: string, file = '/w/src/a.js', linter = new Linter()) {
  linter.setFile(file, text);
  return linter.lintFile(file);
}

/** Applies a fix's edits (1-based ranges) to `text`, last edit first. */
function applyFix(text: string, fix: Finding['fixes'][number]): string {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
  const offset = (p: { line: number; column: number }) => starts[p.line - 1] + p.column - 1;
  const edits = fix.edits.map((e) => ({ start: offset(e.range.start), end: offset(e.range.end), text: e.newText })).sort((a, b) => b.start - a.start);
  let out = text;
  for (const e of edits) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

test('a file that does not parse yields parseError and no findings, never an exception', () => {
  for (const [file, text] of [['/w/a.js', 'function (  {\n  const x = ;'], ['/w/a.ts', 'let x: = 1;\nclass {'], ['/w/a.jsx', 'const a = <div>;']]) {
    const r = lint(text, file);
    assert.deepEqual(r.findings, []);
    assert.match(r.parseError ?? '', /^\d+:\d+ /, `${file}: ${r.parseError}`);
  }
});

test('TypeScript, JSX and modern syntax parse without a parseError', () => {
  const samples: Array<[string, string]> = [
    ['/w/a.ts', 'enum E { A }\nexport abstract class X<T> { private readonly m = new Map<string, T>(); constructor(public a?: T) {} }\n@dec class Y {}'],
    ['/w/a.tsx', 'export const A = (p: { n: number }) => <div>{p.n satisfies number}</div>;'],
    ['/w/a.mjs', 'const x = await import("./b.mjs");\nexport { x };\nlabel: for (;;) break label;'],
    ['/w/a.cts', 'import fs = require("fs");\nexport = fs;'],
  ];
  for (const [file, text] of samples) assert.equal(lint(text, file).parseError, undefined, file);
});

test('a file that was never added reports why instead of throwing', () => {
  assert.match(new Linter().lintFile('/nope.js').parseError ?? '', /setFile/);
});

test('suppression comments silence only the named rules on the next line', () => {
  const code = `${E}app.get('/x', (req, res) => {\n  // leak-lens-disable-next-line no-uncleared-timer, no-listener-leak\n  setInterval(() => res.write('.'), 1000); process.on('exit', () => res.end());\n  // leak-lens-disable-next-line no-unbounded-cache\n  setInterval(() => res.write('.'), 1000);\n  /* leak-lens-disable-next-line */\n  process.on('exit', () => res.end());\n});`;
  const r = lint(code);
  assert.deepEqual(r.findings.map((f) => `${f.range.start.line} ${f.ruleId}`), ['7 no-uncleared-timer']);
});

test('config turns rules off and overrides severities', () => {
  const code = `${E}app.get('/x', (req, res) => {\n  setInterval(() => res.write('.'), 1000);\n  process.on('exit', () => res.end());\n});`;
  const linter = new Linter({ ...defaultConfig(), rules: { 'no-uncleared-timer': 'off', 'no-listener-leak': 'error' } });
  const r = lint(code, '/w/a.js', linter);
  assert.deepEqual(r.findings.map((f) => `${f.ruleId} ${f.severity}`), ['no-listener-leak error']);
  linter.setConfig(defaultConfig());
  assert.deepEqual(linter.lintFile('/w/a.js').findings.map((f) => `${f.ruleId} ${f.severity}`), ['no-uncleared-timer warning', 'no-listener-leak warning']);
});

test('findings carry related information pointing at the repeated scope', () => {
  const r = lint(`${E}app.get('/orders', (req, res) => {\n  process.on('exit', () => res.end());\n});`);
  assert.equal(r.findings.length, 1);
  assert.deepEqual(r.findings[0].related.map((x) => [x.message, x.range.start.line]), [["runs per request: app.get('/orders') at line 3", 3]]);
});

test('user-declared resources and background constructors from the config', () => {
  const config = { ...defaultConfig(), resources: [
    { module: 'my-db', name: 'checkout', kind: 'resource' as const, close: ['giveBack'] },
    { name: 'TenantCache', kind: 'background' as const },
  ] };
  const code = `const db = require('my-db');\nconst { TenantCache } = require('tenant-cache');\n${E}app.get('/x', async (req, res) => {\n  const c = await db.checkout();\n  const t = new TenantCache();\n  res.json(await c.q(t));\n});\nasync function ok() {\n  const c = await db.checkout();\n  try { return await c.q(); } finally { c.giveBack(); }\n}`;
  const r = lint(code, '/w/a.js', new Linter(config));
  assert.deepEqual(r.findings.map((f) => `${f.range.start.line} ${f.ruleId}`), ['6 no-unclosed-resource', '7 no-per-request-background-work']);
});

test('quick fixes apply cleanly and remove the finding', () => {
  const cases: Array<{ file: string; code: string; title: RegExp; output?: string }> = [
    { file: '/w/a.js', code: `const fs = require('fs');\nasync function head(p) {\n  const fh = await fs.promises.open(p, 'r');\n  const r = await fh.read(Buffer.alloc(8), 0, 8, 0);\n  return r.buffer;\n}`, title: /finally/ },
    { file: '/w/a.ts', code: `import { open } from 'node:fs/promises';\nexport async function size(p: string) {\n  const fh = await open(p);\n  return (await fh.stat()).size;\n}`, title: /await using/ },
    { file: '/w/a.js', code: `const fs = require('fs');\nfunction first(p) {\n  const fd = fs.openSync(p, 'r');\n  const b = Buffer.alloc(8);\n  fs.readSync(fd, b, 0, 8, 0);\n  return b;\n}`, title: /finally/ },
    { file: '/w/a.js', code: `const NodeCache = require('node-cache');\n${E}app.get('/o', (req, res) => {\n  const cache = new NodeCache({ stdTTL: 60 });\n  res.json(cache.keys());\n});`, title: /Hoist/ },
    { file: '/w/a.js', code: `${E}const seen = new Map();\napp.get('/t', (req, res) => {\n  seen.set(req.query.s, 1);\n  res.end();\n});`, title: /Bound/ },
    { file: '/w/a.js', code: `${E}const log = [];\napp.use((req, res, next) => {\n  log.push(req.url);\n  next();\n});`, title: /Bound/ },
    { file: '/w/a.js', code: `${E}app.get('/w', (req, res) => {\n  process.on('warning', () => res.end());\n});`, title: /once/ },
    { file: '/w/a.js', code: `const target = new EventTarget();\n${E}app.get('/a', (req, res) => {\n  target.addEventListener('tick', () => res.end());\n});`, title: /once: true/,
      output: `const target = new EventTarget();\n${E}app.get('/a', (req, res) => {\n  target.addEventListener('tick', () => res.end(), { once: true });\n});` },
    { file: '/w/a.js', code: `const { Pool } = require('pg');\nconst pool = new Pool();\nasync function t(a) {\n  const client = await pool.connect();\n  await client.query('BEGIN');\n  await client.query('UPDATE x SET y = $1', [a]);\n  client.release();\n}`, title: /finally/,
      output: `const { Pool } = require('pg');\nconst pool = new Pool();\nasync function t(a) {\n  const client = await pool.connect();\n  try {\n    await client.query('BEGIN');\n    await client.query('UPDATE x SET y = $1', [a]);\n  } finally {\n    client.release();\n  }\n}` },
    { file: '/w/a.js', code: `async function g(u) {\n  const res = await fetch(u);\n  if (!res.ok) throw new Error('x');\n  return res.json();\n}`, title: /Cancel/ },
    { file: '/w/a.js', code: `async function g(u) {\n  const res = await fetch(u);\n  if (!res.ok) {\n    throw new Error('x');\n  }\n  return res.json();\n}`, title: /Cancel/ },
  ];
  for (const c of cases) {
    const before = lint(c.code, c.file);
    assert.equal(before.findings.length, 1, `${c.code}\n${JSON.stringify(before.findings.map((f) => f.message))}`);
    const fix = before.findings[0].fixes.find((f) => c.title.test(f.title));
    assert.ok(fix, `no fix matching ${c.title} in ${JSON.stringify(before.findings[0].fixes.map((f) => f.title))}`);
    const fixed = applyFix(c.code, fix);
    if (c.output !== undefined) assert.equal(fixed, c.output, `"${fix.title}" produced:\n${fixed}`);
    const after = lint(fixed, c.file);
    assert.equal(after.parseError, undefined, fixed);
    assert.deepEqual(after.findings.map((f) => f.message), [], `still reported after "${fix.title}":\n${fixed}`);
  }
});

test('fixes are only offered where safe: no hoist when the constructor uses request data', () => {
  const r = lint(`const NodeCache = require('node-cache');\n${E}app.get('/o', (req, res) => {\n  const cache = new NodeCache({ stdTTL: Number(req.query.ttl) });\n  res.json(cache.keys());\n});`);
  assert.equal(r.findings.length, 1);
  assert.deepEqual(r.findings[0].fixes, []);
  const js = lint(`const fs = require('fs');\nasync function s(p) {\n  const fh = await fs.promises.open(p);\n  return (await fh.stat()).size;\n}`);
  assert.ok(!js.findings[0].fixes.some((f) => /using/.test(f.title)), 'no `await using` in a .js file');
});

test('cross-file: a class constructed per request whose constructor starts an interval, updated live', () => {
  const linter = new Linter();
  const handler = `const { Logic } = require('./logic');\n${E}app.post('/c', (req, res) => {\n  const l = new Logic();\n  res.json(l.run());\n});`;
  linter.setFile('/w/src/handler.js', handler);
  assert.deepEqual(linter.lintFile('/w/src/handler.js').findings, [], 'unknown class: quiet');
  linter.setFile('/w/src/logic.js', `class Logic {\n  constructor() { this.t = setInterval(() => {}, 1000); }\n  run() { return 1; }\n}\nmodule.exports = { Logic };`);
  const r = linter.lintFile('/w/src/handler.js');
  assert.deepEqual(r.findings.map((f) => `${f.ruleId} ${f.range.start.line}`), ['no-per-request-background-work 5']);
  assert.ok(r.findings[0].related.some((x) => x.file === '/w/src/logic.js' && x.range.start.line === 2));
  linter.setFile('/w/src/logic.js', `class Logic {\n  run() { return 1; }\n}\nmodule.exports = { Logic };`);
  assert.deepEqual(linter.lintFile('/w/src/handler.js').findings, []);
  linter.deleteFile('/w/src/logic.js');
  assert.deepEqual(linter.lintFile('/w/src/handler.js').findings, []);
});

test('cross-file through a TS re-export chain and an ESM .js specifier', () => {
  const linter = new Linter();
  linter.setFile('/w/src/cache.ts', `import NodeCache from 'node-cache';\nexport class UserCache {\n  private c = new NodeCache({ stdTTL: 5 });\n}`);
  linter.setFile('/w/src/service.ts', `import { UserCache } from './cache.js';\nexport default class Service {\n  cache = new UserCache();\n}`);
  linter.setFile('/w/src/route.ts', `import Service from './service.js';\nimport express from 'express';\nconst app = express();\napp.get('/u', (req, res) => {\n  const s = new Service();\n  res.json(s);\n});`);
  assert.deepEqual(linter.lintFile('/w/src/route.ts').findings.map((f) => `${f.ruleId} ${f.range.start.line}`), ['no-per-request-background-work 5']);
});

test('loadConfig finds .leaklensrc.json or package.json upwards, and rejects bad files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'leak-lens-config-'));
  try {
    mkdirSync(join(dir, 'a', 'b'), { recursive: true });
    assert.deepEqual(loadConfig(join(dir, 'a', 'b')).config.rules, {});
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'x', leakLens: { rules: { 'no-listener-leak': 'off' } } }));
    const fromPkg = loadConfig(join(dir, 'a', 'b'));
    assert.equal(fromPkg.file, join(dir, 'package.json'));
    assert.equal(fromPkg.config.rules['no-listener-leak'], 'off');
    writeFileSync(join(dir, 'a', '.leaklensrc.json'), JSON.stringify({ ignore: ['gen/**'], resources: [{ name: 'open', kind: 'resource' }] }));
    const fromRc = loadConfig(join(dir, 'a', 'b'));
    assert.equal(fromRc.file, join(dir, 'a', '.leaklensrc.json'));
    assert.deepEqual(fromRc.config.ignore, ['gen/**']);
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ rules: { 'no-such-rule': 'off' } }));
    assert.throws(() => loadConfig(dir, 'bad.json'), (e: unknown) => e instanceof ConfigError && /no-such-rule/.test(e.message));
    writeFileSync(join(dir, 'bad2.json'), '{ nope');
    assert.throws(() => loadConfig(dir, 'bad2.json'), (e: unknown) => e instanceof ConfigError && /not valid JSON/.test(e.message));
    writeFileSync(join(dir, 'bad3.json'), JSON.stringify({ rules: { 'no-listener-leak': 'loud' } }));
    assert.throws(() => loadConfig(dir, 'bad3.json'), ConfigError);
    assert.throws(() => loadConfig(dir, 'missing.json'), (e: unknown) => e instanceof ConfigError && /cannot read/.test(e.message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('discoverFiles skips node_modules, .gitignored paths, declaration files and config ignores', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'leak-lens-discover-'));
  try {
    for (const f of ['src/a.js', 'src/b.ts', 'src/c.d.ts', 'src/d.md', 'node_modules/x/i.js', 'build/out.js', 'src/gen/g.mjs', 'src/sub/e.tsx']) {
      mkdirSync(join(dir, f, '..'), { recursive: true });
      writeFileSync(join(dir, f), '');
    }
    writeFileSync(join(dir, '.gitignore'), 'build/\n');
    writeFileSync(join(dir, 'src', '.gitignore'), '*.mjs\n');
    let progress = 0;
    const files = await discoverFiles([dir], { onProgress: (n) => (progress = n) });
    assert.deepEqual(files.map((f) => f.slice(dir.length + 1).split('\\').join('/')), ['src/a.js', 'src/b.ts', 'src/sub/e.tsx']);
    assert.equal(progress, 3);
    const fewer = await discoverFiles([dir], { ignore: ['sub/'], ignoreBase: join(dir, 'src') });
    assert.deepEqual(fewer.map((f) => f.slice(dir.length + 1).split('\\').join('/')), ['src/a.js', 'src/b.ts']);
    await assert.rejects(discoverFiles([join(dir, 'missing')]), /cannot read/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('cross-file repetition follows edits: a helper is per request only while a route in another file calls it', () => {
  const linter = new Linter();
  const helper = '/w/src/heartbeat.js';
  const server = '/w/src/server.js';
  linter.setFile(helper, `function startHeartbeat(ws) {\n  setInterval(() => ws.ping(), 30000);\n}\nmodule.exports = { startHeartbeat };`);
  const perConnection = `const { startHeartbeat } = require('./heartbeat');\nconst wss = new (require('ws').Server)({ port: 1 });\nwss.on('connection', (ws) => startHeartbeat(ws));`;
  linter.setFile(server, perConnection);
  const ids = () => linter.lintFile(helper).findings.map((f) => f.messageId);
  assert.deepEqual(ids(), ['intervalPerScope']);
  // The route stops calling it: only the per-connection-parameter heuristic is left.
  linter.setFile(server, `const { startHeartbeat } = require('./heartbeat');\nmodule.exports = startHeartbeat;`);
  assert.deepEqual(ids(), ['neverCleared']);
  linter.setFile(server, perConnection);
  assert.deepEqual(ids(), ['intervalPerScope']);
  // The importer goes away altogether.
  linter.deleteFile(server);
  assert.deepEqual(ids(), ['neverCleared']);
});
