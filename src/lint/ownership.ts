/**
 * Ownership of a created value: is it released on every path, handed to an owner (returned, stored
 * outside the function, piped), declared with `using`, or dropped? Intra-procedural and syntactic:
 * uses are found by name in the declaring scope, and "every path" is approximated by position
 * (a `return`/`throw` after the creation with no release between them, outside any try whose
 * catch/finally releases). Anything we cannot follow counts as escaped, so unknowns stay quiet.
 */
import ts = require('typescript');
import { type FileAnalysis, isFunctionLike, isWithin, type RepeatedScope, skipOuter, valueSite } from './analysis';

export interface OwnershipOptions {
  /** Methods on the value that release it (`close`, `end`, `release`). */
  closeMethods: readonly string[];
  /** Functions taking the value as an argument that release it (`fs.closeSync(fd)`). */
  closeFunctions?: readonly string[];
  /** Property reads that count as releasing/consuming (`res.body`). */
  consumeProperties?: readonly string[];
  /** Passing the value to an unknown call hands it off (true for resources, false for background objects). */
  argumentEscapes: boolean;
  /** Calls that only use the value (`fs.readSync(fd)`), by last name. */
  nonOwningCalls?: ReadonlySet<string>;
  /** `for await (... of x)` consumes the value. */
  iterationReleases?: boolean;
  /** An `await` between acquiring and releasing can throw and skip the release (unless a try around it releases). */
  awaitsMayThrow?: boolean;
  /** Methods on the value that hand its ownership to what they return (`fh.createReadStream()`). */
  handoffMethods?: readonly string[];
}

export type OwnershipStatus =
  /** Released on every path we can see. */
  | 'released'
  /** Handed to something else that owns it now (returned, stored outside, piped, passed on). */
  | 'escaped'
  | 'using'
  /** Never referenced after creation. */
  | 'unused'
  /** Referenced but never released. */
  | 'leaked'
  /** Released on the main path but not on an early return/throw. */
  | 'partial';

export interface Ownership {
  status: OwnershipStatus;
  variable?: string;
  declaration?: ts.VariableDeclaration;
  /** The early exit that skips the release (status 'partial'). */
  leakyExit?: ts.Node;
  /** How it escaped, for debugging and messages ('returned', 'stored on this.cache', 'piped'). */
  escape?: string;
  releases: ts.Node[];
  /** Object-literal property the value sits in when passed inline (`{ httpAgent: new Agent() }`). */
  inlineIn?: ts.Node;
}

const chainReturnsSelf = new Set(['on', 'once', 'addListener', 'prependListener', 'setEncoding', 'setTimeout',
  'setNoDelay', 'setKeepAlive', 'resume', 'pause', 'cork', 'ref', 'unref', 'setMaxListeners']);
const storingMethods = new Set(['push', 'unshift', 'set', 'add', 'splice', 'resolve', 'assign', 'register', 'track',
  'emit', 'next', 'send', 'end', 'write', 'callback', 'done', 'cb', 'then', 'finally', 'catch']);

