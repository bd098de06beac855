// Runs one rule over code snippets through the real Linter (so the engine, suppression and
// cross-file model are exercised too) and asserts messageIds and 1-based positions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allRuleIds, Linter, type LintConfig, type RuleId } from '../../src/lint';

export interface InvalidCase {
  code: string;
  errors: Array<{ messageId: string; line: number; column: number }>;
  /** File name of `code` (decides JS vs TS, Next.js routes); default /project/src/case.js. */
  filename?: string;
  /** Other workspace files, by absolute path. */
  files?: Record<string, string>;
  name?: string;
}

export type ValidCase = string | { code: string; filename?: string; files?: Record<string, string>; name?: string };

export function onlyRule(id: RuleId): LintConfig {
  const rules: LintConfig['rules'] = {};
  for (const other of allRuleIds) if (other !== id) rules[other] = 'off';
  return { rules, ignore: [], resources: [] };
}

export function lintSnippet(id: RuleId, code: string, filename = '/project/src/case.js', files: Record<string, string> = {}, config?: LintConfig) {
  const linter = new Linter(config ?? onlyRule(id));
  for (const [f, text] of Object.entries(files)) linter.setFile(f, text);
  linter.setFile(filename, code);
  const result = linter.lintFile(filename);
  assert.equal(result.parseError, undefined, `snippet does not parse: ${result.parseError}`);
  return result.findings.filter((f) => f.ruleId === id);
}

export function runRuleTests(id: RuleId, cases: { valid: ValidCase[]; invalid: InvalidCase[] }): void {
  cases.valid.forEach((c, i) => {
    const v = typeof c === 'string' ? { code: c } : c;
    test(`${id} valid #${i + 1}${v.name ? `: ${v.name}` : ''}`, () => {
      const findings = lintSnippet(id, v.code, v.filename, v.files);
      assert.deepEqual(findings.map((f) => `${f.range.start.line}:${f.range.start.column} ${f.messageId}: ${f.message}`), []);
    });
  });
  cases.invalid.forEach((c, i) => {
    test(`${id} invalid #${i + 1}${c.name ? `: ${c.name}` : ''}`, () => {
      const findings = lintSnippet(id, c.code, c.filename, c.files);
      assert.deepEqual(
        findings.map((f) => ({ messageId: f.messageId, line: f.range.start.line, column: f.range.start.column })),
        c.errors,
      );
      for (const f of findings) {
        assert.ok(!f.message.includes('{{'), `unfilled placeholder in: ${f.message}`);
        assert.ok(f.range.end.line >= f.range.start.line);
      }
    });
  });
}
