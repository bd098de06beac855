import ts = require('typescript');
import { type FileAnalysis, type FunctionLike, isFunctionLike, isWithin, type RepeatedScope, skipOuter, valueSite } from '../analysis';
import type { Fix } from '../types';
import { mentions, ownershipOf, teardownWithoutRelease } from '../ownership';
import type { RuleContext, RuleMeta, RuleVisitors } from '../rule';
import { isOnceGuarded, related, runsText, scopeRelated } from '../ruleUtil';

export const meta = {
  id: 'no-uncleared-timer' as const,
  description: 'Intervals, race timeouts, polling chains and timers an object owns need a clear on every way their owner ends.',
  severity: 'warning',
  docs: {
    why: 'A timer keeps its callback and everything the callback closes over alive until it is cleared. An interval started per request or per connection and never cleared runs forever; a `Promise.race` timeout that is never cleared holds its closure until it fires; a polling `setTimeout` chain with no stop handle can never be stopped.',
    fix: 'Keep the handle and `clearInterval`/`clearTimeout` it when the work is done (in `finally`, on \'close\'), give long-lived objects a close()/dispose() that clears their timers, and `.unref()` timers that are meant to live as long as the process.',
  },
  messages: {
    intervalPerScope: '`setInterval` {{scope}} and is never cleared: every call starts another interval that runs forever and keeps its closure alive. Keep the handle and `clearInterval` it when {{unit}}.',
    neverCleared: '`setInterval` in {{owner}} is never cleared and its handle {{handle}}: nothing can ever stop it, so it and everything its callback holds live until the process exits. Store the handle and clear it in a close()/dispose() method{{unref}}.',
    notClearedOnTeardown: '`{{target}} = {{fn}}(…)` is not cleared by `{{teardown}}()`: after the object is ended the timer still fires and keeps the object alive. `{{clear}}({{target}})` in `{{teardown}}()`.',
    timeoutOutlivesPromise: 'This timeout is never cleared when the promise settles the other way: the timer keeps its closure (and what the promise was waiting on) alive until it fires. Keep the handle and `clearTimeout` it when the promise settles.',
    raceTimer: 'The timeout timer in this `Promise.race` is never cleared: when the other promise wins, the timer still holds its closure until it fires. Keep the handle and `clearTimeout` it in a `finally`.',
    pollingWithoutStop: '`{{fn}}` re-schedules itself with `setTimeout` unconditionally and keeps no handle, and it is started from code that {{scope}}: every start adds a polling chain that can never stop. Keep the handle or check a stop flag before re-scheduling.',
  },
  examples: {
    invalid: [
      `const WebSocket = require('ws');\nconst wss = new WebSocket.Server({ port: 8080 });\nwss.on('connection', (ws) => {\n  setInterval(() => ws.ping(), 30000);\n});`,
      `function withTimeout(p, ms) {\n  return Promise.race([p, new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), ms))]);\n}`,
    ],
    valid: [
      `const WebSocket = require('ws');\nconst wss = new WebSocket.Server({ port: 8080 });\nwss.on('connection', (ws) => {\n  const t = setInterval(() => ws.ping(), 30000);\n  ws.on('close', () => clearInterval(t));\n});`,
      `setInterval(() => console.log(process.memoryUsage().rss), 60000).unref();`,
    ],
  },
} satisfies RuleMeta;

const logCalls = new Set(['log', 'info', 'debug', 'warn', 'error', 'String', 'Boolean']);
const timerNames = new Set(['setInterval', 'setTimeout', 'clearInterval', 'clearTimeout']);

export function create(context: RuleContext): RuleVisitors {
  const a = context.analysis;
  const intervals: ts.CallExpression[] = [];
  const timeouts: ts.CallExpression[] = [];
  const cleared = new Set<string>();
  return {
    [ts.SyntaxKind.CallExpression]: (node: ts.CallExpression) => {
      const callee = skipOuter(node.expression);
      let name = '';
      if (ts.isIdentifier(callee)) name = callee.text;
      else if (ts.isPropertyAccessExpression(callee)) {
        const n = callee.name.text;
        if (n === 'close') name = n;
        else if (timerNames.has(n) && /^(global|globalThis|window|timers|timers_\d+)$/.test(callee.expression.getText(a.sourceFile))) name = n;
      }
      if (name === 'setInterval') intervals.push(node);
      else if (name === 'setTimeout') timeouts.push(node);
      else if (name === 'clearInterval' || name === 'clearTimeout') {
        const arg = node.arguments[0];
        if (arg) cleared.add(lastName(skipOuter(arg)));
      } else if (name === 'close' && ts.isPropertyAccessExpression(callee)) {
        cleared.add(lastName(skipOuter(callee.expression)));
      }
    },
    onEnd() {
      for (const call of intervals) checkInterval(context, a, call, cleared);
      for (const call of timeouts) checkTimeout(context, a, call, cleared);
    },
  };
}

