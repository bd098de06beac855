/**
 * Facts about one parsed file that every rule shares: imports, what a call resolves to, where a name
 * is declared, and which functions run repeatedly (per request, per message, per tick). Everything is
 * computed lazily and cached, so a file without candidate calls pays only for the walk.
 */
import ts = require('typescript');
import type { LintConfig } from './config';
import type { SourceRange } from './types';
import type { FactResolver } from './workspace';

export type FunctionLike =
  | ts.FunctionDeclaration
  | ts.FunctionExpression
  | ts.ArrowFunction
  | ts.MethodDeclaration
  | ts.ConstructorDeclaration
  | ts.GetAccessorDeclaration
  | ts.SetAccessorDeclaration;

export type RepeatedKind = 'request' | 'message' | 'connection' | 'timer' | 'cron' | 'loop' | 'event' | 'mount' | 'constructor' | 'test'
  /** A function with no handler registration in sight that callers may call any number of times: a method, an exported operation, a helper called from several places. */
  | 'call';

/** Code that runs many times over a process's life. `label` reads "app.get('/orders')". */
export interface RepeatedScope {
  kind: RepeatedKind;
  label: string;
  /** The node that makes it repeated (the registering call, the decorator, the loop). */
  node: ts.Node;
  /** The function (or loop) whose body repeats. */
  fn?: ts.Node;
  /** Where the repetition comes from when it is in another file (`node` is then the function itself). */
  elsewhere?: { file: string; line: number; range: SourceRange };
}

/** A call or `new` of one file's export, in another file, that runs repeatedly there. */
export interface RepeatedCaller {
  kind: RepeatedKind;
  /** "app.get('/orders')" in the calling file. */
  label: string;
  file: string;
  line: number;
  range: SourceRange;
}

/** Cross-file questions the engine answers from the Linter's workspace model. */
export interface Workspace {
  /** Facts about what an imported class's constructor or a factory starts. */
  classFacts(fromFile: string, moduleSpecifier: string, exportName: string): BackgroundFact | undefined;
  /** Follows a local import binding to the class or factory it names in another file. */
  readonly resolver: FactResolver;
  /** A call (or `new`) of export `exportName` of `file`, in another workspace file, that runs repeatedly there. */
  repeatedCaller(file: string, exportName: string): RepeatedCaller | undefined;
}

/** Something a class constructor or factory function starts that outlives the call. */
export interface BackgroundFact {
  what: string;
  runs: string;
  file: string;
  range: SourceRange;
  /** 'listener' facts belong to no-listener-leak, the rest to no-per-request-background-work. */
  kind: 'background' | 'interval' | 'listener';
}

export interface ImportBinding {
  module: string;
  /** 'default', '*' (namespace / whole require), or the export name. */
  name: string;
}

export interface CalleeInfo {
  /** Resolved module of the base identifier, without `node:`. */
  module?: string;
  /** Dotted path after the module binding, e.g. 'promises.open' or 'Pool' or 'default'. */
  name: string;
  /** The last property or identifier name (e.g. 'open'). */
  last: string;
  /** `module:name` when the module is known. */
  key?: string;
  /** The receiver of a method call (`pool` in `pool.connect()`). */
  receiver?: ts.Expression;
}

const httpVerbs = new Set(['get', 'post', 'put', 'patch', 'delete', 'del', 'all', 'head', 'options', 'use']);
const oneShotEvents = new Set(['close', 'end', 'exit', 'error', 'finish', 'listening', 'ready', 'open', 'beforeExit',
  'SIGINT', 'SIGTERM', 'SIGQUIT',
  'disconnect', 'online', 'spawn', 'abort', 'timeout', 'drain', 'readable', 'load', 'DOMContentLoaded', 'unload']);
const connectionEvents = new Set(['connection', 'connect', 'secureConnection', 'upgrade', 'stream', 'session']);
const messageEvents = new Set(['message', 'data', 'line', 'messages', 'job', 'task']);
const consumerMethods = new Set(['subscribe', 'consume', 'process', 'handle', 'listen', 'onMessage', 'addHook']);
const handlerProps = new Set(['handler', 'eachMessage', 'eachBatch', 'onRequest', 'preHandler', 'preValidation',
  'onSend', 'onResponse', 'preSerialization', 'loader', 'action', 'resolve', 'onConnection', 'onMessage']);
const routeDecorators: Record<string, RepeatedKind> = {
  Get: 'request', Post: 'request', Put: 'request', Patch: 'request', Delete: 'request', All: 'request', Head: 'request',
  Options: 'request', MessagePattern: 'message', EventPattern: 'message', SubscribeMessage: 'message', OnEvent: 'message',
  Process: 'message', Cron: 'cron', Interval: 'timer', Query: 'request', Mutation: 'request', ResolveField: 'request',
  Subscription: 'request', Sse: 'request',
};
/** Every callee name `registration` can accept: anything else is rejected before building labels. */
const registrationNames = new Set(['CronJob', 'Worker', 'setInterval', 'useEffect', 'useLayoutEffect', 'schedule', 'scheduleJob',
  'createServer', 'createSecureServer', 'on', 'addListener', 'prependListener', 'addEventListener', 'tap', 'tapAsync', 'tapPromise',
  'beforeEach', 'afterEach', ...httpVerbs, ...consumerMethods]);
/**
 * Names of functions that set something up once (or tear it down): a method or exported function
 * named like this is not assumed to run per call. Matched on the whole name or its first word.
 */
const onceNames = /^(constructor|init|initiali[sz]e|setup|setUp|start|main|run|bootstrap|boot|listen|connect|open|create|make|build|configure|config|register|install|mount|load|plugin|apply|activate|attach|prepare|define|close|destroy|stop|dispose|shutdown|end|terminate|quit|disconnect|teardown|tearDown|unref|ref)(?![a-z])/;
const nextRouteNames = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);

