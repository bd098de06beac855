/**
 * Cross-file facts: what a class's constructor (or a factory function) starts that outlives the
 * call: an interval, an object with background work, a listener on a long-lived emitter. The rule
 * at `new Logic()` in a handler asks these, so the per-request "logic object that builds its own
 * cache" is caught even when the class lives in another file.
 */
import ts = require('typescript');
import { type BackgroundFact, type FileAnalysis, isFunctionLike, skipOuter } from './analysis';
import { backgroundCalls } from './catalog';

/** Decides whether a call/new is a known background constructor; shared with the rule. */
export function backgroundEntryFor(a: FileAnalysis, node: ts.CallExpression | ts.NewExpression): { what: string; runs: string } | undefined {
  const c = a.callee(node);
  const key = c.key;
  let entry = key ? backgroundCalls[key] : undefined;
  if (!entry && c.module && c.name.startsWith('default.')) entry = backgroundCalls[`${c.module}:${c.name.slice(8)}`];
  if (!entry && c.module && ts.isNewExpression(node) && c.name.endsWith('.default')) entry = backgroundCalls[`${c.module}:default`];
  if (!entry) {
    // ioredis `client.duplicate()` opens a new connection (typically for pub/sub).
    if (ts.isCallExpression(node) && c.last === 'duplicate' && c.receiver && /redis|client|pub|sub/i.test(c.receiver.getText(a.sourceFile))) {
      return { what: 'duplicated Redis connection', runs: 'a new connection and its reconnect timers' };
    }
    // gRPC clients: `new pkg.Service(address, grpc.credentials.createInsecure())`.
    if (ts.isNewExpression(node) && node.arguments?.some((arg) => /credentials\.create(Insecure|Ssl)\b/.test(arg.getText(a.sourceFile)))) {
      return { what: `gRPC client ${c.last}`, runs: 'its own channel and connections' };
    }
    for (const r of a.config.resources) {
      if (r.kind === 'background' && r.name === c.last && (!r.module || r.module === c.module)) {
        return { what: r.name, runs: 'background work (declared in the configuration)' };
      }
    }
    return undefined;
  }
  // Plain calls only match factories (`createClient()`), `new` only constructors; both for default exports.
  const arg = node.arguments?.[0] ? skipOuter(node.arguments[0]) : undefined;
  const objectProps = arg && ts.isObjectLiteralExpression(arg) ? arg.properties : undefined;
  const prop = (name: string) => objectProps?.find((p) => p.name && ts.isIdentifier(p.name) && p.name.text === name);
  if (entry.when === 'keepAlive') {
    const p = prop('keepAlive');
    if (!p || !ts.isPropertyAssignment(p) || p.initializer.kind !== ts.SyntaxKind.TrueKeyword) return undefined;
  }
  if (entry.when === 'ttlAutopurge') {
    const p = prop('ttlAutopurge');
    if (!p || !ts.isPropertyAssignment(p) || p.initializer.kind !== ts.SyntaxKind.TrueKeyword) return undefined;
  }
  if (entry.when === 'agents' && !prop('httpAgent') && !prop('httpsAgent')) return undefined;
  if (key === 'node-cache:default' || key === 'node-cache:NodeCache') {
    // checkperiod: 0 turns the cleanup timer off.
    const p = prop('checkperiod');
    if (p && ts.isPropertyAssignment(p) && p.initializer.getText(a.sourceFile) === '0') return undefined;
  }
  return entry;
}

function isUnrefChained(call: ts.Node): boolean {
  let cur = call;
  while (cur.parent && ts.isParenthesizedExpression(cur.parent)) cur = cur.parent;
  const p = cur.parent;
  return !!p && ts.isPropertyAccessExpression(p) && p.name.text === 'unref';
}

/** Whether the class has a method that clears intervals (so a caller *could* stop it). */
function hasStopMethod(cls: ts.ClassLikeDeclaration): boolean {
  return cls.members.some((m) => ts.isMethodDeclaration(m) && m.body && /clearInterval|clearTimeout/.test(m.body.getText()));
}

export interface FactResolver {
  /** Facts of a class imported into `a`'s file under `local` (its binding). */
  imported(a: FileAnalysis, local: string, depth: number): BackgroundFact | undefined;
}