/** Ownership of the value produced by `creation` (a call or `new`). */
export function ownershipOf(a: FileAnalysis, creation: ts.Expression, opts: OwnershipOptions): Ownership {
  let site: ts.Node = valueSite(creation);
  for (let guard = 0; guard < 8; guard++) {
    const p = site.parent;
    if (!p) return { status: 'escaped', escape: 'unknown', releases: [] };
    if (ts.isPropertyAccessExpression(p) && p.expression === site) {
      const call = p.parent;
      if (call && ts.isCallExpression(call) && call.expression === p) {
        const m = p.name.text;
        if (opts.closeMethods.includes(m)) return { status: 'released', releases: [call] };
        if (opts.handoffMethods?.includes(m)) return { status: 'escaped', escape: `handed to ${m}()`, releases: [] };
        if (m === 'pipe' || m === 'pipeTo' || m === 'pipeThrough') return { status: 'escaped', escape: 'piped', releases: [] };
        if (chainReturnsSelf.has(m)) {
          site = valueSite(call);
          continue;
        }
      }
      if (opts.consumeProperties?.includes(p.name.text)) return { status: 'released', releases: [p] };
      // `makeClient().get(…)`: an object that runs background work, used once and dropped.
      if (!opts.argumentEscapes && call && ts.isCallExpression(call) && call.expression === p) return { status: 'unused', releases: [] };
      return { status: 'escaped', escape: 'chained', releases: [] };
    }
    if (ts.isConditionalExpression(p) && p.condition !== site) {
      site = valueSite(p);
      continue;
    }
    if (ts.isBinaryExpression(p) && p.right === site && (p.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken
      || p.operatorToken.kind === ts.SyntaxKind.BarBarToken || p.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken)) {
      site = valueSite(p);
      continue;
    }
    break;
  }
  const p = site.parent;
  if (ts.isExpressionStatement(p)) return { status: 'unused', releases: [] };
  if (ts.isVariableDeclaration(p) && p.initializer === site) {
    const list = p.parent;
    if (ts.isVariableDeclarationList(list) && list.flags & ts.NodeFlags.Using) return { status: 'using', releases: [] };
    if (!ts.isIdentifier(p.name)) return { status: 'escaped', escape: 'destructured', releases: [], declaration: p };
    const scope = a.declarationScope(p.name.text, p) ?? a.sourceFile;
    const r = trackVariable(a, p.name.text, scope, site, opts);
    return { ...r, variable: p.name.text, declaration: p };
  }
  if (ts.isReturnStatement(p) || (ts.isArrowFunction(p) && p.body === site) || ts.isYieldExpression(p)) {
    return { status: 'escaped', escape: 'returned', releases: [] };
  }
  if (ts.isBinaryExpression(p) && p.right === site && p.operatorToken.kind >= ts.SyntaxKind.FirstAssignment
    && p.operatorToken.kind <= ts.SyntaxKind.LastAssignment) {
    const left = skipOuter(p.left);
    if (ts.isIdentifier(left)) {
      const fn = a.enclosingFunction(p);
      if (a.isDeclaredWithin(left.text, left, fn) && !ts.isSourceFile(fn)) {
        const scope = a.declarationScope(left.text, left) ?? fn;
        const r = trackVariable(a, left.text, scope, site, opts);
        return { ...r, variable: left.text };
      }
      return { status: 'escaped', escape: `stored in ${left.text}`, releases: [] };
    }
    if (ts.isPropertyAccessExpression(left) || ts.isElementAccessExpression(left)) {
      return { status: 'escaped', escape: `stored on ${a.short(left)}`, releases: [] };
    }
    return { status: 'escaped', escape: 'assigned', releases: [] };
  }
  if ((ts.isCallExpression(p) || ts.isNewExpression(p)) && p.arguments?.includes(site as ts.Expression)) {
    return argumentOwnership(a, p, opts) ?? { status: 'leaked', releases: [], inlineIn: p };
  }
  if (ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p) || ts.isArrayLiteralExpression(p) || ts.isSpreadElement(p)) {
    if (!opts.argumentEscapes) {
      // `{ httpAgent: new Agent() }` passed straight into a call: the call only borrows it.
      const holder = literalHolder(ts.isArrayLiteralExpression(p) ? p : p.parent);
      const call = holder.parent;
      if (call && (ts.isCallExpression(call) || ts.isNewExpression(call)) && call.arguments?.includes(holder as ts.Expression)
        && !argumentOwnership(a, call, opts)) {
        return { status: 'leaked', releases: [], inlineIn: p };
      }
    }
    return { status: 'escaped', escape: 'kept in a literal', releases: [] };
  }
  return { status: 'escaped', escape: 'unknown', releases: [] };
}