export function isFunctionLike(node: ts.Node): node is FunctionLike {
  switch (node.kind) {
    case ts.SyntaxKind.FunctionDeclaration:
    case ts.SyntaxKind.FunctionExpression:
    case ts.SyntaxKind.ArrowFunction:
    case ts.SyntaxKind.MethodDeclaration:
    case ts.SyntaxKind.Constructor:
    case ts.SyntaxKind.GetAccessor:
    case ts.SyntaxKind.SetAccessor:
      return true;
    default:
      return false;
  }
}

/** Strips parentheses, `await`, `as`, `!` and `satisfies` around an expression. */
export function skipOuter(node: ts.Expression): ts.Expression {
  for (;;) {
    if (ts.isParenthesizedExpression(node) || ts.isAwaitExpression(node) || ts.isAsExpression(node)
      || ts.isNonNullExpression(node) || ts.isSatisfiesExpression(node) || ts.isTypeAssertionExpression(node)) {
      node = node.expression;
    } else if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.CommaToken && ts.isNumericLiteral(node.left)) {
      // `(0, fs_1.openSync)(…)`: how compilers call an imported function without a `this`.
      node = node.right;
    } else return node;
  }
}

/** The node whose parent decides what happens to `node`'s value (climbs parens, await, casts). */
export function valueSite(node: ts.Node): ts.Node {
  let cur = node;
  while (cur.parent && (ts.isParenthesizedExpression(cur.parent) || ts.isAwaitExpression(cur.parent)
    || ts.isAsExpression(cur.parent) || ts.isNonNullExpression(cur.parent) || ts.isSatisfiesExpression(cur.parent)
    || ts.isTypeAssertionExpression(cur.parent))) {
    cur = cur.parent;
  }
  return cur;
}

export function stringValue(node: ts.Node | undefined): string | undefined {
  if (!node) return undefined;
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  return undefined;
}

function shorten(text: string, max = 60): string {
  // A chained call split over lines (`http\n  .createServer(...)`) reads as `http.createServer(...)`.
  const oneLine = text.replace(/\s*\n\s*(?=[.?])/g, '').replace(/\s+/g, ' ');
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}

export class FileAnalysis {
  readonly isTypeScript: boolean;
  /** Calls whose callee is a plain identifier, by name; filled by the engine's walk. */
  readonly callsByName = new Map<string, ts.CallExpression[]>();
  /** `new X()` by X's name; filled by the engine's walk. */
  readonly newsByName = new Map<string, ts.NewExpression[]>();
  private importsCache?: Map<string, ImportBinding>;
  private readonly declared = new Map<ts.Node, Set<string>>();
  private readonly repeated = new Map<ts.Node, RepeatedScope | null>();
  private readonly inProgress = new Set<ts.Node>();
  private lineStarts?: readonly number[];
  private readonly loopAwaits = new Map<ts.Node, boolean>();
  private readonly memos = new Map<unknown, unknown>();

  /**
   * A value computed once per analysis (one lint of one file version, renewed when any workspace
   * file changes). Rules keep their per-file state here rather than in module-level caches, so no
   * fact outlives the files it was computed from. `key` is a node or a rule-chosen string.
   */
  memo<T>(key: unknown, compute: () => T): T {
    if (this.memos.has(key)) return this.memos.get(key) as T;
    const value = compute();
    this.memos.set(key, value);
    return value;
  }

  /** Set by the engine once its walk filled callsByName/newsByName; otherwise `ensureIndexed` walks. */
  indexed = false;

  constructor(
    readonly file: string,
    readonly sourceFile: ts.SourceFile,
    readonly config: LintConfig,
    readonly workspace: Workspace | undefined,
  ) {
    this.isTypeScript = /\.(c|m)?tsx?$/i.test(file);
  }

  get text(): string {
    return this.sourceFile.text;
  }

  /** 1-based range of a node (without leading trivia). */
  range(node: ts.Node): SourceRange {
    return this.rangeOf(node.getStart(this.sourceFile), node.getEnd());
  }

  rangeOf(start: number, end: number): SourceRange {
    const s = this.sourceFile.getLineAndCharacterOfPosition(start);
    const e = this.sourceFile.getLineAndCharacterOfPosition(end);
    return { start: { line: s.line + 1, column: s.character + 1 }, end: { line: e.line + 1, column: e.character + 1 } };
  }

  line(node: ts.Node): number {
    return this.sourceFile.getLineAndCharacterOfPosition(node.getStart(this.sourceFile)).line + 1;
  }

  /** Indentation (leading whitespace) of the line a position is on. */
  indentAt(pos: number): string {
    this.lineStarts ??= this.sourceFile.getLineStarts();
    const line = this.sourceFile.getLineAndCharacterOfPosition(pos).line;
    const start = this.lineStarts[line];
    const m = /^[ \t]*/.exec(this.text.slice(start, start + 200));
    return m ? m[0] : '';
  }

  /** An expression's text without outer parentheses/casts and without whitespace: `this.socket`, to compare two mentions of one slot or emitter. */
  compactText(e: ts.Expression): string {
    return skipOuter(e).getText(this.sourceFile).replace(/\s+/g, '');
  }

  short(node: ts.Node): string {
    return shorten(node.getText(this.sourceFile));
  }

  // ---- imports and callees ----

