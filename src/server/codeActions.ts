/**
 * Code actions for leak-lens diagnostics: the finding's own fixes (computed by the rule; this file
 * only translates them), "Disable <rule> for this line", and "Show documentation".
 */
import {
  CodeActionKind,
  type CodeAction,
  type Diagnostic,
  type Range,
  type TextEdit as LspTextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Finding } from '../lint/types';
import { toLspRange } from './diagnostics';

/** The suppression comment the linter honours (see CONTRACTS.md). */
export const DISABLE_NEXT_LINE = 'leak-lens-disable-next-line';

export interface PublishedFinding {
  finding: Finding;
  diagnostic: Diagnostic;
}

export interface CodeActionInput {
  document: TextDocument;
  /** Findings published for exactly this document version. */
  published: readonly PublishedFinding[];
  /** The request's diagnostics that are ours (source leak-lens). */
  diagnostics: readonly Diagnostic[];
  /** `context.only`, when the client asked for particular kinds. */
  only?: readonly string[];
  /** Whether the client accepts versioned `documentChanges` (so stale edits are rejected, not misapplied). */
  documentChanges: boolean;
  docsUrl(ruleId: string): string;
}

/** Builds the actions for the diagnostics under the cursor, fixes first, then disable, then docs. */
export function codeActionsFor(input: CodeActionInput): CodeAction[] {
  // Kinds are hierarchical: asking for "quickfix" (or for everything, "") includes ours.
  if (input.only && !input.only.some((kind) => kind === '' || kind === CodeActionKind.QuickFix)) {
    return [];
  }
  const matched = input.diagnostics
    .map((d) => ({ diagnostic: d, entry: findPublished(input.published, d) }))
    .filter((m): m is { diagnostic: Diagnostic; entry: PublishedFinding } => m.entry !== undefined);

  const fixes: CodeAction[] = [];
  const disables: CodeAction[] = [];
  const docs: CodeAction[] = [];
  const seenDisable = new Set<string>();
  const seenDocs = new Set<string>();

  for (const { diagnostic, entry } of matched) {
    const { finding } = entry;
    finding.fixes.forEach((fix, i) => {
      fixes.push({
        title: fix.title,
        kind: CodeActionKind.QuickFix,
        diagnostics: [diagnostic],
        // The rule lists its safest fix first; marking it preferred lets "auto fix" pick it.
        isPreferred: i === 0,
        edit: workspaceEdit(input, fix.edits.map((e) => ({ range: toLspRange(e.range), newText: e.newText }))),
      });
    });

    const line = entry.diagnostic.range.start.line;
    const disableKey = `${finding.ruleId}@${line}`;
    if (!seenDisable.has(disableKey)) {
      seenDisable.add(disableKey);
      disables.push({
        title: `Disable ${finding.ruleId} for this line`,
        kind: CodeActionKind.QuickFix,
        diagnostics: [diagnostic],
        edit: workspaceEdit(input, [disableNextLineEdit(input.document, line, finding.ruleId)]),
      });
    }

    if (!seenDocs.has(finding.ruleId)) {
      seenDocs.add(finding.ruleId);
      docs.push({
        title: `Show documentation for ${finding.ruleId}`,
        kind: CodeActionKind.QuickFix,
        diagnostics: [diagnostic],
        // `vscode.open` accepts an http(s) string, so no client-side command is needed.
        command: { title: `Show documentation for ${finding.ruleId}`, command: 'vscode.open', arguments: [input.docsUrl(finding.ruleId)] },
      });
    }
  }
  return [...fixes, ...disables, ...docs];
}

/**
 * The edit that suppresses `ruleId` on 0-based `line`: a new comment line above it with the same
 * indentation, or the rule appended to a suppression comment that is already there.
 */
export function disableNextLineEdit(document: TextDocument, line: number, ruleId: string): LspTextEdit {
  const text = lineText(document, line);
  const indent = /^[ \t]*/.exec(text)?.[0] ?? '';
  if (line > 0) {
    const previous = lineText(document, line - 1);
    const existing = new RegExp(`^([ \\t]*//\\s*${DISABLE_NEXT_LINE}\\s+)(.*?)\\s*$`).exec(previous);
    if (existing) {
      const rules = existing[2].split(',').map((r) => r.trim()).filter(Boolean);
      if (!rules.includes(ruleId)) rules.push(ruleId);
      return {
        range: { start: { line: line - 1, character: 0 }, end: { line: line - 1, character: previous.length } },
        newText: `${existing[1]}${rules.join(', ')}`,
      };
    }
  }
  const eol = document.getText().includes('\r\n') ? '\r\n' : '\n';
  return {
    range: { start: { line, character: 0 }, end: { line, character: 0 } },
    newText: `${indent}// ${DISABLE_NEXT_LINE} ${ruleId}${eol}`,
  };
}

function lineText(document: TextDocument, line: number): string {
  const range: Range = { start: { line, character: 0 }, end: { line: line + 1, character: 0 } };
  return document.getText(range).replace(/\r?\n$/, '');
}

function workspaceEdit(input: CodeActionInput, edits: LspTextEdit[]): WorkspaceEdit {
  const { uri, version } = input.document;
  if (input.documentChanges) return { documentChanges: [{ textDocument: { uri, version }, edits }] };
  return { changes: { [uri]: edits } };
}

/**
 * The published finding a diagnostic from the client stands for. `data.index` is the fast path;
 * rule id and range must still agree, because the client may send a diagnostic from an older publish.
 */
function findPublished(published: readonly PublishedFinding[], diagnostic: Diagnostic): PublishedFinding | undefined {
  const data = diagnostic.data as { index?: unknown } | undefined;
  const byIndex = typeof data?.index === 'number' ? published[data.index] : undefined;
  if (byIndex && sameDiagnostic(byIndex.diagnostic, diagnostic)) return byIndex;
  return published.find((p) => sameDiagnostic(p.diagnostic, diagnostic));
}

function sameDiagnostic(a: Diagnostic, b: Diagnostic): boolean {
  return (
    a.code === b.code &&
    a.range.start.line === b.range.start.line &&
    a.range.start.character === b.range.start.character &&
    a.range.end.line === b.range.end.line &&
    a.range.end.character === b.range.end.character
  );
}
