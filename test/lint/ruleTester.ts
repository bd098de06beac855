// Runs one rule over code snippets through the real Linter (so the engine, suppression and
// cross-file model are exercised too) and asserts messageIds and 1-based positions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allRuleIds, Linter, type LintConfig, type RuleId } from '../../src/lint';

export interface InvalidCase {
  code: string;
  errors: Array<{ messageId: string; line: number; column: number }>;
  /**
   * The code after applying the first finding's first fix (eslint RuleTester's `output`): asserted
   * exactly, then linted again, which must not report that finding's rule there any more.
   */
  output?: string;
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
      if (c.output !== undefined) {
        const fix = findings[0]?.fixes[0];
        assert.ok(fix, 'expected a quick fix on the first finding');
        const fixed = applyEdits(c.code, fix.edits);
        assert.equal(fixed, c.output);
        const again = lintSnippet(id, fixed, c.filename, c.files);
        assert.ok(!again.some((f) => f.range.start.line === findings[0].range.start.line && f.messageId === findings[0].messageId), `still reported after the fix:\n${fixed}`);
      }
    });
  });
}

/** Applies text edits (1-based ranges) to `code`, last first so earlier offsets stay valid. */
export function applyEdits(code: string, edits: ReadonlyArray<{ range: { start: { line: number; column: number }; end: { line: number; column: number } }; newText: string }>): string {
  const starts = [0];
  for (let i = code.indexOf('\n'); i >= 0; i = code.indexOf('\n', i + 1)) starts.push(i + 1);
  const offset = (p: { line: number; column: number }) => starts[p.line - 1] + p.column - 1;
  const sorted = [...edits].sort((x, y) => offset(y.range.start) - offset(x.range.start));
  let out = code;
  for (const e of sorted) out = out.slice(0, offset(e.range.start)) + e.newText + out.slice(offset(e.range.end));
  return out;
}