  /** Local name -> module binding, from `import` declarations and top-level `require` calls. */
  get imports(): Map<string, ImportBinding> {
    if (this.importsCache) return this.importsCache;
    const map = new Map<string, ImportBinding>();
    const norm = (m: string) => (m.startsWith('node:') ? m.slice(5) : m);
    for (const st of this.sourceFile.statements) {
      if (ts.isImportDeclaration(st) && ts.isStringLiteral(st.moduleSpecifier) && st.importClause) {
        const module = norm(st.moduleSpecifier.text);
        const clause = st.importClause;
        if (clause.name) map.set(clause.name.text, { module, name: 'default' });
        const nb = clause.namedBindings;
        if (nb && ts.isNamespaceImport(nb)) map.set(nb.name.text, { module, name: '*' });
        if (nb && ts.isNamedImports(nb)) {
          for (const el of nb.elements) map.set(el.name.text, { module, name: (el.propertyName ?? el.name).getText(this.sourceFile) });
        }
      } else if (ts.isImportEqualsDeclaration(st) && ts.isExternalModuleReference(st.moduleReference)
        && ts.isStringLiteral(st.moduleReference.expression)) {
        map.set(st.name.text, { module: norm(st.moduleReference.expression.text), name: '*' });
      } else if (ts.isVariableStatement(st)) {
        for (const d of st.declarationList.declarations) this.addRequire(d, map, norm);
      }
    }
    this.importsCache = map;
    return map;
  }

  private addRequire(d: ts.VariableDeclaration, map: Map<string, ImportBinding>, norm: (m: string) => string): void {
    if (!d.initializer) return;
    let init = skipOuter(d.initializer);
    let member: string | undefined;
    if (ts.isPropertyAccessExpression(init)) {
      member = init.name.text;
      init = skipOuter(init.expression);
    }
    if (!ts.isCallExpression(init) || !ts.isIdentifier(init.expression) || init.expression.text !== 'require') return;
    const spec = stringValue(init.arguments[0]);
    if (!spec) return;
    const module = norm(spec);
    if (ts.isIdentifier(d.name)) {
      map.set(d.name.text, { module, name: member ?? '*' });
    } else if (ts.isObjectBindingPattern(d.name)) {
      for (const el of d.name.elements) {
        if (!ts.isIdentifier(el.name)) continue;
        const prop = el.propertyName ? el.propertyName.getText(this.sourceFile) : el.name.text;
        map.set(el.name.text, { module, name: member ? `${member}.${prop}` : prop });
      }
    }
  }

  /** What a call or `new` resolves to: `fs.promises.open(...)` -> { module: 'fs', name: 'promises.open' }. */
  callee(node: ts.CallExpression | ts.NewExpression): CalleeInfo {
    const parts: string[] = [];
    let expr: ts.Expression = skipOuter(node.expression);
    let receiver: ts.Expression | undefined;
    while (ts.isPropertyAccessExpression(expr)) {
      parts.unshift(expr.name.text);
      receiver ??= expr.expression;
      expr = skipOuter(expr.expression);
    }
    if (!ts.isIdentifier(expr)) {
      return { name: parts.join('.'), last: parts[parts.length - 1] ?? '', receiver };
    }
    const base = expr.text;
    const binding = this.imports.get(base);
    let module: string | undefined;
    let path: string[];
    if (binding) {
      module = binding.module;
      path = binding.name === '*' ? parts : [...binding.name.split('.'), ...parts];
      // `import fs from 'fs'` / `import * as fs` / `require('fs')` all bind the whole module.
      if (binding.name === 'default' && parts.length > 0 && !module.startsWith('.')) {
        const isBuiltinLike = /^(fs|fs\/promises|net|tls|http|https|zlib|readline|child_process|events|node-cron|mongoose|axios|redis|chokidar|mysql|mysql2|mysql2\/promise|pg|dgram|worker_threads|winston|puppeteer|ws|cluster)$/.test(module);
        if (isBuiltinLike) path = parts;
      }
    } else if (moduleAliasFor(base) && !this.declaredLocally(base, node)) {
      module = moduleAliasFor(base);
      path = parts;
    } else {
      path = [base, ...parts];
    }
    if (path.length === 0) path = ['default'];
    const name = path.join('.');
    if (module === 'fs' && path[0] === 'promises' && path.length === 2) {
      return { module: 'fs/promises', name: path[1], last: path[1], key: `fs/promises:${path[1]}`, receiver };
    }
    return { module, name, last: path[path.length - 1], key: module ? `${module}:${name}` : undefined, receiver };
  }

  // ---- declarations ----