/** When the value is passed to a call: released, handed off, or (undefined) merely borrowed. */
function argumentOwnership(a: FileAnalysis, call: ts.CallExpression | ts.NewExpression, opts: OwnershipOptions): Ownership | undefined {
  const callee = skipOuter(call.expression);
  const last = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : '';
  if (opts.closeFunctions?.includes(last)) return { status: 'released', releases: [call] };
  if (last === 'pipeline' || last === 'finished' || last === 'pipe') return { status: 'escaped', escape: 'piped', releases: [] };
  if (opts.nonOwningCalls?.has(last)) return undefined;
  if (opts.argumentEscapes) return { status: 'escaped', escape: `passed to ${a.short(callee)}`, releases: [] };
  if (storingMethods.has(last) && ts.isPropertyAccessExpression(callee)) {
    return { status: 'escaped', escape: `stored via ${a.short(callee)}`, releases: [] };
  }
  return undefined;
}

/**
 * Follows a variable through its scope. `start` is the creation site; references before it (in a
 * loop, say) are still counted, which can only make us quieter.
 */
export function trackVariable(a: FileAnalysis, name: string, scope: ts.Node, start: ts.Node, opts: OwnershipOptions,
  guardNames: readonly string[] = []): Ownership {
  const releases: ts.Node[] = [];
  let refs = 0;
  let escape: string | undefined;
  const visit = (n: ts.Node): void => {
    if (escape) return;
    if (ts.isIdentifier(n) && n.text === name && n !== start && isReference(n)) {
      if (n.pos < start.end && isWithin(start, n.parent)) {
        // The declaration's own name.
      } else {
        refs++;
        classify(n);
      }
    }
    ts.forEachChild(n, visit);
  };
  const classify = (ref: ts.Identifier): void => {
    const site = valueSite(ref);
    const p = site.parent;
    if (ts.isVariableDeclaration(p) && p.name === ref) return;
    if (ts.isPropertyAccessExpression(p) && p.expression === site) {
      const call = p.parent;
      const m = p.name.text;
      if (call && ts.isCallExpression(call) && call.expression === p) {
        if (opts.closeMethods.includes(m)) releases.push(call);
        else if (m === 'pipe' || m === 'pipeTo') escape = 'piped';
        else if (opts.handoffMethods?.includes(m)) escape = `handed to ${m}()`;
        return;
      }
      if (opts.consumeProperties?.includes(m)) releases.push(p);
      return;
    }
    if ((ts.isCallExpression(p) || ts.isNewExpression(p)) && p.arguments?.includes(site as ts.Expression)) {
      const r = argumentOwnership(a, p, opts);
      if (r?.status === 'released') releases.push(p);
      else if (r?.status === 'escaped') escape = r.escape;
      return;
    }
    if (ts.isReturnStatement(p) || (ts.isArrowFunction(p) && p.body === site) || ts.isYieldExpression(p)) {
      escape = 'returned';
      return;
    }
    if (ts.isBinaryExpression(p) && p.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      if (p.right === site) escape = `stored in ${a.short(p.left)}`;
      return;
    }
    if (ts.isVariableDeclaration(p) && p.initializer === site) {
      escape = 'aliased';
      return;
    }
    if (ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p) || ts.isArrayLiteralExpression(p)
      || ts.isSpreadElement(p) || ts.isSpreadAssignment(p) || ts.isExportSpecifier(p) || ts.isExportAssignment(p)) {
      if (!opts.argumentEscapes && (ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p))) {
        // `https.get({ agent }, …)`: an options object passed straight into a call only lends it.
        const holder = literalHolder(p.parent);
        const call = holder.parent;
        if (call && (ts.isCallExpression(call) || ts.isNewExpression(call)) && call.arguments?.includes(holder as ts.Expression)
          && !argumentOwnership(a, call, opts)) return;
      }
      escape = 'kept in a literal';
      return;
    }
    if (ts.isForOfStatement(p) && p.expression === site && opts.iterationReleases) {
      releases.push(p);
      return;
    }
  };
  visit(scope);
  if (escape) return { status: 'escaped', escape, releases };
  if (refs === 0) return { status: 'unused', releases };
  if (releases.length === 0) return { status: 'leaked', releases };
  if (releases.some((r) => inFinallyOrCleanup(r, start))) {
    // Released only inside a callback (`conn.query(sql, (err, rows) => { if (err) return cb(err); conn.release(); })`):
    // an early exit of that callback before the release leaks it on that path.
    const inCallback = releases.every((r) => !isInFinally(r));
    const exit = inCallback && releases.length === 1 ? callbackLeakyExit(a, name, releases[0]) : undefined;
    return exit ? { status: 'partial', releases, leakyExit: exit } : { status: 'released', releases };
  }
  const leakyExit = findLeakyExit(a, name, start, releases, guardNames, !!opts.awaitsMayThrow);
  return leakyExit ? { status: 'partial', releases, leakyExit } : { status: 'released', releases };
}

