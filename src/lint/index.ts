/**
 * The lint API the language server and the CLI use: configuration, file discovery, the Linter
 * (which holds the workspace's files for cross-file facts) and rule metadata.
 */
export * from './types';
export type { RuleMeta } from './rule';
export { allRuleIds, type RuleId } from './rules';
export type { LintConfig, ResourceDeclaration } from './config';
export { defaultConfig, loadConfig, validateConfig } from './config';
export type { LintResult } from './linter';
export { Linter } from './linter';
export { discoverFiles, skippedPathFilter } from './discover';
export { isLintableFile, lintableExtensions, lintableGlob } from './languages';
import type { RuleMeta } from './rule';
import { rules } from './rules';

/** Metadata of every rule, sorted by id. */
export const ruleMetas: readonly RuleMeta[] = rules.map((r) => r.meta);

/** Link to docs/rules/<id>.md in the repository (used as LSP codeDescription and SARIF helpUri). */
export function ruleDocsUrl(id: string): string {
  return `https://github.com/leak-lens/leak-lens/blob/main/docs/rules/${id}.md`;
}