  /** Names declared directly in a scope container (function parameters and body, block, source file). */
  private declaredIn(container: ts.Node): Set<string> {
    let set = this.declared.get(container);
    if (set) return set;
    set = new Set<string>();
    const addBinding = (name: ts.BindingName) => {
      if (ts.isIdentifier(name)) set!.add(name.text);
      else for (const el of name.elements) if (!ts.isOmittedExpression(el)) addBinding(el.name);
    };
    const visitStatements = (statements: readonly ts.Statement[], hoistVar: boolean) => {
      for (const st of statements) {
        if (ts.isVariableStatement(st)) for (const d of st.declarationList.declarations) addBinding(d.name);
        else if ((ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st) || ts.isEnumDeclaration(st)) && st.name) set!.add(st.name.text);
        else if (ts.isImportDeclaration(st) && st.importClause) {
          if (st.importClause.name) set!.add(st.importClause.name.text);
          const nb = st.importClause.namedBindings;
          if (nb && ts.isNamespaceImport(nb)) set!.add(nb.name.text);
          if (nb && ts.isNamedImports(nb)) for (const el of nb.elements) set!.add(el.name.text);
        } else if (ts.isImportEqualsDeclaration(st)) set!.add(st.name.text);
        else if (hoistVar) collectVar(st);
      }
    };
    // `var` inside nested blocks of a function belongs to the function.
    const collectVar = (node: ts.Node) => {
      if (isFunctionLike(node) || ts.isClassLike(node)) return;
      if (ts.isVariableDeclarationList(node) && !(node.flags & (ts.NodeFlags.Let | ts.NodeFlags.Const | ts.NodeFlags.Using))) {
        for (const d of node.declarations) addBinding(d.name);
      }
      ts.forEachChild(node, collectVar);
    };
    if (ts.isSourceFile(container)) visitStatements(container.statements, true);
    else if (isFunctionLike(container)) {
      for (const p of container.parameters) addBinding(p.name);
      if ((ts.isFunctionExpression(container)) && container.name) set.add(container.name.text);
      const body = container.body;
      if (body && ts.isBlock(body)) visitStatements(body.statements, true);
    } else if (ts.isBlock(container) || ts.isModuleBlock(container) || ts.isCaseBlock(container)) {
      const statements = ts.isCaseBlock(container) ? container.clauses.flatMap((c) => [...c.statements]) : container.statements;
      visitStatements(statements, false);
    } else if (ts.isForStatement(container) || ts.isForInStatement(container) || ts.isForOfStatement(container)) {
      const init = container.initializer;
      if (init && ts.isVariableDeclarationList(init)) for (const d of init.declarations) addBinding(d.name);
    } else if (ts.isCatchClause(container) && container.variableDeclaration) {
      addBinding(container.variableDeclaration.name);
    } else if (ts.isClassExpression(container) && container.name) set.add(container.name.text);
    this.declared.set(container, set);
    return set;
  }

  /** The scope container that declares `name` as seen from `at`, or undefined for globals. */
  declarationScope(name: string, at: ts.Node): ts.Node | undefined {
    for (let cur: ts.Node | undefined = at; cur; cur = cur.parent) {
      if (ts.isSourceFile(cur) || isFunctionLike(cur) || ts.isBlock(cur) || ts.isCaseBlock(cur) || ts.isForStatement(cur)
        || ts.isForInStatement(cur) || ts.isForOfStatement(cur) || ts.isCatchClause(cur) || ts.isModuleBlock(cur)
        || ts.isClassExpression(cur)) {
        if (this.declaredIn(cur).has(name)) return cur;
      }
    }
    return undefined;
  }

  private declaredLocally(name: string, at: ts.Node): boolean {
    const scope = this.declarationScope(name, at);
    return scope !== undefined && !ts.isSourceFile(scope);
  }

  /** True when `name` (seen from `at`) is declared at module scope or imported. */
  isModuleLevelName(name: string, at: ts.Node): boolean {
    const scope = this.declarationScope(name, at);
    return scope !== undefined && ts.isSourceFile(scope);
  }

  /** True when `name` (seen from `at`) is declared inside `fn` (including its parameters). */
  isDeclaredWithin(name: string, at: ts.Node, fn: ts.Node): boolean {
    const scope = this.declarationScope(name, at);
    if (!scope) return false;
    for (let cur: ts.Node | undefined = scope; cur; cur = cur.parent) if (cur === fn) return true;
    return false;
  }

  /**
   * Whether an emitter/target expression outlives a call of `fn`: `process`, module-level or imported
   * bindings, and members of them. Parameters and locals of `fn` (req, res, socket) do not.
   */
  outlives(expr: ts.Expression, fn: ts.Node): { longLived: boolean; name: string } {
    let e = skipOuter(expr);
    while (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e)) e = skipOuter(e.expression);
    if (e.kind === ts.SyntaxKind.ThisKeyword) return { longLived: false, name: 'this' };
    if (!ts.isIdentifier(e)) return { longLived: false, name: '' };
    const name = e.text;
    if (name === 'process' || name === 'window' || name === 'document' || name === 'globalThis') {
      return { longLived: !this.isDeclaredWithin(name, e, fn) && !this.isModuleLevelName(name, e) || name === 'process', name };
    }
    if (this.isDeclaredWithin(name, e, fn)) return { longLived: false, name };
    const scope = this.declarationScope(name, e);
    return { longLived: scope !== undefined && ts.isSourceFile(scope), name };
  }

  // ---- functions and repeated scopes ----

  /** The innermost function containing `node` (not `node` itself), or the source file. */
  enclosingFunction(node: ts.Node): FunctionLike | ts.SourceFile {
    for (let cur = node.parent; cur; cur = cur.parent) {
      if (isFunctionLike(cur)) return cur;
      if (ts.isSourceFile(cur)) return cur;
    }
    return this.sourceFile;
  }

  /** True when `node` runs at module load (not inside any function). Class field initialisers count as not. */
  isModuleScope(node: ts.Node): boolean {
    for (let cur = node.parent; cur; cur = cur.parent) {
      if (isFunctionLike(cur) || ts.isClassStaticBlockDeclaration(cur) || ts.isPropertyDeclaration(cur)) return false;
    }
    return true;
  }

  /**
   * The repeated scope `node` runs in, if any: the nearest enclosing function that is a handler
   * (or is called from one in this file), or a consumer loop inside such a function.
   */
  repeatedScope(node: ts.Node): RepeatedScope | undefined {
    for (let cur: ts.Node | undefined = node.parent; cur; cur = cur.parent) {
      if (isFunctionLike(cur)) {
        const r = this.functionRepeated(cur);
        if (r) return { ...r, fn: cur };
      } else if (this.isConsumerLoop(cur, node)) {
        return { kind: 'loop', label: `${loopLabel(cur)} loop`, node: cur, fn: cur };
      } else if (ts.isPropertyDeclaration(cur) && cur.parent && ts.isClassLike(cur.parent)) {
        // Field initialisers run in the constructor.
        const ctor = cur.parent.members.find(ts.isConstructorDeclaration);
        const r = ctor ? this.functionRepeated(ctor) : this.classConstructedRepeatedly(cur.parent);
        if (r) return { ...r, fn: cur.parent };
      }
    }
    return undefined;
  }

  /** `while (...) { await ... }` and `for await` loops: consumers that run once per message. */
  private isConsumerLoop(loop: ts.Node, inner: ts.Node): boolean {
    if (ts.isForOfStatement(loop) && loop.awaitModifier) return inner !== loop.expression && isWithin(inner, loop.statement);
    if (ts.isWhileStatement(loop) || ts.isDoStatement(loop) || (ts.isForStatement(loop) && !loop.condition)) {
      const body = loop.statement;
      if (!isWithin(inner, body)) return false;
      let has = this.loopAwaits.get(body);
      if (has === undefined) this.loopAwaits.set(body, (has = containsAwait(body)));
      return has;
    }
    return false;
  }

  /** Fills the call indexes when the engine did not (a file consulted for another file's facts). */
  ensureIndexed(): void {
    if (this.indexed) return;
    this.indexed = true;
    const visit = (node: ts.Node): void => {
      if ((ts.isCallExpression(node) || ts.isNewExpression(node)) && ts.isIdentifier(node.expression)) {
        const map = ts.isCallExpression(node) ? this.callsByName : this.newsByName;
        const list = map.get(node.expression.text);
        if (list) list.push(node as never);
        else map.set(node.expression.text, [node as never]);
      }
      ts.forEachChild(node, visit);
    };
    visit(this.sourceFile);
  }

  functionRepeated(fn: FunctionLike): RepeatedScope | undefined {
    this.ensureIndexed();
    const cached = this.repeated.get(fn);
    if (cached !== undefined) return cached ?? undefined;
    if (this.inProgress.has(fn)) return undefined;
    this.inProgress.add(fn);
    let result: RepeatedScope | undefined;
    try {
      result = this.directlyRepeated(fn) ?? this.calledFromRepeated(fn) ?? this.calledFromOtherFiles(fn) ?? this.callableRepeatedly(fn);
    } finally {
      this.inProgress.delete(fn);
    }
    this.repeated.set(fn, result ?? null);
    return result;
  }

  private directlyRepeated(fn: FunctionLike): RepeatedScope | undefined {
    const parent = fn.parent;
    // Callback argument of a registering call.
    if (parent && (ts.isCallExpression(parent) || ts.isNewExpression(parent)) && parent.arguments?.includes(fn as ts.Expression)) {
      const r = this.registration(parent, fn as ts.Expression);
      if (r) return r;
    }
    // { handler: fn } / { eachMessage: async () => {} }
    let prop: ts.Node | undefined;
    if (parent && ts.isPropertyAssignment(parent) && parent.initializer === fn) prop = parent;
    else if (ts.isMethodDeclaration(fn) && parent && ts.isObjectLiteralExpression(parent)) prop = fn;
    if (prop && (ts.isPropertyAssignment(prop) || ts.isMethodDeclaration(prop))) {
      const name = ts.isIdentifier(prop.name) || ts.isStringLiteral(prop.name) ? prop.name.text : '';
      if (handlerProps.has(name)) {
        const kind: RepeatedKind = name.startsWith('each') || name === 'onMessage' ? 'message' : 'request';
        const owner = prop.parent.parent;
        const label = owner && ts.isCallExpression(owner) ? `${this.short(owner.expression)}({ ${name} })` : `${name} handler`;
        return { kind, label, node: prop };
      }
    }
    // NestJS and similar decorators.
    if (ts.isMethodDeclaration(fn)) {
      for (const mod of ts.getDecorators(fn) ?? []) {
        let e = mod.expression;
        if (ts.isCallExpression(e)) e = e.expression;
        const dname = ts.isIdentifier(e) ? e.text : ts.isPropertyAccessExpression(e) ? e.name.text : '';
        const kind = routeDecorators[dname];
        if (kind) return { kind, label: `@${this.short(mod.expression)} ${fn.name.getText(this.sourceFile)}()`, node: mod };
      }
    }
    // Next.js route handlers and Remix loaders/actions: exported functions with route names.
    if (ts.isFunctionDeclaration(fn) && fn.name && hasExport(fn)) {
      const n = fn.name.text;
      if (nextRouteNames.has(n) || ((n === 'loader' || n === 'action') && /(^|[\\/])(app|routes)[\\/]/.test(this.file))) {
        return { kind: 'request', label: `export ${n}()`, node: fn.name };
      }
    }
    // AWS Lambda and similar: `exports.handler = async (event) => …`, `export const handler = …`, `export async function handler`.
    if (this.isServerlessHandler(fn)) return { kind: 'request', label: 'serverless handler (per invocation)', node: fn };
    if (ts.isFunctionDeclaration(fn) && hasDefaultExport(fn) && /[\\/]pages[\\/]api[\\/]/.test(this.file)) {
      return { kind: 'request', label: 'API route handler', node: fn };
    }
    // (req, res) / (request, reply) / (ctx, next) signatures.
    const p = fn.parameters;
    if (p.length >= 2 && ts.isIdentifier(p[0].name) && ts.isIdentifier(p[1].name) && !ts.isConstructorDeclaration(fn)) {
      const a = p[0].name.text;
      const b = p[1].name.text;
      if (((a === 'req' || a === 'request') && /^(res|response|reply|h)$/.test(b)) || (a === 'ctx' && b === 'next')) {
        return { kind: 'request', label: `handler ${this.functionName(fn)}(${a}, ${b})`, node: fn.parameters[0] };
      }
    }
    // A class constructed in a repeated scope of this file has a per-request constructor.
    if (ts.isConstructorDeclaration(fn) && fn.parent && ts.isClassLike(fn.parent)) {
      return this.classConstructedRepeatedly(fn.parent);
    }
    return undefined;
  }

  private isServerlessHandler(fn: FunctionLike): boolean {
    if (ts.isFunctionDeclaration(fn)) return fn.name?.text === 'handler' && hasExport(fn);
    const p = fn.parent;
    if (!p) return false;
    if (ts.isBinaryExpression(p) && p.right === fn && p.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      return /^(module\.)?exports\.handler$/.test(p.left.getText(this.sourceFile));
    }
    if (ts.isVariableDeclaration(p) && ts.isIdentifier(p.name) && p.name.text === 'handler') {
      const st = p.parent?.parent;
      return !!st && ts.isVariableStatement(st) && hasExport(st);
    }
    return false;
  }

  private classConstructedRepeatedly(cls: ts.ClassLikeDeclaration): RepeatedScope | undefined {
    const name = cls.name?.text ?? (cls.parent && ts.isVariableDeclaration(cls.parent) && ts.isIdentifier(cls.parent.name) ? cls.parent.name.text : undefined);
    if (!name) return undefined;
    this.ensureIndexed();
    for (const site of this.newsByName.get(name) ?? []) {
      const r = this.repeatedScope(site);
      if (r) return { kind: 'constructor', label: `new ${name}() in ${r.label}`, node: site };
    }
    if (this.workspace && ts.isClassDeclaration(cls)) {
      for (const exportName of this.exportNamesOf(cls, name)) {
        const c = this.workspace.repeatedCaller(this.file, exportName);
        if (c) return { kind: 'constructor', label: `new ${name}() in ${c.label} (${baseName(c.file)}:${c.line})`, node: cls.name ?? cls, elsewhere: c };
      }
    }
    return undefined;
  }

  /**
   * The workspace half of the model: an exported function called from a repeated scope of another
   * file (a route handler calling a helper module) runs repeatedly too.
   */
  private calledFromOtherFiles(fn: FunctionLike): RepeatedScope | undefined {
    if (!this.workspace || !ts.isSourceFile(this.enclosingFunction(fn))) return undefined;
    const name = this.functionName(fn);
    if (!name) return undefined;
    for (const exportName of this.exportNamesOf(fn, name)) {
      const c = this.workspace.repeatedCaller(this.file, exportName);
      if (c) {
        return { kind: c.kind, label: `${name}() called from ${c.label} (${baseName(c.file)}:${c.line})`, node: ts.isFunctionDeclaration(fn) && fn.name ? fn.name : fn, elsewhere: c };
      }
    }
    return undefined;
  }

  private readonly exportNames = new Map<ts.Node, string[]>();

  /** The names other files import a module-level function or class by ('default' included); cached per declaration. */
  exportNamesOf(decl: ts.Node, name: string): string[] {
    let cached = this.exportNames.get(decl);
    if (!cached) this.exportNames.set(decl, (cached = this.collectExportNames(decl, name)));
    return cached;
  }

  private collectExportNames(decl: ts.Node, name: string): string[] {
    const names: string[] = [];
    const mods = ts.canHaveModifiers(decl) ? ts.getModifiers(decl) ?? [] : [];
    if (mods.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) names.push(mods.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword) ? 'default' : name);
    const p = decl.parent;
    if (p && ts.isVariableDeclaration(p) && p.parent?.parent && ts.isVariableStatement(p.parent.parent) && hasExport(p.parent.parent)) names.push(name);
    if (p && ts.isBinaryExpression(p) && p.right === decl) {
      const left = p.left.getText(this.sourceFile);
      if (/^module\.exports$/.test(left)) names.push('default');
      const m = /^(?:module\.)?exports\.(\w+)$/.exec(left);
      if (m) names.push(m[1]);
    }
    for (const st of this.sourceFile.statements) {
      if (ts.isExportDeclaration(st) && !st.moduleSpecifier && st.exportClause && ts.isNamedExports(st.exportClause)) {
        for (const el of st.exportClause.elements) if ((el.propertyName ?? el.name).getText(this.sourceFile) === name) names.push(el.name.text);
      } else if (ts.isExportAssignment(st) && ts.isIdentifier(st.expression) && st.expression.text === name) names.push('default');
      else if (ts.isExpressionStatement(st) && ts.isBinaryExpression(st.expression) && st.expression.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
        const left = st.expression.left.getText(this.sourceFile);
        const r = skipOuter(st.expression.right);
        if (left === 'module.exports' && ts.isIdentifier(r) && r.text === name) names.push('default');
        else if (left === 'module.exports' && ts.isObjectLiteralExpression(r)) {
          for (const prop of r.properties) {
            if (ts.isShorthandPropertyAssignment(prop) && prop.name.text === name) names.push(name);
            else if (ts.isPropertyAssignment(prop) && ts.isIdentifier(prop.initializer) && prop.initializer.text === name && ts.isIdentifier(prop.name)) names.push(prop.name.text);
          }
        } else {
          const m = /^(?:module\.)?exports\.(\w+)$/.exec(left);
          if (m && ts.isIdentifier(r) && r.text === name) names.push(m[1]);
        }
      }
    }
    return [...new Set(names)];
  }

  /** A function declaration or `const f = () => {}` called from a repeated scope in this file. */
  private calledFromRepeated(fn: FunctionLike): RepeatedScope | undefined {
    const name = this.bindingName(fn);
    if (!name) return undefined;
    for (const call of this.callsByName.get(name) ?? []) {
      if (isWithin(call, fn)) continue;
      const r = this.repeatedScope(call);
      if (r) return { kind: r.kind, label: `${name}() called from ${r.label}`, node: call };
    }
    return undefined;
  }

  /**
   * The fallback of the model: a function nobody registers as a handler may still run many times.
   * Methods (of classes and object literals) run once per call on a long-lived object; exported
   * functions once per caller's call; a helper called from two places or from a loop more than
   * once. Functions named like one-time set-up or teardown (`start`, `init`, `createX`, `close`)
   * are not assumed to repeat.
   */
  private callableRepeatedly(fn: FunctionLike): RepeatedScope | undefined {
    if (ts.isConstructorDeclaration(fn) || ts.isGetAccessor(fn) || ts.isSetAccessor(fn)) return undefined;
    const name = this.functionName(fn) || this.propertyName(fn);
    if (!name || onceNames.test(name)) return undefined;
    if (ts.isMethodDeclaration(fn)) {
      const owner = fn.parent;
      if (ts.isClassLike(owner)) return { kind: 'call', label: `${owner.name?.text ?? 'class'}.${name}()`, node: fn.name };
      return { kind: 'call', label: `method ${name}()`, node: fn.name };
    }
    if (this.propertyName(fn)) return { kind: 'call', label: `method ${name}()`, node: fn };
    if (ts.isSourceFile(this.enclosingFunction(fn)) && this.exportNamesOf(fn, name).length > 0) {
      return { kind: 'call', label: `exported ${name}()`, node: ts.isFunctionDeclaration(fn) && fn.name ? fn.name : fn };
    }
    const calls = (this.callsByName.get(name) ?? []).filter((c) => !isWithin(c, fn));
    const inLoop = calls.find((c) => loopAround(c, fn));
    if (calls.length >= 2 || inLoop) {
      const site = inLoop ?? calls[1];
      return { kind: 'call', label: `${name}(), called ${inLoop ? 'in a loop' : `${calls.length} times`}`, node: site };
    }
    return undefined;
  }

  /** `{ m: function () {} }` / `{ m: () => {} }` / `obj.m = function () {}`: the property name. */
  private propertyName(fn: FunctionLike): string | undefined {
    const p = fn.parent;
    if (!p || !(ts.isFunctionExpression(fn) || ts.isArrowFunction(fn))) return undefined;
    if (ts.isPropertyAssignment(p) && p.initializer === fn && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name))) return p.name.text;
    if (ts.isBinaryExpression(p) && p.right === fn && ts.isPropertyAccessExpression(p.left)
      && !/^(module\.)?exports\./.test(p.left.getText(this.sourceFile))) return p.left.name.text;
    return undefined;
  }

  /**
   * Whether an emitter/collection expression outlives one run of `scope`: what `outlives` says, plus
   * what the kind of repetition implies. Fields of `this` outlive a method call; an AbortSignal
   * parameter belongs to the caller; a loop iteration is outlived by everything declared
   * outside the loop body.
   */
  outlivesScope(expr: ts.Expression, scope: RepeatedScope): { longLived: boolean; name: string } {
    const fn = scope.fn;
    if (!fn) return { longLived: false, name: '' };
    let root = skipOuter(expr);
    while (ts.isPropertyAccessExpression(root) || ts.isElementAccessExpression(root)) root = skipOuter(root.expression);
    const text = this.compactText(expr);
    if (root.kind === ts.SyntaxKind.ThisKeyword) {
      const method = this.enclosingFunction(expr);
      // `this` in an arrow belongs to the method around it; only a constructor's object is new.
      let owner: ts.Node = method;
      while (ts.isArrowFunction(owner)) owner = this.enclosingFunction(owner);
      const longLived = text !== 'this' && (ts.isMethodDeclaration(owner) || (scope.kind === 'call' && !ts.isConstructorDeclaration(owner)));
      return { longLived, name: text };
    }
    if (!ts.isIdentifier(root)) return { longLived: false, name: '' };
    if (scope.kind === 'loop' && !isFunctionLike(fn)) {
      const declared = this.declarationScope(root.text, root);
      return { longLived: !!declared && !isWithin(declared, fn), name: text };
    }
    // An AbortSignal handed in by the caller typically belongs to something long-lived (a shutdown
    // controller, a client's lifetime); other parameters are as often made for this one call.
    // (A handler registered directly gets per-unit objects as parameters; any other function gets
    // whatever its callers pass.)
    const direct = (ts.isCallExpression(scope.node) || ts.isNewExpression(scope.node)) && !!scope.node.arguments?.includes(fn as ts.Expression);
    if (!direct && isFunctionLike(fn) && ts.isIdentifier(skipOuter(expr)) && /signal$/i.test(root.text)
      && fn.parameters.some((p) => ts.isIdentifier(p.name) && p.name.text === (root as ts.Identifier).text) && this.declarationScope(root.text, root) === fn) {
      return { longLived: true, name: text };
    }
    const r = this.outlives(expr, fn);
    return { ...r, name: r.longLived ? text : r.name };
  }

  private bindingName(fn: FunctionLike): string | undefined {
    if (ts.isFunctionDeclaration(fn) && fn.name) return fn.name.text;
    const p = fn.parent;
    if ((ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) && p && ts.isVariableDeclaration(p) && ts.isIdentifier(p.name)) return p.name.text;
    return undefined;
  }

  functionName(fn: FunctionLike): string {
    if (fn.name && (ts.isIdentifier(fn.name) || ts.isStringLiteral(fn.name))) return fn.name.text;
    return this.bindingName(fn) ?? '';
  }

  private registration(call: ts.CallExpression | ts.NewExpression, fn: ts.Expression): RepeatedScope | undefined {
    const callee = skipOuter(call.expression);
    const args = call.arguments ?? ts.factory.createNodeArray();
    const first = args[0];
    const firstText = first ? stringValue(first) : undefined;
    const method = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : '';
    if (!registrationNames.has(method)) return undefined;
    const labelArg = first && first !== fn && (ts.isStringLiteralLike(first) || ts.isRegularExpressionLiteral(first)) ? this.short(first) : '';
    const label = `${this.short(callee)}(${labelArg})`;
    if (ts.isNewExpression(call)) {
      if (method === 'CronJob') return { kind: 'cron', label, node: call };
      // BullMQ: new Worker('queue', async (job) => …)
      if (method === 'Worker' && firstText !== undefined) return { kind: 'message', label, node: call };
      return undefined;
    }
    if (method === 'setInterval') return { kind: 'timer', label: `setInterval callback`, node: call };
    // Each test body runs once; the hooks around them run for every test.
    if ((method === 'beforeEach' || method === 'afterEach') && ts.isIdentifier(callee)) {
      return { kind: 'test', label, node: call };
    }
    // webpack/tapable hooks: `compiler.hooks.done.tap('name', fn)` runs on every build.
    if ((method === 'tap' || method === 'tapAsync' || method === 'tapPromise') && ts.isPropertyAccessExpression(callee)) {
      return { kind: 'event', label, node: call };
    }
    // React effects run on every mount (and re-run on dependency changes): cleanup belongs in the returned function.
    if ((method === 'useEffect' || method === 'useLayoutEffect') && args[0] === fn) return { kind: 'mount', label: method, node: call };
    if (method === 'schedule' || method === 'scheduleJob') return { kind: 'cron', label, node: call };
    if (method === 'createServer' || method === 'createSecureServer') return { kind: 'request', label, node: call };
    if (ts.isPropertyAccessExpression(callee)) {
      const recv = skipOuter(callee.expression);
      if (method === 'on' || method === 'addListener' || method === 'prependListener' || method === 'addEventListener') {
        if (firstText === undefined || oneShotEvents.has(firstText)) return undefined;
        if (firstText === 'request') return { kind: 'request', label, node: call };
        if (connectionEvents.has(firstText)) return { kind: 'connection', label, node: call };
        if (messageEvents.has(firstText)) return { kind: 'message', label, node: call };
        return { kind: 'event', label, node: call };
      }
      if (httpVerbs.has(method) && args.indexOf(fn) >= 0) {
        // app.get('/x', fn) / router.post(...) / app.use(fn) / app.route('/x').get(fn); not map.get(k).
        const recvText = ts.isIdentifier(recv) ? recv.text : ts.isPropertyAccessExpression(recv) ? recv.name.text : '';
        const routeLike = firstText !== undefined && (firstText.startsWith('/') || firstText === '*')
          || (first && ts.isRegularExpressionLiteral(first))
          || /app|router|server|route|api|fastify|instance|koa/i.test(recvText)
          || (ts.isCallExpression(recv) && /route/i.test(this.short(recv.expression)));
        if (routeLike) return { kind: 'request', label, node: call };
        // `x.use(fn)` is also how plugins are installed (chai.use, i18n.use): only middleware-shaped functions.
        if (method === 'use' && isFunctionLike(fn) && fn.parameters[0] && ts.isIdentifier(fn.parameters[0].name)
          && /^(req|request|ctx|context)$/.test(fn.parameters[0].name.text)) return { kind: 'request', label, node: call };
        return undefined;
      }
      if (consumerMethods.has(method)) {
        if (method === 'addHook') return { kind: 'request', label, node: call };
        if (method === 'listen') return undefined;
        if (method === 'process' && !/queue|worker|job/i.test(this.short(recv))) return undefined;
        return { kind: 'message', label, node: call };
      }
    }
    return undefined;
  }
}

