/** Small helpers the rules share: "runs per request" wording, related locations, fix edits. */
import ts = require('typescript');
import type { FileAnalysis, RepeatedScope } from './analysis';
import type { Fix, RelatedInformation, TextEdit } from './types';

const runsWords: Record<RepeatedScope['kind'], string> = {
  request: 'runs per request',
  message: 'runs per message',
  connection: 'runs per connection',
  timer: 'runs on every timer tick',
  cron: 'runs on every cron tick',
  loop: 'runs on every loop iteration',
  event: 'runs on every event',
  mount: 'runs on every mount',
  constructor: 'runs per construction',
  test: 'runs for every test',
  call: 'runs on every call',
};

/** "a" or "an" before a word. */
export function article(word: string): string {
  return /^[aeiou]/i.test(word) ? 'an' : 'a';
}

/** "runs per request (app.get('/orders') at line 12)". */
export function runsText(a: FileAnalysis, scope: RepeatedScope): string {
  // A repetition found in another file already names its file and line in the label.
  return scope.elsewhere ? `${runsWords[scope.kind]} (${scope.label})` : `${runsWords[scope.kind]} (${scope.label} at line ${a.line(scope.node)})`;
}

/** The related location pointing at the repeated scope. */
export function scopeRelated(a: FileAnalysis, scope: RepeatedScope): RelatedInformation {
  if (scope.elsewhere) return { message: `${runsWords[scope.kind]}: ${scope.label}`, file: scope.elsewhere.file, range: scope.elsewhere.range };
  return { message: `${runsWords[scope.kind]}: ${scope.label} at line ${a.line(scope.node)}`, file: a.file, range: a.range(scope.node) };
}

export function related(a: FileAnalysis, node: ts.Node, message: string): RelatedInformation {
  return { message, file: a.file, range: a.range(node) };
}

export function insertAt(a: FileAnalysis, pos: number, text: string): TextEdit {
  const r = a.rangeOf(pos, pos);
  return { range: r, newText: text };
}

export function replaceNode(a: FileAnalysis, node: ts.Node, text: string): TextEdit {
  return { range: a.range(node), newText: text };
}

/** Whether `fn` (or the file, for top-level await in modules) may use `await`. */
export function isAsyncContext(node: ts.Node): boolean {
  for (let cur = node.parent; cur; cur = cur.parent) {
    if (ts.isFunctionLike(cur)) return (ts.getModifiers(cur as ts.FunctionLikeDeclaration) ?? []).some((m) => m.kind === ts.SyntaxKind.AsyncKeyword);
    if (ts.isSourceFile(cur)) return false;
  }
  return false;
}

/**
 * Wraps the statements after `declaration` in its block in `try { … } finally { <close> }`.
 * Only when the declaration statement sits directly in a block and is followed by statements.
 */
export function wrapInTryFinally(a: FileAnalysis, declaration: ts.VariableDeclaration, closeStatement: string, title: string,
  moved?: ts.Statement): Fix | undefined {
  const statement = declaration.parent?.parent;
  if (!statement || !ts.isVariableStatement(statement) || statement.declarationList.declarations.length !== 1) return undefined;
  const block = statement.parent;
  if (!ts.isBlock(block)) return undefined;
  const index = block.statements.indexOf(statement);
  const rest = block.statements.slice(index + 1);
  if (rest.length === 0) return undefined;
  // Declarations after the resource would move into the try block and out of scope of anything later: none are later.
  const indent = a.indentAt(statement.getStart(a.sourceFile));
  const unit = indent.includes('\t') ? '\t' : '  ';
  if (moved && !rest.includes(moved)) return undefined;
  const startPos = rest[0].getStart(a.sourceFile);
  const endPos = rest[rest.length - 1].getEnd();
  let text = a.text.slice(startPos, endPos);
  if (moved) {
    // The release moves into the finally block: cut its whole line(s) out of the body.
    const from = a.text.lastIndexOf('\n', moved.getStart(a.sourceFile) - 1) + 1;
    const to = a.text.indexOf('\n', moved.getEnd());
    const cutFrom = Math.max(from, startPos) - startPos;
    const cutTo = (to < 0 || to >= endPos ? endPos : to + 1) - startPos;
    text = (text.slice(0, cutFrom) + text.slice(cutTo)).replace(/\n[ \t]*$/, '');
    if (!text.trim()) return undefined;
  }
  const body = text.split('\n').map((l, i) => (i === 0 ? l : l.length ? unit + l : l)).join('\n');
  const newText = `try {\n${indent}${unit}${body}\n${indent}} finally {\n${indent}${unit}${closeStatement}\n${indent}}`;
  return { title, edits: [{ range: a.rangeOf(startPos, endPos), newText }] };
}