/**
 * What constructing `cls` starts: looks at the constructor, field initialisers, and methods the
 * constructor calls through `this.m()`, and (transitively, bounded) at classes it constructs.
 */
export function classFact(a: FileAnalysis, cls: ts.ClassLikeDeclaration, resolver: FactResolver | undefined, depth = 0): BackgroundFact | undefined {
  if (depth > 4) return undefined;
  const roots: ts.Node[] = [];
  const ctor = cls.members.find(ts.isConstructorDeclaration);
  if (ctor?.body) roots.push(ctor.body);
  for (const m of cls.members) if (ts.isPropertyDeclaration(m) && m.initializer && !hasStatic(m)) roots.push(m.initializer);
  const methods = new Map<string, ts.MethodDeclaration>();
  for (const m of cls.members) if (ts.isMethodDeclaration(m) && m.body && ts.isIdentifier(m.name)) methods.set(m.name.text, m);
  const seen = new Set<ts.Node>();
  let fact: BackgroundFact | undefined;
  const className = cls.name?.text ?? 'class';
  const visit = (n: ts.Node): void => {
    if (fact) return;
    if (ts.isCallExpression(n) || ts.isNewExpression(n)) {
      const callee = skipOuter(n.expression);
      if (ts.isCallExpression(n) && ts.isIdentifier(callee) && callee.text === 'setInterval' && !isUnrefChained(n)) {
        fact = { kind: 'interval', what: className, runs: `a setInterval (${hasStopMethod(cls) ? 'stopped only if a caller calls its stop method' : 'never cleared'})`, file: a.file, range: a.range(n) };
        return;
      }
      const entry = backgroundEntryFor(a, n);
      if (entry) {
        fact = { kind: 'background', what: className, runs: `a ${entry.what} (${entry.runs})`, file: a.file, range: a.range(n) };
        return;
      }
      if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(callee) && callee.expression.kind === ts.SyntaxKind.ThisKeyword) {
        const m = methods.get(callee.name.text);
        if (m && !seen.has(m)) {
          seen.add(m);
          visit(m.body!);
        }
      }
      if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(callee) && /^(on|addListener|addEventListener|prependListener)$/.test(callee.name.text)) {
        const target = a.outlives(callee.expression, cls);
        if (target.longLived) {
          fact = { kind: 'listener', what: className, runs: `a listener on ${target.name} (${a.short(n.arguments[0] ?? n)})`, file: a.file, range: a.range(n) };
          return;
        }
      }
      if (ts.isNewExpression(n) && ts.isIdentifier(callee)) {
        const inner = localClass(a, callee.text);
        const f = inner && inner !== cls ? classFact(a, inner, resolver, depth + 1) : resolver?.imported(a, callee.text, depth + 1);
        if (f) {
          fact = { ...f, what: className, runs: `a ${f.what} that starts ${f.runs}` };
          return;
        }
      }
    }
    if (isFunctionLike(n) && !ts.isArrowFunction(n) && !ts.isFunctionExpression(n)) return;
    ts.forEachChild(n, visit);
  };
  for (const r of roots) visit(r);
  return fact;
}

function hasStatic(m: ts.PropertyDeclaration): boolean {
  return (ts.getModifiers(m) ?? []).some((x) => x.kind === ts.SyntaxKind.StaticKeyword);
}

/** A module-level class declaration (or `const X = class {}`) named `name`. */
export function localClass(a: FileAnalysis, name: string): ts.ClassLikeDeclaration | undefined {
  for (const st of a.sourceFile.statements) {
    if (ts.isClassDeclaration(st) && st.name?.text === name) return st;
    if (ts.isVariableStatement(st)) {
      for (const d of st.declarationList.declarations) {
        if (ts.isIdentifier(d.name) && d.name.text === name && d.initializer && ts.isClassExpression(skipOuter(d.initializer))) {
          return skipOuter(d.initializer) as ts.ClassExpression;
        }
      }
    }
  }
  return undefined;
}

