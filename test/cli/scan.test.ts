// `leak-lens scan` end to end: the built CLI (dist/cli.js) as a child process on copies of the
// fixture folders, checking outputs, exit codes, and that .gitignored paths and node_modules are skipped.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '..', '..', '..');
const cli = join(root, 'dist', 'cli.js');
let work: string;

function scan(args: string[], cwd = work) {
  const r = spawnSync(process.execPath, [cli, 'scan', ...args], { cwd, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.error, undefined);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

before(() => {
  assert.ok(existsSync(cli), 'dist/cli.js is missing: run `node esbuild.mjs` first');
  work = mkdtempSync(join(tmpdir(), 'leak-lens-scan-'));
  cpSync(join(root, 'test', 'fixtures', 'lint'), work, { recursive: true });
  // Leaky code that must never be scanned: in node_modules and in a .gitignored folder.
  const leak = "const app = require('express')();\napp.get('/x', (req, res) => { process.on('exit', () => res.end()); });\n";
  mkdirSync(join(work, 'app', 'node_modules', 'leaky'), { recursive: true });
  writeFileSync(join(work, 'app', 'node_modules', 'leaky', 'index.js'), leak);
  mkdirSync(join(work, 'app', 'generated'), { recursive: true });
  writeFileSync(join(work, 'app', 'generated', 'bundle.js'), leak);
});

after(() => rmSync(work, { recursive: true, force: true }));

const expected = [
  'src/server.js:13:17 no-per-request-background-work',
  'src/server.js:20:72 no-per-request-background-work',
  'src/server.js:26:3 no-listener-leak',
  'src/server.js:32:20 no-unclosed-resource',
  'src/server.js:39:3 no-unbounded-cache',
  'src/server.js:45:3 no-uncleared-timer',
  'src/server.js:50:17 no-per-request-background-work',
];

test('text: stylish output, one line per finding, exit 1, ignored paths skipped', () => {
  const r = scan(['app']);
  assert.equal(r.code, 1, r.stderr);
  const lines = r.stdout.split('\n');
  assert.equal(lines[0], 'app/src/server.js');
  assert.match(lines[1], /^ {2}13:17 {2}warning {2}`new NodeCache\(\)` creates a NodeCache .* {2}no-per-request-background-work$/);
  assert.equal(lines.filter((l) => /^ {2}\d+:\d+ /.test(l)).length, expected.length);
  assert.match(r.stdout, /✖ 7 findings \(0 errors, 7 warnings, 0 info\) in 3 files\n$/);
  assert.doesNotMatch(r.stdout, /lookalikes|generated|node_modules/);
});

test('json: findings with relative paths and 1-based positions', () => {
  const r = scan(['app', '--format', 'json']);
  assert.equal(r.code, 1, r.stderr);
  const report = JSON.parse(r.stdout) as { files: number; findings: Array<{ path: string; ruleId: string; range: { start: { line: number; column: number } }; related: unknown[] }> };
  assert.equal(report.files, 3);
  assert.deepEqual(report.findings.map((f) => `${f.path.replace(/^app\//, '')}:${f.range.start.line}:${f.range.start.column} ${f.ruleId}`), expected);
  assert.ok(report.findings.every((f) => f.related.length >= 1));
  assert.match(r.stderr, /3 files, 7 findings, 0 unparsable/);
});

test('sarif: 2.1.0 with rule metadata, relative URIs, regions and related locations, via --output', () => {
  const out = join(work, 'report.sarif');
  const r = scan(['app', '--format=sarif', '--output', out]);
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.stdout, '');
  const sarif = JSON.parse(readFileSync(out, 'utf8'));
  assert.equal(sarif.version, '2.1.0');
  const run = sarif.runs[0];
  assert.equal(run.tool.driver.name, 'leak-lens');
  assert.match(run.tool.driver.version, /^\d+\.\d+\.\d+/);
  const ids = run.tool.driver.rules.map((x: { id: string }) => x.id);
  assert.deepEqual([...ids].sort(), ['no-listener-leak', 'no-per-request-background-work', 'no-unbounded-cache', 'no-uncleared-timer', 'no-unclosed-resource', 'no-unconsumed-body']);
  for (const rule of run.tool.driver.rules) {
    assert.ok(rule.shortDescription.text && rule.fullDescription.text);
    assert.match(rule.helpUri, new RegExp(`docs/rules/${rule.id}\\.md$`));
    assert.equal(rule.defaultConfiguration.level, 'warning');
  }
  assert.match(run.originalUriBaseIds['%SRCROOT%'].uri, /^file:\/\/.*\/$/);
  assert.equal(run.results.length, 7);
  const first = run.results[0];
  assert.equal(first.ruleId, 'no-per-request-background-work');
  assert.equal(run.tool.driver.rules[first.ruleIndex].id, first.ruleId);
  assert.equal(first.level, 'warning');
  assert.match(first.message.text, /NodeCache/);
  const loc = first.locations[0].physicalLocation;
  assert.deepEqual(loc.artifactLocation, { uri: 'app/src/server.js', uriBaseId: '%SRCROOT%' });
  assert.deepEqual(loc.region, { startLine: 13, startColumn: 17, endLine: 13, endColumn: 46 });
  assert.equal(first.relatedLocations[0].physicalLocation.region.startLine, 12);
  assert.match(first.relatedLocations[0].message.text, /runs per request: app\.get\('\/orders\/:id'\)/);
});

test('exit 0 and a summary when nothing is found; unparsable files are reported on stderr', () => {
  const clean = scan(['clean']);
  assert.equal(clean.code, 0, clean.stderr);
  assert.equal(clean.stdout, 'No leak patterns found in 1 file.\n');
  const broken = scan(['broken']);
  assert.equal(broken.code, 0);
  assert.match(broken.stderr, /skipped broken\/bad\.js: 1:\d+ /);
});

test('--config turns rules off (and a bad config is exit 2)', () => {
  const cfg = join(work, 'quiet.json');
  writeFileSync(cfg, JSON.stringify({ rules: { 'no-per-request-background-work': 'off', 'no-listener-leak': 'off', 'no-unclosed-resource': 'off', 'no-unbounded-cache': 'off', 'no-uncleared-timer': 'error' } }));
  const r = scan(['app', '--config', cfg, '--format', 'json']);
  assert.equal(r.code, 1);
  assert.deepEqual(JSON.parse(r.stdout).findings.map((f: { ruleId: string; severity: string }) => `${f.ruleId} ${f.severity}`), ['no-uncleared-timer error']);
  writeFileSync(cfg, '{ "rules": { "no-such-rule": "off" } }');
  const bad = scan(['app', '--config', cfg]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown rule "no-such-rule"/);
});

test('a .leaklensrc.json in the scanned project is picked up (ignore globs relative to it)', () => {
  writeFileSync(join(work, 'app', '.leaklensrc.json'), JSON.stringify({ ignore: ['src/server.js'] }));
  try {
    const r = scan(['.'], join(work, 'app'));
    assert.equal(r.code, 0, r.stdout);
  } finally {
    rmSync(join(work, 'app', '.leaklensrc.json'));
  }
});

test('usage and I/O errors are exit 2 with a message; --help is exit 0', () => {
  for (const args of [[], ['app', '--format', 'xml'], ['app', '--bogus'], ['app', '--output']]) {
    const r = scan(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}`);
    assert.match(r.stderr, /leak-lens scan: /);
  }
  const missing = scan(['no-such-dir']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /cannot read \S*no-such-dir: ENOENT/);
  const unwritable = scan(['clean', '--output', join(work, 'no', 'such', 'dir', 'x.json')]);
  assert.equal(unwritable.code, 2);
  assert.match(unwritable.stderr, /cannot write/);
  const help = scan(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^Usage: leak-lens scan <paths\.\.\.> \[--format text\|json\|sarif\] \[--output FILE\] \[--config FILE\]/);
});
