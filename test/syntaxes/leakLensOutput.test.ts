// The output channel grammar's patterns against lines the extension really writes. TextMate uses
// Oniguruma; these patterns stay inside the subset JavaScript shares with it, so JS RegExp checks them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

interface Rule {
  match?: string;
  name?: string;
  patterns?: Rule[];
}

const grammar = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'syntaxes', 'leak-lens-output.tmLanguage.json'), 'utf8')) as {
  scopeName: string;
  repository: Record<string, Rule>;
};

function rules(rule: Rule): Rule[] {
  return [rule, ...(rule.patterns ?? []).flatMap(rules)].filter((r) => r.match);
}

/** Scope names that some pattern assigns to `text` inside `line`. */
function scopesOf(line: string, text: string): string[] {
  const at = line.indexOf(text);
  assert.ok(at >= 0, `${text} is not in ${line}`);
  const found: string[] = [];
  for (const rule of Object.values(grammar.repository).flatMap(rules)) {
    for (const m of line.matchAll(new RegExp(rule.match!, 'g'))) {
      if (m.index! <= at && m.index! + m[0].length >= at + text.length) found.push(rule.name!);
    }
  }
  return found;
}

const lines = [
  '[04:17:20.937] info    #1 timer +1.1k Timeout/min at /work/app/media/demo/leaky-server.js:14:20 (SessionCache)',
  '[04:17:24.073] info  leaky-server.js: LEAKING — Leaking (40% confidence): heap grows 3.2 MB/min; Out of memory in 3 h 20 min (V8 heap limit 4.0 GB)',
  '[04:17:24.195] warn  could not remove the probe: ws://127.0.0.1:44725/c857d0b1 closed',
  '[04:17:25.001] error could not attach to 127.0.0.1:9229: Cannot attach to 127.0.0.1:9229: connection refused.',
  '[04:17:26.000] info  report written to C:\\work\\report.md',
];

test('every pattern compiles and has a scope', () => {
  assert.equal(grammar.scopeName, 'source.leak-lens-output');
  for (const rule of Object.values(grammar.repository).flatMap(rules)) {
    assert.ok(rule.name?.endsWith('.leak-lens-output'), rule.match);
    assert.doesNotThrow(() => new RegExp(rule.match!), rule.match);
  }
});

test('timestamps, levels, verdicts, sizes, rates, locations and URLs get their scopes', () => {
  assert.ok(scopesOf(lines[0], '[04:17:20.937]').includes('comment.line.timestamp.leak-lens-output'));
  assert.ok(scopesOf(lines[0], 'info').includes('markup.inserted.info.leak-lens-output'));
  assert.ok(scopesOf(lines[0], '+1.1k Timeout/min').includes('constant.numeric.rate.leak-lens-output'));
  assert.ok(scopesOf(lines[0], '/work/app/media/demo/leaky-server.js:14:20').includes('markup.underline.link.location.leak-lens-output'));
  assert.ok(scopesOf(lines[0], '#1').includes('keyword.other.rank.leak-lens-output'));
  assert.ok(scopesOf(lines[1], 'LEAKING').includes('invalid.illegal.leaking.leak-lens-output'));
  assert.ok(scopesOf(lines[1], '4.0 GB').includes('constant.numeric.size.leak-lens-output'));
  assert.ok(scopesOf(lines[2], 'warn').includes('markup.changed.warning.leak-lens-output'));
  assert.ok(scopesOf(lines[2], 'ws://127.0.0.1:44725/c857d0b1').includes('markup.underline.link.url.leak-lens-output'));
  assert.ok(scopesOf(lines[3], 'error').includes('invalid.illegal.error.leak-lens-output'));
  // A host:port is not a file location.
  assert.ok(!scopesOf(lines[3], '127.0.0.1:9229').includes('markup.underline.link.location.leak-lens-output'));
});