/** A loop statement between `node` and `stop` (the node runs once per iteration). */
export function loopAround(node: ts.Node, stop: ts.Node): boolean {
  for (let cur = node.parent; cur && cur !== stop; cur = cur.parent) {
    if (isFunctionLike(cur)) return false;
    if (ts.isForStatement(cur) || ts.isForOfStatement(cur) || ts.isForInStatement(cur) || ts.isWhileStatement(cur) || ts.isDoStatement(cur)) {
      return isWithin(node, cur.statement);
    }
  }
  return false;
}

function baseName(file: string): string {
  return file.slice(Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\')) + 1);
}

function loopLabel(loop: ts.Node): string {
  if (ts.isForOfStatement(loop)) return 'for await';
  if (ts.isDoStatement(loop)) return 'do…while';
  if (ts.isForStatement(loop)) return 'for (;;)';
  return 'while';
}

export function isWithin(node: ts.Node, container: ts.Node): boolean {
  return node.pos >= container.pos && node.end <= container.end && node.getSourceFile() === container.getSourceFile();
}

function containsAwait(node: ts.Node): boolean {
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found || isFunctionLike(n)) return;
    if (ts.isAwaitExpression(n) || (ts.isForOfStatement(n) && n.awaitModifier)) {
      found = true;
      return;
    }
    ts.forEachChild(n, visit);
  };
  visit(node);
  return found;
}

function hasExport(node: ts.Node): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
}

function hasDefaultExport(node: ts.Node): boolean {
  return hasExport(node) && ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.DefaultKeyword);
}

function moduleAliasFor(name: string): string | undefined {
  switch (name) {
    case 'fs': return 'fs';
    case 'fsp': return 'fs/promises';
    case 'net': return 'net';
    case 'tls': return 'tls';
    case 'http': return 'http';
    case 'https': return 'https';
    case 'zlib': return 'zlib';
    case 'readline': return 'readline';
    default: return undefined;
  }
}
