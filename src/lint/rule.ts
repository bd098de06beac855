/**
 * The contract between the engine and a rule file. A rule exports `meta` and `create(context)`; the
 * engine walks each file once and calls the visitors every rule registered for a node's kind, then
 * each rule's `onEnd`. Rules usually collect candidates in visitors and decide in `onEnd`, when the
 * whole file (call index, module-level declarations) is known.
 */
import type * as ts from 'typescript';
import type { Fix, RelatedInformation, Severity } from './types';
import type { FileAnalysis } from './analysis';

/** What a rule is, for docs, SARIF `tool.driver.rules` and the registry test. */
export interface RuleMeta {
  /** The rule's id, `no-<thing>`, equal to its file name; `RuleId` is derived from these in rules/index.ts. */
  id: string;
  description: string;
  severity: Severity;
  docs: { why: string; fix: string };
  /** Message templates by messageId; `{{name}}` placeholders are filled from the report's `data`. */
  messages: Record<string, string>;
  examples: { valid: string[]; invalid: string[] };
}

export interface ReportDescriptor {
  node: ts.Node;
  messageId: string;
  data?: Record<string, string>;
  related?: RelatedInformation[];
  fixes?: Fix[];
}

export interface RuleContext {
  readonly analysis: FileAnalysis;
  report(descriptor: ReportDescriptor): void;
}

export interface RuleVisitors {
  /** Keyed by `ts.SyntaxKind`. */
  [kind: number]: ((node: any) => void) | undefined;
  onEnd?(): void;
}

export interface RuleModule {
  meta: RuleMeta;
  create(context: RuleContext): RuleVisitors;
}
