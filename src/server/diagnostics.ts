/**
 * Findings (1-based, from src/lint) to LSP diagnostics (0-based). The only place that knows both
 * coordinate systems; code actions reuse {@link toLspRange}.
 */
import { pathToFileURL } from 'node:url';
import {
  DiagnosticSeverity,
  type Diagnostic,
  type DiagnosticRelatedInformation,
  type Range,
} from 'vscode-languageserver';
import type { Hotspot } from '../core/report';
import type { Finding, Severity, SourceRange } from '../lint/types';
import { DIAGNOSTIC_SOURCE } from '../protocol/lsp';
import { evidenceSuffix } from './evidence';

/** What a diagnostic carries in `data` so a code action request can find its finding again. */
export interface DiagnosticData {
  ruleId: string;
  messageId: string;
  /** Index of the finding in the list published for this document version. */
  index: number;
  /** The document version the finding was computed for (-1 for files read from disk). */
  version: number;
}

/** 1-based line/column range to a 0-based LSP range; columns count UTF-16 code units on both sides. */
export function toLspRange(range: SourceRange): Range {
  return {
    start: { line: Math.max(0, range.start.line - 1), character: Math.max(0, range.start.column - 1) },
    end: { line: Math.max(0, range.end.line - 1), character: Math.max(0, range.end.column - 1) },
  };
}

export function toLspSeverity(severity: Severity): DiagnosticSeverity {
  switch (severity) {
    case 'error':
      return DiagnosticSeverity.Error;
    case 'warning':
      return DiagnosticSeverity.Warning;
    case 'info':
      return DiagnosticSeverity.Information;
  }
}

/** file:// URI for an absolute path, as the server reports files it read from disk. */
export function fileUri(file: string): string {
  return pathToFileURL(file).toString();
}

/**
 * One finding as a diagnostic. `confirmedBy` is the runtime hotspot that proves it: the message
 * gets the live numbers and the severity becomes Error, because a confirmed leak is no longer a
 * maybe.
 */
export function findingToDiagnostic(
  finding: Finding,
  options: { index: number; version: number; docsUrl: (ruleId: string) => string; confirmedBy?: Hotspot },
): Diagnostic {
  const { confirmedBy } = options;
  const related: DiagnosticRelatedInformation[] = finding.related.map((r) => ({
    location: { uri: fileUri(r.file), range: toLspRange(r.range) },
    message: r.message,
  }));
  const data: DiagnosticData = {
    ruleId: finding.ruleId,
    messageId: finding.messageId,
    index: options.index,
    version: options.version,
  };
  const diagnostic: Diagnostic = {
    range: toLspRange(finding.range),
    severity: confirmedBy ? DiagnosticSeverity.Error : toLspSeverity(finding.severity),
    source: DIAGNOSTIC_SOURCE,
    code: finding.ruleId,
    codeDescription: { href: options.docsUrl(finding.ruleId) },
    message: confirmedBy ? finding.message + evidenceSuffix(confirmedBy) : finding.message,
    data,
  };
  if (related.length > 0) diagnostic.relatedInformation = related;
  return diagnostic;
}