/** A module-level factory function `name` that returns a fresh background object. */
export function factoryFact(a: FileAnalysis, name: string): BackgroundFact | undefined {
  const fn = moduleLevelFunction(a, name);
  if (!fn?.body) return undefined;
  const returned: ts.Expression[] = ts.isBlock(fn.body)
    ? returnStatements(fn.body).flatMap((r) => (r.expression ? [r.expression] : []))
    : [fn.body];
  for (const r of returned) {
    let e = skipOuter(r);
    // `const agent = new Agent(…); return agent;`: follow a local binding to what made it.
    if (ts.isIdentifier(e) && fn.body && ts.isBlock(fn.body)) {
      const name = e.text;
      const decl = fn.body.statements.flatMap((st) => (ts.isVariableStatement(st) ? [...st.declarationList.declarations] : []))
        .find((d) => ts.isIdentifier(d.name) && d.name.text === name && d.initializer);
      if (decl?.initializer) e = skipOuter(decl.initializer);
    }
    if (ts.isNewExpression(e) || ts.isCallExpression(e)) {
      const entry = backgroundEntryFor(a, e);
      // Named after what it hands out, so the message reads "`getClient()` creates a Redis client that starts …".
      if (entry) return { kind: 'background', what: entry.what, runs: entry.runs, file: a.file, range: a.range(e) };
    }
  }
  return undefined;
}

/** A module-level `function name() {}` or `const name = () => {}` / `= function () {}` of the file. */
export function moduleLevelFunction(a: FileAnalysis, name: string): ts.FunctionLikeDeclaration | undefined {
  let fn: ts.FunctionLikeDeclaration | undefined;
  for (const st of a.sourceFile.statements) {
    if (ts.isFunctionDeclaration(st) && st.name?.text === name) fn = st;
    if (ts.isVariableStatement(st)) {
      for (const d of st.declarationList.declarations) {
        if (ts.isIdentifier(d.name) && d.name.text === name && d.initializer) {
          const init = skipOuter(d.initializer);
          if (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) fn = init;
        }
      }
    }
  }
  return fn;
}

/** The `return` statements of a function body, not those of functions nested in it. */
export function returnStatements(body: ts.Block): ts.ReturnStatement[] {
  const returns: ts.ReturnStatement[] = [];
  const visit = (n: ts.Node): void => {
    if (isFunctionLike(n)) return;
    if (ts.isReturnStatement(n)) returns.push(n);
    ts.forEachChild(n, visit);
  };
  body.statements.forEach(visit);
  return returns;
}

/** The local name bound to export `exportName` ('default' included), or undefined. */
export function localForExport(a: FileAnalysis, exportName: string): string | undefined {
  for (const st of a.sourceFile.statements) {
    const mods = ts.canHaveModifiers(st) ? ts.getModifiers(st) ?? [] : [];
    const exported = mods.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
    const isDefault = mods.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword);
    if ((ts.isClassDeclaration(st) || ts.isFunctionDeclaration(st)) && exported && st.name) {
      if ((isDefault && exportName === 'default') || (!isDefault && st.name.text === exportName)) return st.name.text;
    }
    if (ts.isVariableStatement(st) && exported) {
      for (const d of st.declarationList.declarations) if (ts.isIdentifier(d.name) && d.name.text === exportName) return exportName;
    }
    if (ts.isExportDeclaration(st) && !st.moduleSpecifier && st.exportClause && ts.isNamedExports(st.exportClause)) {
      for (const el of st.exportClause.elements) if (el.name.text === exportName) return (el.propertyName ?? el.name).getText(a.sourceFile);
    }
    if (ts.isExportAssignment(st) && exportName === 'default' && ts.isIdentifier(st.expression)) return st.expression.text;
    if (ts.isExpressionStatement(st) && ts.isBinaryExpression(st.expression) && st.expression.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      const left = st.expression.left.getText(a.sourceFile);
      const right = skipOuter(st.expression.right);
      if (left === 'module.exports') {
        if (ts.isIdentifier(right) && (exportName === 'default' || exportName === right.text)) return right.text;
        if (ts.isClassExpression(right) && right.name && exportName === 'default') return right.name.text;
        if (ts.isObjectLiteralExpression(right)) {
          for (const p of right.properties) {
            if (ts.isShorthandPropertyAssignment(p) && p.name.text === exportName) return p.name.text;
            if (ts.isPropertyAssignment(p) && ts.isIdentifier(p.name) && p.name.text === exportName && ts.isIdentifier(p.initializer)) return p.initializer.text;
          }
        }
      }
      if ((left === `module.exports.${exportName}` || left === `exports.${exportName}`) && ts.isIdentifier(right)) return right.text;
    }
  }
  return undefined;
}