/** End position of the last import/require statement at the top of the file (0 when none). */
export function afterImports(a: FileAnalysis): number {
  let end = 0;
  for (const st of a.sourceFile.statements) {
    if (ts.isImportDeclaration(st) || ts.isImportEqualsDeclaration(st)) end = st.getEnd();
    else if (ts.isVariableStatement(st) && /\brequire\s*\(/.test(st.getText(a.sourceFile)) && st.getText(a.sourceFile).length < 300) end = st.getEnd();
    else if (ts.isExpressionStatement(st) && ts.isStringLiteral(st.expression)) end = st.getEnd();
    else break;
  }
  return end;
}

/** Identifiers used in `node` that are declared inside `fn` (so `node` cannot move out of it). */
export function usesLocals(a: FileAnalysis, node: ts.Node, fn: ts.Node): boolean {
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isIdentifier(n)) {
      const p = n.parent;
      const isName = (ts.isPropertyAccessExpression(p) && p.name === n) || (ts.isPropertyAssignment(p) && p.name === n);
      if (!isName && a.isDeclaredWithin(n.text, n, fn)) found = true;
      return;
    }
    if (n.kind === ts.SyntaxKind.ThisKeyword) found = true;
    ts.forEachChild(n, visit);
  };
  visit(node);
  return found;
}

/**
 * `if (!started) { started = true; … }` / `if (!timer) timer = …`: code guarded by a flag that the
 * guarded block itself sets runs once, not per request.
 */
export function isOnceGuarded(a: FileAnalysis, node: ts.Node, scopeFn: ts.Node | undefined): boolean {
  if (earlyReturnGuard(a, node)) return true;
  for (let cur: ts.Node = node; cur.parent && cur !== scopeFn; cur = cur.parent) {
    const p = cur.parent;
    if (ts.isBinaryExpression(p) && p.right === cur && (p.operatorToken.kind === ts.SyntaxKind.QuestionQuestionEqualsToken
      || p.operatorToken.kind === ts.SyntaxKind.BarBarEqualsToken)) return true;
    if (!ts.isIfStatement(p) || p.thenStatement !== cur) continue;
    const flags: string[] = [];
    const collect = (n: ts.Node): void => {
      if (ts.isIdentifier(n)) flags.push(n.text);
      else if (ts.isPropertyAccessExpression(n)) {
        flags.push(n.getText(a.sourceFile));
        // `if (!cache.has(k)) cache.set(k, …)`: the collection is the flag.
        if (/^(has|get)$/.test(n.name.text)) flags.push(n.expression.getText(a.sourceFile));
      }
      else ts.forEachChild(n, collect);
    };
    collect(p.expression);
    let assigned = false;
    const visit = (n: ts.Node): void => {
      if (assigned) return;
      if (ts.isBinaryExpression(n) && n.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && n.operatorToken.kind <= ts.SyntaxKind.LastAssignment
        && flags.includes(skipOuterText(a, n.left))) assigned = true;
      else if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && /^(add|set)$/.test(n.expression.name.text)
        && flags.includes(n.expression.expression.getText(a.sourceFile))) assigned = true;
      else ts.forEachChild(n, visit);
    };
    visit(p.thenStatement);
    if (assigned) return true;
  }
  return false;
}

function skipOuterText(a: FileAnalysis, e: ts.Expression): string {
  while (ts.isParenthesizedExpression(e)) e = e.expression;
  return e.getText(a.sourceFile);
}

/**
 * `if (this.ac) return this.ac.signal; … this.ac = new AbortController(); x.on(…)`: the function
 * leaves early once it has run, because it fills what the guard tests.
 */
function earlyReturnGuard(a: FileAnalysis, node: ts.Node): boolean {
  const fn = a.enclosingFunction(node);
  if (ts.isSourceFile(fn) || !fn.body || !ts.isBlock(fn.body)) return false;
  for (const st of fn.body.statements) {
    if (st.pos >= node.pos) break;
    if (!ts.isIfStatement(st) || st.elseStatement) continue;
    const then = st.thenStatement;
    const exits = ts.isReturnStatement(then) || (ts.isBlock(then) && then.statements.some(ts.isReturnStatement));
    if (!exits) continue;
    const tested = new Set<string>();
    const collect = (n: ts.Node): void => {
      if (ts.isIdentifier(n) || ts.isPropertyAccessExpression(n) || ts.isElementAccessExpression(n)) tested.add(n.getText(a.sourceFile).replace(/\s+/g, ''));
      ts.forEachChild(n, collect);
    };
    collect(st.expression);
    let filled = false;
    const visit = (n: ts.Node): void => {
      if (filled) return;
      if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && tested.has(n.left.getText(a.sourceFile).replace(/\s+/g, ''))) filled = true;
      else ts.forEachChild(n, visit);
    };
    visit(fn.body);
    if (filled) return true;
  }
  return false;
}