function isReference(id: ts.Identifier): boolean {
  const p = id.parent;
  if (ts.isPropertyAccessExpression(p) && p.name === id) return false;
  if ((ts.isPropertyAssignment(p) || ts.isMethodDeclaration(p) || ts.isPropertyDeclaration(p)) && p.name === id) return false;
  if (ts.isBindingElement(p) && p.propertyName === id) return false;
  if ((ts.isImportSpecifier(p) || ts.isExportSpecifier(p)) && p.propertyName === id) return false;
  if (ts.isParameter(p) && p.name === id) return false;
  if (ts.isQualifiedName(p) || ts.isTypeReferenceNode(p)) return false;
  return true;
}

function isInFinally(release: ts.Node): boolean {
  for (let cur: ts.Node | undefined = release.parent; cur && !isFunctionLike(cur); cur = cur.parent) {
    if (ts.isBlock(cur) && cur.parent && ts.isTryStatement(cur.parent) && cur.parent.finallyBlock === cur) return true;
  }
  return false;
}

/** An early `return`/`throw` in the callback holding the only release, before it, that skips it. */
function callbackLeakyExit(a: FileAnalysis, name: string, release: ts.Node): ts.Node | undefined {
  const fn = a.enclosingFunction(release);
  if (ts.isSourceFile(fn) || !fn.body || !ts.isBlock(fn.body)) return undefined;
  let found: ts.Node | undefined;
  const visit = (n: ts.Node): void => {
    if (found || n.pos >= release.pos) return;
    if (isFunctionLike(n) && n !== fn) return;
    if ((ts.isReturnStatement(n) || ts.isThrowStatement(n)) && !exitIsSafe(n, name, [release], [], fn)) {
      found = n;
      return;
    }
    ts.forEachChild(n, visit);
  };
  visit(fn.body);
  return found;
}

/** Released in a finally block, or in an event callback (`stream.on('close', () => fh.close())`). */
function inFinallyOrCleanup(release: ts.Node, start: ts.Node): boolean {
  for (let cur: ts.Node | undefined = release.parent; cur; cur = cur.parent) {
    if (ts.isBlock(cur) && cur.parent && ts.isTryStatement(cur.parent) && cur.parent.finallyBlock === cur) return true;
    if (isFunctionLike(cur)) {
      // The function that acquired it: its own statements are not a callback.
      if (isWithin(start, cur)) return false;
      // A release inside a callback runs when that callback fires: trust it.
      const call = cur.parent;
      return !!call && (ts.isCallExpression(call) || ts.isNewExpression(call));
    }
  }
  return false;
}