function lastName(e: ts.Expression): string {
  if (ts.isIdentifier(e)) return e.text;
  if (ts.isPropertyAccessExpression(e)) return e.name.text;
  if (ts.isElementAccessExpression(e)) return lastName(skipOuter(e.expression));
  return '';
}

/** Handle storage: discarded, a local/outer variable, or a property; plus whether `.unref()` was chained. */
function handleOf(call: ts.CallExpression): { kind: 'discarded' | 'name' | 'other'; name?: string; unref: boolean; node: ts.Node } {
  let site = valueSite(call);
  let unref = false;
  while (ts.isPropertyAccessExpression(site.parent) && site.parent.expression === site && ts.isCallExpression(site.parent.parent)
    && /^(unref|ref)$/.test(site.parent.name.text)) {
    unref ||= site.parent.name.text === 'unref';
    site = valueSite(site.parent.parent);
  }
  const p = site.parent;
  if (ts.isExpressionStatement(p)) return { kind: 'discarded', unref, node: p };
  // `new Promise((_, reject) => setTimeout(reject, ms))`: the executor's return value is ignored.
  if (ts.isArrowFunction(p) && p.body === site && p.parent && ts.isNewExpression(p.parent)) return { kind: 'discarded', unref, node: p };
  if (ts.isVariableDeclaration(p) && ts.isIdentifier(p.name)) return { kind: 'name', name: p.name.text, unref, node: p };
  if (ts.isBinaryExpression(p) && p.operatorToken.kind === ts.SyntaxKind.EqualsToken && p.right === site) {
    return { kind: 'name', name: lastName(skipOuter(p.left)), unref, node: p };
  }
  return { kind: 'other', unref, node: p };
}

function usesUnref(a: FileAnalysis, name: string): boolean {
  return new RegExp(`\\b${name.replace(/[$]/g, '\\$')}\\s*(\\?\\.|\\.)\\s*unref\\s*\\(`).test(a.text);
}

function enclosingClass(node: ts.Node): ts.ClassLikeDeclaration | undefined {
  for (let cur = node.parent; cur; cur = cur.parent) if (ts.isClassLike(cur)) return cur;
  return undefined;
}

function checkInterval(context: RuleContext, a: FileAnalysis, call: ts.CallExpression, cleared: Set<string>): void {
  if (a.isModuleScope(call)) return;
  if (checkTeardown(context, a, call, 'setInterval')) return;
  const h = handleOf(call);
  if (h.kind === 'other') return;
  if (h.kind === 'name') {
    if (ts.isVariableDeclaration(h.node)) {
      // A local handle: cleared within its own scope (callbacks included), or handed on (returned,
      // stored, passed) so someone else may clear it.
      const own = ownershipOf(a, call, { closeMethods: ['close'], closeFunctions: ['clearInterval', 'clearTimeout'], argumentEscapes: true, nonOwningCalls: logCalls });
      if (own.status === 'escaped' || own.status === 'released' || own.status === 'partial') return;
    } else if (cleared.has(h.name!)) return;
  }
  const scope = a.repeatedScope(call);
  if (scope && isOnceGuarded(a, call, scope.fn)) return;
  if (scope && scope.kind !== 'timer') {
    context.report({
      node: call,
      messageId: 'intervalPerScope',
      data: { scope: runsText(a, scope), unit: scope.kind === 'connection' ? 'the connection closes' : scope.kind === 'request' ? 'the response finishes' : scope.kind === 'mount' ? 'the effect cleans up (return a cleanup function)' : 'the work is done' },
      related: [scopeRelated(a, scope)],
      fixes: clearOnCloseFix(a, call, scope),
    });
    return;
  }
  if (h.unref || (h.name && usesUnref(a, h.name))) return;
  const fn = a.enclosingFunction(call);
  if (ts.isSourceFile(fn)) return;
  const cls = enclosingClass(call);
  const handle = h.kind === 'discarded' ? 'is discarded' : `(${h.name}) is never passed to clearInterval`;
  if (cls && !isFunctionLike(cls)) {
    if (ts.isPropertyDeclaration(valueSite(call).parent) || isWithin(call, cls)) {
      const owner = `${cls.name?.text ?? 'this class'}`;
      context.report({ node: call, messageId: 'neverCleared', data: { owner, handle, unref: ', or `.unref()` it if it should live as long as the process' } });
    }
    return;
  }
  // A plain function: only when it takes a per-connection/per-request object and the interval works
  // on per-call data: the heartbeat-per-socket pattern. Startup functions taking options stay quiet.
  const first = fn.parameters[0];
  const perConnection = !!first && ts.isIdentifier(first.name) && /^(ws|socket|sock|conn|connection|client|req|request|res|response|session|peer|stream|channel|user|ctx)$/i.test(first.name.text);
  if (perConnection && closesOverLocals(a, call, fn)) {
    context.report({ node: call, messageId: 'neverCleared', data: { owner: `${a.functionName(fn) || 'this function'}()`, handle, unref: '' } });
  }
}

