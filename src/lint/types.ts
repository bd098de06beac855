/**
 * What the analyzer produces. Positions are 1-based (line and column), like the CLI's SARIF and the
 * watch report; adapters convert to 0-based LSP positions at their edge.
 */

export type Severity = 'error' | 'warning' | 'info';

export interface Position {
  line: number;
  column: number;
}

export interface SourceRange {
  start: Position;
  end: Position;
}

export interface TextEdit {
  range: SourceRange;
  newText: string;
}

/** A quick fix: edits to the finding's own file, applied together. */
export interface Fix {
  title: string;
  edits: TextEdit[];
}

export interface RelatedInformation {
  message: string;
  file: string;
  range: SourceRange;
}

export interface Finding {
  ruleId: string;
  messageId: string;
  /** Says what leaks, why, and what to do. */
  message: string;
  severity: Severity;
  /** Absolute path of the file the finding is in. */
  file: string;
  range: SourceRange;
  related: RelatedInformation[];
  fixes: Fix[];
}