/** An early `return`/`throw` after `start` with no release before it (positionally), if any. */
function findLeakyExit(a: FileAnalysis, name: string, start: ts.Node, releases: ts.Node[], guardNames: readonly string[],
  awaitsMayThrow: boolean): ts.Node | undefined {
  const fn = a.enclosingFunction(start);
  const body = ts.isSourceFile(fn) ? fn : fn.body;
  if (!body) return undefined;
  const firstRelease = Math.min(...releases.map((r) => r.pos));
  let found: ts.Node | undefined;
  let firstAwait: ts.Node | undefined;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (isFunctionLike(n) && n !== fn) return;
    if ((ts.isReturnStatement(n) || ts.isThrowStatement(n)) && n.pos > start.end && n.pos < firstRelease) {
      if (!exitIsSafe(n, name, releases, guardNames, fn)) found = n;
      return;
    }
    if (awaitsMayThrow && ts.isAwaitExpression(n) && n.pos > start.end && n.end < firstRelease && !isWithin(start, n)
      && !releases.some((r) => isWithin(r, n)) && !exitIsSafe(n, name, releases, [], fn)) {
      // An explicit early exit, when there is one, is the clearer thing to point at.
      firstAwait ??= n;
      return;
    }
    ts.forEachChild(n, visit);
  };
  visit(body);
  return found ?? firstAwait;
}

function exitIsSafe(exit: ts.ReturnStatement | ts.ThrowStatement | ts.AwaitExpression, name: string, releases: ts.Node[], guardNames: readonly string[], fn: ts.Node): boolean {
  if (!ts.isAwaitExpression(exit) && exit.expression && usesWhole(exit.expression, name)) return true;
  for (let cur: ts.Node | undefined = exit.parent; cur && cur !== fn; cur = cur.parent) {
    if (ts.isTryStatement(cur) && isWithin(exit, cur.tryBlock)) {
      const handlers = [cur.catchClause, cur.finallyBlock].filter((x): x is ts.CatchClause | ts.Block => !!x);
      if (releases.some((r) => handlers.some((h) => isWithin(r, h)))) return true;
    }
    if (ts.isIfStatement(cur) && !isWithin(exit, cur.expression)) {
      const cond = cur.expression;
      // `if (!fh) return`, `if (err) return cb(err)`: nothing was acquired on that path.
      if (negates(cond, name) || guardNames.some((g) => mentions(cond, g))) return true;
    }
  }
  return false;
}

function negates(cond: ts.Expression, name: string): boolean {
  const c = skipOuter(cond);
  if (ts.isPrefixUnaryExpression(c) && c.operator === ts.SyntaxKind.ExclamationToken) {
    const o = skipOuter(c.operand);
    return ts.isIdentifier(o) && o.text === name;
  }
  if (ts.isBinaryExpression(c)) {
    const op = c.operatorToken.kind;
    if (op === ts.SyntaxKind.BarBarToken) return negates(c.left, name) || negates(c.right, name);
    if (op === ts.SyntaxKind.EqualsEqualsToken || op === ts.SyntaxKind.EqualsEqualsEqualsToken) {
      const l = skipOuter(c.left);
      const r = c.right.getText();
      return ts.isIdentifier(l) && l.text === name && /^(null|undefined)$/.test(r);
    }
  }
  return false;
}

/** `name` used as a value (returned, passed, method called) rather than only read from (`res.status`). */
function usesWhole(node: ts.Node, name: string): boolean {
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isIdentifier(n) && n.text === name && isReference(n)) {
      const p = n.parent;
      const propertyRead = ts.isPropertyAccessExpression(p) && p.expression === n && !(ts.isCallExpression(p.parent) && p.parent.expression === p);
      if (!propertyRead) found = true;
    } else ts.forEachChild(n, visit);
  };
  visit(node);
  return found;
}

export function mentions(node: ts.Node, name: string): boolean {
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isIdentifier(n) && n.text === name && isReference(n)) found = true;
    else ts.forEachChild(n, visit);
  };
  visit(node);
  return found;
}

/** Methods that end an object's life: whatever it started must be released in one of them. */
const teardownMethodNames = /^(close|destroy|dispose|stop|shutdown|end|terminate|quit|disconnect|teardown|cleanup|release|unmount|unsubscribe)$|^\[Symbol\.(asyncDispose|dispose)\]$/;

/** A class's teardown methods (with bodies), in declaration order. */
export function teardownMethods(a: FileAnalysis, cls: ts.ClassLikeDeclaration): ts.MethodDeclaration[] {
  return cls.members.filter((m): m is ts.MethodDeclaration => ts.isMethodDeclaration(m) && !!m.body && teardownMethodNames.test(m.name.getText(a.sourceFile)));
}