function closesOverLocals(a: FileAnalysis, call: ts.CallExpression, fn: FunctionLike): boolean {
  const cb = call.arguments[0];
  if (!cb) return false;
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isIdentifier(n) && !(ts.isPropertyAccessExpression(n.parent) && n.parent.name === n)) {
      const scope = a.declarationScope(n.text, n);
      if (scope && scope !== cb && !isWithin(scope, cb) && isWithin(scope, fn) && !ts.isSourceFile(scope)) found = true;
      return;
    }
    ts.forEachChild(n, visit);
  };
  if (ts.isIdentifier(cb)) {
    const scope = a.declarationScope(cb.text, cb);
    return !!scope && !ts.isSourceFile(scope) && isWithin(scope, fn);
  }
  visit(cb);
  return found;
}

function checkTimeout(context: RuleContext, a: FileAnalysis, call: ts.CallExpression, cleared: Set<string>): void {
  if (checkTeardown(context, a, call, 'setTimeout')) return;
  const h = handleOf(call);
  if (h.kind === 'name' && cleared.has(h.name!)) return;
  if (h.kind === 'other') return;
  // Promise.race([work, new Promise((_, reject) => setTimeout(reject, ms))])
  const executor = a.enclosingFunction(call);
  if (!ts.isSourceFile(executor) && (ts.isArrowFunction(executor) || ts.isFunctionExpression(executor)) && executor.parent
    && ts.isNewExpression(executor.parent) && executor.parent.expression.getText(a.sourceFile) === 'Promise' && executor.parameters.length >= 2) {
    const promise = valueSite(executor.parent);
    if (inPromiseRace(a, promise)) {
      context.report({ node: call, messageId: 'raceTimer', related: [related(a, promise, 'the racing timeout promise')] });
      return;
    }
    // `new Promise((resolve, reject) => { setTimeout(() => reject(…), ms); work.then(resolve, reject); })`:
    // when the work settles first, the timer still runs and holds the closure until it fires.
    const other = otherSettlement(executor, call);
    if (other && (h.kind === 'discarded' || (h.kind === 'name' && !cleared.has(h.name!)))) {
      context.report({ node: call, messageId: 'timeoutOutlivesPromise', related: [related(a, other, 'the promise settles here without clearing the timer')] });
      return;
    }
  }
  // Polling chain: function f() { ...; setTimeout(f, ms) } started from a repeated scope.
  if (h.kind !== 'discarded') return;
  const fn = a.enclosingFunction(call);
  if (ts.isSourceFile(fn)) return;
  const name = a.functionName(fn);
  const cb = call.arguments[0];
  if (!name || !cb) return;
  const callsSelf = (ts.isIdentifier(cb) && cb.text === name)
    || ((ts.isArrowFunction(cb) || ts.isFunctionExpression(cb)) && (a.callsByName.get(name) ?? []).some((c) => isWithin(c, cb)));
  if (!callsSelf) return;
  for (let cur: ts.Node = call; cur !== fn; cur = cur.parent) {
    if (ts.isIfStatement(cur) || ts.isConditionalExpression(cur) || ts.isCatchClause(cur)
      || (ts.isBinaryExpression(cur) && (cur.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken || cur.operatorToken.kind === ts.SyntaxKind.BarBarToken))) return;
  }
  const body = fn.body;
  if (body && ts.isBlock(body) && hasEarlyReturn(body, call)) return;
  const scope = a.functionRepeated(fn);
  if (!scope) return;
  context.report({ node: call, messageId: 'pollingWithoutStop', data: { fn: name, scope: runsText(a, scope) }, related: [scopeRelated(a, scope)] });
}

/**
 * `setInterval(…)` discarded in a per-connection or per-request function whose parameter owns the
 * unit of work (`ws`, `socket`, `res`): keep the handle and clear it when that owner closes.
 */
