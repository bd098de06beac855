// Keeps rules, docs and tests from drifting: every rule's id matches its file, its examples behave
// as documented, every messageId is exercised, and its docs page shows the examples.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { allRuleIds, ruleDocsUrl, ruleMetas } from '../../src/lint';
import { rules } from '../../src/lint/rules';
import { lintSnippet } from './ruleTester';

const root = resolve(__dirname, '..', '..', '..');

test('every rule id is listed once and has its own file, sorted in rules/index.ts', () => {
  assert.deepEqual([...ruleMetas.map((m) => m.id)].sort(), [...allRuleIds].sort());
  const index = readFileSync(join(root, 'src', 'lint', 'rules', 'index.ts'), 'utf8');
  const imports = [...index.matchAll(/from '\.\/([^']+)'/g)].map((m) => m[1]);
  assert.deepEqual(imports, [...imports].sort(), 'rules/index.ts imports are sorted');
  for (const rule of rules) {
    assert.ok(existsSync(join(root, 'src', 'lint', 'rules', `${rule.meta.id}.ts`)), `src/lint/rules/${rule.meta.id}.ts`);
    assert.ok(imports.includes(rule.meta.id), `rules/index.ts imports ./${rule.meta.id}`);
  }
});

for (const rule of rules) {
  const id = rule.meta.id;
  test(`${id}: meta is complete and the docs page exists`, () => {
    assert.match(rule.meta.description, /\.$/);
    assert.ok(rule.meta.docs.why.length > 40 && rule.meta.docs.fix.length > 40);
    assert.ok(rule.meta.examples.valid.length >= 1 && rule.meta.examples.invalid.length >= 1);
    assert.ok(ruleDocsUrl(id).endsWith(`docs/rules/${id}.md`));
    const doc = readFileSync(join(root, 'docs', 'rules', `${id}.md`), 'utf8');
    assert.ok(doc.startsWith(`# ${id}`), 'docs page starts with the rule id');
    for (const example of [...rule.meta.examples.valid, ...rule.meta.examples.invalid]) {
      assert.ok(doc.includes(example), `docs/rules/${id}.md shows the example:\n${example}`);
    }
  });

  test(`${id}: documented examples behave as documented`, () => {
    for (const code of rule.meta.examples.invalid) {
      assert.ok(lintSnippet(id, code).length > 0, `invalid example reports nothing:\n${code}`);
    }
    for (const code of rule.meta.examples.valid) {
      assert.deepEqual(lintSnippet(id, code).map((f) => f.message), [], `valid example reports:\n${code}`);
    }
  });

  test(`${id}: every messageId is used by a test or an example`, () => {
    const tests = readFileSync(join(root, 'test', 'lint', 'rules', `${id}.test.ts`), 'utf8');
    const fromExamples = new Set(rule.meta.examples.invalid.flatMap((code) => lintSnippet(id, code).map((f) => f.messageId)));
    for (const messageId of Object.keys(rule.meta.messages)) {
      assert.ok(fromExamples.has(messageId) || tests.includes(`messageId: '${messageId}'`), `messageId ${messageId} of ${id} is never exercised`);
    }
  });
}