/** A teardown that hands over to the base class (`super.close()`) may release things there, out of sight. */
export function callsSuper(a: FileAnalysis, method: ts.MethodDeclaration): boolean {
  return /\bsuper\s*\.\s*\w+\s*\(/.test(method.getText(a.sourceFile));
}

/** The slot (`this.timer`, a module-level `server`) a created value is assigned to, if it is one that outlives the function. */
export function longLivedSlot(a: FileAnalysis, creation: ts.Node): { target: string; assign: ts.BinaryExpression } | undefined {
  let site = valueSite(creation);
  // `this.t = setInterval(…).unref()` and similar self-returning chains keep the same value.
  while (ts.isPropertyAccessExpression(site.parent) && site.parent.expression === site && ts.isCallExpression(site.parent.parent)
    && /^(unref|ref|on|once|setMaxListeners)$/.test(site.parent.name.text)) site = valueSite(site.parent.parent);
  const assign = site.parent;
  if (!ts.isBinaryExpression(assign) || assign.right !== site || assign.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return undefined;
  const left = skipOuter(assign.left);
  const target = a.compactText(left);
  if (ts.isPropertyAccessExpression(left) && left.expression.kind === ts.SyntaxKind.ThisKeyword) return { target, assign };
  if (ts.isIdentifier(left) && a.isModuleLevelName(left.text, left)) return { target, assign };
  return undefined;
}

/** The outermost function around `node` (below the file or a class body). */
function outermostFunction(node: ts.Node): ts.Node | undefined {
  let top: ts.Node | undefined;
  for (let cur = node.parent; cur && !ts.isSourceFile(cur); cur = cur.parent) {
    if (isFunctionLike(cur)) top = cur;
    if (ts.isClassLike(cur)) break;
  }
  return top;
}

/**
 * Whether `container` releases `target` (by text): `target.close()`, `target?.close()`,
 * `clearInterval(target)`. With `skipOwnHandlers`, a release inside the target's own event handler
 * (`target.on('error', () => target.destroy())`) does not count: it runs only on that event.
 */
export function releasesSlot(a: FileAnalysis, container: ts.Node, target: string, closeMethods: readonly string[], closeFunctions: readonly string[] = [],
  skipOwnHandlers = false): boolean {
  // `const server = this._server; … server.close()`: a local alias releases the slot too.
  const names = new Set([target]);
  const collectAliases = (n: ts.Node): void => {
    if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.initializer
      && a.compactText(n.initializer) === target) names.add(n.name.text);
    ts.forEachChild(n, collectAliases);
  };
  collectAliases(container);
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isCallExpression(n)) {
      const callee = skipOuter(n.expression);
      if (skipOwnHandlers && ts.isPropertyAccessExpression(callee) && /^(on|once|addListener|prependListener|setTimeout)$/.test(callee.name.text)
        && a.compactText(callee.expression) === target) return;
      if (ts.isPropertyAccessExpression(callee) && closeMethods.includes(callee.name.text)
        && names.has(a.compactText(callee.expression))) {
        const via = a.compactText(callee.expression);
        // An alias taken before the slot was emptied still holds the value.
        found = via !== target || !nulledBefore(a, n, target);
      }
      else if (closeFunctions.length && closeFunctions.includes(ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : '')
        && n.arguments.some((arg) => names.has(a.compactText(arg)))) {
        found = !n.arguments.some((arg) => a.compactText(arg) === target) || !nulledBefore(a, n, target);
      }
    }
    if (!found) ts.forEachChild(n, visit);
  };
  visit(container);
  return found;
}