function clearOnCloseFix(a: FileAnalysis, call: ts.CallExpression, scope: RepeatedScope): Fix[] {
  const statement = valueSite(call).parent;
  if (!ts.isExpressionStatement(statement) || !scope.fn || !isFunctionLike(scope.fn)) return [];
  if (!ts.isBlock(statement.parent)) return [];
  const params = scope.fn.parameters.map((p) => (ts.isIdentifier(p.name) ? p.name.text : ''));
  const owner = scope.kind === 'connection' ? params[0] : scope.kind === 'request' ? params.find((n) => /^(res|response|reply)$/.test(n)) ?? params.find((n) => /^(req|request)$/.test(n)) : undefined;
  if (!owner || a.declarationScope('timer', call) !== undefined) return [];
  const indent = a.indentAt(statement.getStart(a.sourceFile));
  const event = /^(reply)$/.test(owner) ? undefined : 'close';
  if (!event) return [];
  return [{
    title: `Keep the interval and clear it when ${owner} closes`,
    edits: [
      { range: a.rangeOf(call.getStart(a.sourceFile), call.getStart(a.sourceFile)), newText: 'const timer = ' },
      { range: a.rangeOf(statement.getEnd(), statement.getEnd()), newText: `\n${indent}${owner}.on('${event}', () => clearInterval(timer));` },
    ],
  }];
}

/** A timer kept on `this` by a class whose teardown (close, end, destroy…) does not clear it: ending the object leaves it scheduled. */
function checkTeardown(context: RuleContext, a: FileAnalysis, call: ts.CallExpression, fn: 'setTimeout' | 'setInterval'): boolean {
  const missed = teardownWithoutRelease(a, call, ['close'], ['clearTimeout', 'clearInterval']);
  if (!missed) return false;
  const teardown = missed.teardown.name.getText(a.sourceFile);
  context.report({
    node: call,
    messageId: 'notClearedOnTeardown',
    data: { fn, target: missed.target, teardown, clear: fn === 'setTimeout' ? 'clearTimeout' : 'clearInterval' },
    related: [related(a, missed.teardown.name, `${teardown}() ends the object without clearing ${missed.target}`)],
  });
  return true;
}

/**
 * A settlement of the executor's promise outside the timer's callback: `resolve`/`reject` called or
 * handed on (`work.then(resolve, reject)`, `emitter.once('done', resolve)`).
 */
function otherSettlement(executor: ts.ArrowFunction | ts.FunctionExpression, timer: ts.CallExpression): ts.Node | undefined {
  const names = executor.parameters.slice(0, 2).map((p) => (ts.isIdentifier(p.name) ? p.name.text : '')).filter(Boolean);
  const timerCallback = timer.arguments[0];
  if (!timerCallback || !names.some((n) => mentions(timerCallback, n))) return undefined;
  let found: ts.Node | undefined;
  const visit = (n: ts.Node): void => {
    if (found || n === timer) return;
    if (ts.isIdentifier(n) && names.includes(n.text) && !ts.isParameter(n.parent)) {
      const p = n.parent;
      if ((ts.isCallExpression(p) && (p.expression === n || p.arguments.includes(n))) || ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p)) {
        found = p;
        return;
      }
    }
    ts.forEachChild(n, visit);
  };
  if (executor.body) visit(executor.body);
  return found;
}

function hasEarlyReturn(body: ts.Block, before: ts.Node): boolean {
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found || isFunctionLike(n)) return;
    if ((ts.isReturnStatement(n) || ts.isThrowStatement(n)) && n.pos < before.pos) found = true;
    else ts.forEachChild(n, visit);
  };
  body.statements.forEach(visit);
  return found;
}

function inPromiseRace(a: FileAnalysis, promise: ts.Node): boolean {
  let cur: ts.Node = promise;
  // `const deadline = new Promise(…); … Promise.race([work, deadline])`: follow the local.
  if (ts.isVariableDeclaration(cur.parent) && ts.isIdentifier(cur.parent.name)) {
    const name = cur.parent.name.text;
    const scope = a.declarationScope(name, cur.parent);
    if (!scope || ts.isSourceFile(scope)) return false;
    let raced = false;
    const visit = (n: ts.Node): void => {
      if (raced) return;
      if (ts.isIdentifier(n) && n.text === name && ts.isArrayLiteralExpression(n.parent) && isRaceArg(a, n.parent)) raced = true;
      else ts.forEachChild(n, visit);
    };
    visit(scope);
    return raced;
  }
  if (ts.isArrayLiteralExpression(cur.parent)) cur = cur.parent;
  else if (ts.isReturnStatement(cur.parent) || (ts.isArrowFunction(cur.parent) && cur.parent.body === cur)) {
    // A helper returning the timeout promise: is it called inside a Promise.race in this file?
    const helper = a.enclosingFunction(cur);
    if (ts.isSourceFile(helper)) return false;
    const name = a.functionName(helper);
    if (!name) return false;
    return (a.callsByName.get(name) ?? []).some((c) => ts.isArrayLiteralExpression(valueSite(c).parent) && isRaceArg(a, valueSite(c).parent));
  } else return false;
  return isRaceArg(a, cur);
}

function isRaceArg(a: FileAnalysis, array: ts.Node): boolean {
  const call = array.parent;
  return !!call && ts.isCallExpression(call) && /^Promise\.(race|any)$/.test(call.expression.getText(a.sourceFile));
}