/** `if (!this.t) this.t = …`, `x ??= …`, `x = x || …`: assigned only when empty. */
export function isGuardedAssignment(a: FileAnalysis, assign: ts.BinaryExpression, target: string): boolean {
  const root = target.split(/[.[]/)[target.startsWith('this.') ? 1 : 0];
  for (let cur: ts.Node | undefined = assign; cur && !ts.isSourceFile(cur) && !isFunctionLike(cur); cur = cur.parent) {
    if (ts.isIfStatement(cur) || ts.isConditionalExpression(cur)) {
      const cond = ts.isIfStatement(cur) ? cur.expression : cur.condition;
      if (a.compactText(cond).includes(target) || mentions(cond, root)) return true;
    }
    if (ts.isBinaryExpression(cur) && cur !== assign && (cur.operatorToken.kind === ts.SyntaxKind.BarBarToken
      || cur.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken || cur.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken)) return true;
  }
  return false;
}

/**
 * A created value stored into a long-lived slot by code that runs more than once, without
 * releasing what the slot held: every run but the last leaks the previous value (relisten,
 * reopen, respawn, restart). Returns the slot and why the code runs again.
 */
export function replacedWithoutRelease(a: FileAnalysis, creation: ts.Node, closeMethods: readonly string[], closeFunctions: readonly string[] = []):
  { target: string; assign: ts.BinaryExpression; scope: RepeatedScope } | undefined {
  const slot = longLivedSlot(a, creation);
  if (!slot) return undefined;
  const scope = a.repeatedScope(creation);
  if (!scope || scope.kind === 'constructor') return undefined;
  const fn = a.enclosingFunction(creation);
  if (ts.isSourceFile(fn) || ts.isConstructorDeclaration(fn)) return undefined;
  if (isGuardedAssignment(a, slot.assign, slot.target)) return undefined;
  const container = outermostFunction(creation) ?? fn;
  if (releasesSlot(a, container, slot.target, closeMethods, closeFunctions, true)) return undefined;
  // Released by a paired method (`acquire`/`release`, `beforeEach`/`afterEach`): that is the owner's
  // contract, unless the slot is already filled when the owner is created or the owner calls this
  // code again by itself (a reconnect from its own 'close' handler).
  let cls: ts.ClassLikeDeclaration | undefined;
  for (let cur = creation.parent; cur; cur = cur.parent) if (ts.isClassLike(cur)) { cls = cur; break; }
  const owner: ts.Node = slot.target.startsWith('this.') && cls ? cls : a.sourceFile;
  if (releasesSlot(a, owner, slot.target, closeMethods, closeFunctions, true)
    && !filledAtCreation(a, owner, slot.target) && !calledByOwner(a, owner, container)) return undefined;
  return { ...slot, scope };
}

/**
 * A value stored on `this` by a class that has a teardown method (close, destroy, stop…) which
 * does not release it (directly or through `this.m()` calls): ending the object leaves it running.
 */
export function teardownWithoutRelease(a: FileAnalysis, creation: ts.Node, closeMethods: readonly string[], closeFunctions: readonly string[] = []):
  { target: string; teardown: ts.MethodDeclaration } | undefined {
  const slot = longLivedSlot(a, creation);
  if (!slot || !slot.target.startsWith('this.')) return undefined;
  let cls: ts.ClassLikeDeclaration | undefined;
  for (let cur = creation.parent; cur; cur = cur.parent) if (ts.isClassLike(cur)) { cls = cur; break; }
  if (!cls) return undefined;
  const methods = new Map<string, ts.MethodDeclaration>();
  for (const m of cls.members) if (ts.isMethodDeclaration(m) && m.body) methods.set(m.name.getText(a.sourceFile), m);
  const teardowns = teardownMethods(a, cls);
  if (teardowns.length === 0 || teardowns.some((t) => callsSuper(a, t))) return undefined;
  for (const t of teardowns) {
    // The teardown and the methods it calls on `this`.
    const seen = new Set<ts.MethodDeclaration>([t]);
    const queue = [t];
    while (queue.length) {
      const m = queue.pop()!;
      if (releasesSlot(a, m, slot.target, closeMethods, closeFunctions)) return undefined;
      const visit = (n: ts.Node): void => {
        if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && n.expression.expression.kind === ts.SyntaxKind.ThisKeyword) {
          const callee = methods.get(n.expression.name.text);
          if (callee && !seen.has(callee)) { seen.add(callee); queue.push(callee); }
        }
        ts.forEachChild(n, visit);
      };
      visit(m);
    }
  }
  // Released somewhere else (a swap method, a callback, another object holding this one)? Then the
  // teardown is not the only way out; stay quiet.
  if (releasesSlot(a, cls, slot.target, closeMethods, closeFunctions)) return undefined;
  const field = slot.target.slice('this.'.length).replace(/[$]/g, '\\$');
  const other = `(?<!\\bthis)\\.${field}`;
  const viaOther = new RegExp(`(${other}\\s*\\??\\.\\s*(${closeMethods.join('|') || '$^'})\\s*\\()|((${closeFunctions.join('|') || '$^'})\\s*\\([^)]*${other}\\s*\\))`);
  if (viaOther.test(a.text)) return undefined;
  return { target: slot.target, teardown: teardowns[0] };
}

/** `this.fd = null; … close(this.fd)`: the slot was emptied before the release in the same function, so it releases nothing. */
function nulledBefore(a: FileAnalysis, release: ts.Node, target: string): boolean {
  const fn = a.enclosingFunction(release);
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found || n.pos >= release.pos) return;
    if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken
      && a.compactText(n.left) === target && /^(null|undefined)$/.test(n.right.getText(a.sourceFile))) found = true;
    else ts.forEachChild(n, visit);
  };
  visit(fn);
  return found;
}

/** Whether the slot is assigned when its owner is created: in the constructor or a field initialiser, or at module scope. */
function filledAtCreation(a: FileAnalysis, owner: ts.Node, target: string): boolean {
  if (ts.isClassLike(owner)) {
    const field = target.slice('this.'.length);
    if (owner.members.some((m) => ts.isPropertyDeclaration(m) && m.name.getText(a.sourceFile) === field && m.initializer
      && !/^(null|undefined)$/.test(m.initializer.getText(a.sourceFile)))) return true;
    const ctor = owner.members.find(ts.isConstructorDeclaration);
    return !!ctor?.body && ctor.body.statements.some((st) => ts.isExpressionStatement(st) && ts.isBinaryExpression(st.expression)
      && st.expression.operatorToken.kind === ts.SyntaxKind.EqualsToken && a.compactText(st.expression.left) === target
      && !/^(null|undefined)$/.test(st.expression.right.getText(a.sourceFile)));
  }
  return false;
}

/** Whether the owner itself calls the function again: `this.reconnect()` inside the class, or `reload()` elsewhere in the file. */
function calledByOwner(a: FileAnalysis, owner: ts.Node, fn: ts.Node): boolean {
  if (!isFunctionLike(fn)) return false;
  const name = ts.isMethodDeclaration(fn) || ts.isFunctionDeclaration(fn) ? fn.name?.getText(a.sourceFile) : undefined;
  if (!name) return false;
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isCallExpression(n)) {
      const callee = skipOuter(n.expression);
      if (ts.isClassLike(owner) ? ts.isPropertyAccessExpression(callee) && callee.expression.kind === ts.SyntaxKind.ThisKeyword && callee.name.text === name
        : ts.isIdentifier(callee) && callee.text === name) found = true;
    }
    ts.forEachChild(n, visit);
  };
  visit(owner);
  return found;
}

/** The outermost object/array literal around `literal` (`{ agent: { https: agent } }`), as a value site. */
function literalHolder(literal: ts.Node): ts.Node {
  let holder = valueSite(literal);
  while (holder.parent && (ts.isPropertyAssignment(holder.parent) || ts.isArrayLiteralExpression(holder.parent))) {
    const outer = ts.isPropertyAssignment(holder.parent) ? holder.parent.parent : holder.parent;
    if (!ts.isObjectLiteralExpression(outer) && !ts.isArrayLiteralExpression(outer)) break;
    holder = valueSite(outer);
  }
  return holder;
}
