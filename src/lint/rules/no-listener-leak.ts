import ts = require('typescript');
import { type FileAnalysis, isWithin, loopAround, skipOuter, stringValue, valueSite } from '../analysis';
import { callsSuper, teardownMethods } from '../ownership';
import type { RuleContext, RuleMeta, RuleVisitors } from '../rule';
import { article, isOnceGuarded, runsText, scopeRelated } from '../ruleUtil';
import type { Fix } from '../types';
import { localClass } from '../workspace';

export const meta = {
  id: 'no-listener-leak' as const,
  description: 'Listeners added per request, per call or per iteration to an emitter that outlives it must be removed.',
  severity: 'warning',
  docs: {
    why: 'An emitter keeps every listener, and every listener keeps its closure (the request, the response, buffers). Adding one per request to `process`, a module-level emitter, a shared AbortSignal or a keep-alive socket piles them up forever (and triggers MaxListenersExceededWarning).',
    fix: 'Remove the listener when the request is done (`emitter.off(event, fn)` on \'close\'/\'finish\'), use `once` / `{ once: true }` when it should fire once, pass `{ signal }` to tie it to a request-scoped AbortSignal, or register it once at startup.',
  },
  messages: {
    listenerPerScope: '`{{call}}` adds {{an}} \'{{event}}\' listener to {{targetDesc}}, which outlives it, and this {{scope}}: the listener (and everything its closure holds) is never removed. Remove it when done (`{{target}}.{{off}}(\'{{event}}\', …)`){{once}} or register it once at startup.',
    pipePerScope: '`{{call}}` pipes {{target}}, which outlives it, into a new destination and this {{scope}}: the source keeps every destination (and its buffers) until it ends. `unpipe` and destroy the destination when done.',
    notRemovedOnTeardown: '`{{call}}` adds {{an}} \'{{event}}\' listener to {{target}}, which outlives every {{owner}}, and `{{teardown}}()` does not remove it: each {{owner}} ever made stays reachable from {{target}}. Keep the listener in a field and remove it (`{{target}}.{{off}}(\'{{event}}\', …)`) in `{{teardown}}()`.',
    interceptorPerCall: '`{{call}}` adds an interceptor to the shared {{target}} and this {{scope}}: interceptors pile up and each one runs on every later request. Add it once at startup, or `eject` it when done.',
    listenerInConstructor: '`new {{callee}}()` {{scope}}, and its constructor adds {{runs}} that is never removed: every instance stays reachable from that emitter forever. Create one {{callee}} and share it, or remove the listener in a close()/dispose() that callers call.',
  },
  examples: {
    invalid: [
      `const express = require('express');\nconst app = express();\napp.get('/work', (req, res) => {\n  process.on('SIGTERM', () => res.end('shutting down'));\n  res.send('ok');\n});`,
      `const { EventEmitter } = require('events');\nconst bus = new EventEmitter();\nrequire('http').createServer((req, res) => {\n  bus.on('price', (p) => res.write(String(p)));\n}).listen(8080);`,
    ],
    valid: [
      `const { EventEmitter } = require('events');\nconst bus = new EventEmitter();\nrequire('http').createServer((req, res) => {\n  const onPrice = (p) => res.write(String(p));\n  bus.on('price', onPrice);\n  res.on('close', () => bus.off('price', onPrice));\n}).listen(8080);`,
      `const express = require('express');\nconst app = express();\nconst open = new Set();\nprocess.once('SIGTERM', () => { for (const res of open) res.end('shutting down'); });\napp.get('/work', (req, res) => {\n  open.add(res);\n  res.on('close', () => open.delete(res));\n});`,
    ],
  },
} satisfies RuleMeta;

const addMethods = new Set(['on', 'addListener', 'prependListener', 'addEventListener', 'once', 'prependOnceListener', 'pipe']);
const removeMethods = new Set(['off', 'removeListener', 'removeEventListener', 'removeAllListeners', 'unpipe']);
/** Events of `process` that fire at most once, at the end: a `once` listener for them waits for the life of the process. */
const endOfProcessEvents = new Set(['exit', 'beforeExit', 'SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGBREAK', 'uncaughtException', 'unhandledRejection']);

export function create(context: RuleContext): RuleVisitors {
  const a = context.analysis;
  const adds: ts.CallExpression[] = [];
  const removes: ts.CallExpression[] = [];
  const news: ts.NewExpression[] = [];
  return {
    [ts.SyntaxKind.CallExpression]: (node: ts.CallExpression) => {
      const callee = node.expression;
      if (!ts.isPropertyAccessExpression(callee)) return;
      const m = callee.name.text;
      if (addMethods.has(m)) adds.push(node);
      else if (removeMethods.has(m) || m === 'eject') removes.push(node);
      else if (m === 'use' && /\.interceptors\.(request|response)$/.test(callee.expression.getText(a.sourceFile))) adds.push(node);
    },
    [ts.SyntaxKind.NewExpression]: (node: ts.NewExpression) => {
      if (ts.isIdentifier(node.expression)) news.push(node);
    },
    onEnd() {
      for (const call of adds) if (!checkTeardown(context, a, call, removes)) checkAdd(context, a, call, removes);
      for (const n of news) checkNew(context, a, n);
    },
  };
}

function checkAdd(context: RuleContext, a: FileAnalysis, call: ts.CallExpression, removes: ts.CallExpression[]): void {
  const callee = call.expression as ts.PropertyAccessExpression;
  const method = callee.name.text;
  // Cheap first: a listener on an object made in this very function cannot outlive it.
  let root: ts.Expression = skipOuter(callee.expression);
  while (ts.isPropertyAccessExpression(root) || ts.isElementAccessExpression(root)) root = skipOuter(root.expression);
  if (root.kind === ts.SyntaxKind.ThisKeyword) {
    // In a constructor (or an arrow inside one) `this` is the object being made: its listeners go with it.
    let owner: ts.Node = a.enclosingFunction(call);
    while (ts.isArrowFunction(owner)) owner = a.enclosingFunction(owner);
    if (ts.isConstructorDeclaration(owner)) return;
  }
  if (ts.isIdentifier(root)) {
    const declared = a.declarationScope(root.text, root);
    const fn = a.enclosingFunction(call);
    const isParam = !ts.isSourceFile(fn) && fn.parameters.some((p) => ts.isIdentifier(p.name) && p.name.text === (root as ts.Identifier).text);
    if (declared && !ts.isSourceFile(fn) && isWithin(declared, fn) && !isParam) return;
    // A parameter outlives a run only when it is an AbortSignal, or when a loop in this function repeats the call.
    // (`req.socket` is the exception: a keep-alive connection serves many requests.)
    if (isParam && declared === fn && !/signal$/i.test(root.text) && !loopAround(call, fn)
      && !/\.(socket|connection)$/.test(a.compactText(callee.expression))) return;
  }
  const scope = a.repeatedScope(call);
  if (!scope || !scope.fn) return;
  const interceptor = method === 'use';
  const receiver = interceptor ? (callee.expression as ts.PropertyAccessExpression).expression : callee.expression;
  // `once` removes itself when the event fires; on `process` the end-of-life events fire only once, at exit.
  if ((method === 'once' || method === 'prependOnceListener')
    && !(a.compactText(receiver) === 'process' && endOfProcessEvents.has(stringValue(call.arguments[0]) ?? ''))) return;
  // A piped destination is a hand-off unless the source outlives the scope: then every pipe adds listeners to it.
  if (method === 'pipe' && call.arguments.length === 0) return;
  let longLived: { longLived: boolean; name: string; desc?: string } = a.outlivesScope(receiver, scope);
  // Per-request listeners on `req.socket` pile up on keep-alive connections, which serve many requests.
  if (!longLived.longLived && scope.kind === 'request' && /^(req|request)\.(socket|connection)$/.test(a.compactText(receiver))) {
    longLived = { longLived: true, name: a.compactText(receiver), desc: `${a.compactText(receiver)} (a keep-alive connection)` };
  }
  if (!longLived.longLived) return;
  // `this.socket = net.connect(); this.socket.on(…)`: a listener on the object this run just made does not pile up.
  if (assignedBefore(a, a.compactText(receiver), call, scope.fn)) return;
  if (interceptor) longLived = { ...longLived, name: a.compactText(receiver) };
  // The result is kept (an unsubscribe function, or a handle for later removal); a Promise executor's arrow body discards it.
  const site = valueSite(call);
  const discarded = ts.isExpressionStatement(site.parent)
    || (ts.isArrowFunction(site.parent) && site.parent.body === site && !!site.parent.parent && ts.isNewExpression(site.parent.parent))
    || (method === 'pipe' && ts.isPropertyAccessExpression(site.parent));
  if (!discarded) return;
  // A method or helper that runs per call but subscribes something that holds no per-call state is
  // set-up code. (A loop gets no such benefit of the doubt: every iteration adds one.)
  const listenerArg = method === 'pipe' ? call.arguments[0] : call.arguments[1];
  if (scope.kind === 'call' && !(listenerArg && capturesCallState(a, listenerArg, scope.fn))) return;
  const event = stringValue(call.arguments[0]);
  const options = call.arguments[2] ? skipOuter(call.arguments[2]) : undefined;
  // `{ once: true }` removes the listener when the event fires, but 'abort' fires at most once anyway:
  // on a signal that outlives the call and never aborts, every call's listener stays.
  const onceOption = (name: string) => !!options && ts.isObjectLiteralExpression(options)
    && options.properties.some((p) => p.name && ts.isIdentifier(p.name) && p.name.text === name);
  if (onceOption('signal') || (onceOption('once') && event !== 'abort')) return;
  if (options && !ts.isObjectLiteralExpression(options) && options.kind !== ts.SyntaxKind.FalseKeyword) return;
  // Some event APIs (once-style events on connections) end on their own: 'close'/'end' of the receiver itself.
  const recvText = a.compactText(receiver);
  // `if (!tracked.has(req.socket)) { tracked.add(req.socket); req.socket.on(...) }`: once per target.
  for (let cur: ts.Node = call; cur !== scope.fn; cur = cur.parent) {
    if (ts.isIfStatement(cur) && a.compactText(cur.expression).includes(recvText)) return;
  }
  // `if (!subscribed) { subscribed = true; bus.on(...) }`: once per process.
  if (isOnceGuarded(a, call, scope.fn)) return;
  const listener = method === 'pipe' ? call.arguments[0] : call.arguments[1];
  // Events that fire at most once, late or never: `once` would change nothing.
  const endOfProcess = (recvText === 'process' && endOfProcessEvents.has(event ?? '')) || event === 'abort';
  const listenerName = listener && ts.isIdentifier(listener) ? listener.text : undefined;
  // `this.abortListener = listener`: the function is kept so something can remove it later.
  if (listenerName && keptOutside(a, listenerName, scope.fn)) return;
  for (const r of removes) {
    const rc = r.expression as ts.PropertyAccessExpression;
    const rm = rc.name.text;
    if (interceptor ? rm !== 'eject' : rm === 'eject') continue;
    const rRecv = interceptor ? (rc.expression as ts.PropertyAccessExpression).expression : rc.expression;
    if (a.compactText(rRecv) !== recvText) continue;
    if (method === 'pipe' ? rm !== 'unpipe' : rm === 'unpipe') continue;
    if (isWithin(r, scope.fn) || (listenerName && r.arguments[1] && ts.isIdentifier(r.arguments[1]) && r.arguments[1].text === listenerName)
      || (!listenerName && rm === 'removeAllListeners')) return;
    if (rm === 'removeAllListeners' && (!r.arguments[0] || stringValue(r.arguments[0]) === event)) return;
  }
  const data = { call: `${a.short(callee)}(${event !== undefined ? `'${event}'` : '…'})`, event: event ?? '…', an: article(event ?? 'x'), target: longLived.name, targetDesc: longLived.desc ?? longLived.name, scope: runsText(a, scope),
    off: method === 'addEventListener' ? 'removeEventListener' : 'off', once: endOfProcess ? '' : ', use `once`,' };
  if (interceptor) {
    context.report({ node: call, messageId: 'interceptorPerCall', data, related: [scopeRelated(a, scope)] });
    return;
  }
  if (method === 'pipe') {
    context.report({ node: call, messageId: 'pipePerScope', data: { ...data, call: `${a.short(callee)}(${listener ? a.short(listener) : ''})` }, related: [scopeRelated(a, scope)] });
    return;
  }
  const fixes: Fix[] = [];
  if (endOfProcess) {
    // `once` would not help: the event fires at most once, at the end (or never).
  } else if (method === 'on' || method === 'addListener') {
    fixes.push({ title: `Listen only once (\`${recvText}.once\`)`, edits: [{ range: a.range(callee.name), newText: 'once' }] });
  } else if (method === 'addEventListener' && call.arguments.length === 2) {
    const pos = call.arguments[1].getEnd();
    fixes.push({ title: 'Listen only once (`{ once: true }`)', edits: [{ range: a.rangeOf(pos, pos), newText: ', { once: true }' }] });
  }
  context.report({ node: call, messageId: 'listenerPerScope', data, related: [scopeRelated(a, scope)], fixes });
}

function checkNew(context: RuleContext, a: FileAnalysis, node: ts.NewExpression): void {
  const name = (node.expression as ts.Identifier).text;
  // Only classes imported from other workspace files (this file's classes are covered in place).
  if (!a.workspace || !a.imports.get(name)?.module.startsWith('.') || a.isModuleScope(node)) return;
  // A class of this file is covered where its constructor adds the listener (that constructor is a repeated scope).
  if (localClass(a, name)) return;
  // The fact first (it reads the one imported file); repetition may read every file that calls this one.
  const fact = a.workspace.resolver.imported(a, name, 0);
  if (!fact || fact.kind !== 'listener') return;
  const scope = a.repeatedScope(node);
  if (!scope) return;
  context.report({
    node,
    messageId: 'listenerInConstructor',
    data: { callee: name, runs: fact.runs, scope: runsText(a, scope) },
    related: [scopeRelated(a, scope), { message: `${name}'s constructor adds the listener here`, file: fact.file, range: fact.range }],
  });
}

/** Whether a listener refers to a parameter or local of `fn` (state of this one call), not counting its own bindings. */
function capturesCallState(a: FileAnalysis, listener: ts.Expression, fn: ts.Node): boolean {
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isIdentifier(n)) {
      const p = n.parent;
      if (ts.isPropertyAccessExpression(p) && p.name === n) return;
      const scope = a.declarationScope(n.text, n);
      if (scope && isWithin(scope, fn) && !isWithin(scope, listener) && !ts.isSourceFile(scope)) found = true;
      return;
    }
    ts.forEachChild(n, visit);
  };
  visit(listener);
  return found;
}

/** Whether `fn` assigns `target` (by text) before `call`. */
function assignedBefore(a: FileAnalysis, target: string, call: ts.Node, fn: ts.Node): boolean {
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found || n.pos >= call.pos) return;
    if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && a.compactText(n.left) === target) found = true;
    else ts.forEachChild(n, visit);
  };
  visit(fn);
  return found;
}

/** Whether `fn` stores the value of `name` in a field or an outer variable (`this.onAbort = name`). */
function keptOutside(a: FileAnalysis, name: string, fn: ts.Node): boolean {
  let kept = false;
  const visit = (n: ts.Node): void => {
    if (kept) return;
    if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(skipOuter(n.right))
      && (skipOuter(n.right) as ts.Identifier).text === name) {
      const left = skipOuter(n.left);
      if (ts.isPropertyAccessExpression(left) || ts.isElementAccessExpression(left)) kept = true;
      else if (ts.isIdentifier(left) && !a.isDeclaredWithin(left.text, left, fn)) kept = true;
    }
    ts.forEachChild(n, visit);
  };
  visit(fn);
  return kept;
}

/**
 * A listener that a class adds (in its constructor or a method) to an emitter it does not own
 * (`process`, a module-level emitter, an emitter passed to its constructor), when the class has a
 * teardown (close, destroy, stop…) and nothing in it removes the listener: ending the object leaves
 * it reachable from that emitter. Returns whether it reported.
 */
function checkTeardown(context: RuleContext, a: FileAnalysis, call: ts.CallExpression, removes: ts.CallExpression[]): boolean {
  const callee = call.expression as ts.PropertyAccessExpression;
  const method = callee.name.text;
  if (method === 'use' || method === 'pipe' || method === 'once' || method === 'prependOnceListener') return false;
  let cls: ts.ClassLikeDeclaration | undefined;
  for (let cur = call.parent; cur; cur = cur.parent) if (ts.isClassLike(cur)) { cls = cur; break; }
  if (!cls) return false;
  const teardown = teardownMethods(a, cls)[0];
  if (!teardown || callsSuper(a, teardown)) return false;
  const target = skipOuter(callee.expression);
  if (!ts.isIdentifier(target)) return false;
  const ctor = cls.members.find(ts.isConstructorDeclaration);
  const isCtorParam = !!ctor && isWithin(call, ctor) && ctor.parameters.some((p) => ts.isIdentifier(p.name) && p.name.text === target.text)
    && a.declarationScope(target.text, target) === ctor;
  if (!(target.text === 'process' && !a.declarationScope('process', target)) && !a.isModuleLevelName(target.text, target) && !isCtorParam) return false;
  const site = valueSite(call);
  if (!ts.isExpressionStatement(site.parent)) return false;
  const event = stringValue(call.arguments[0]);
  // Removed anywhere in the class (by the same emitter, or by a field that holds it), or all listeners dropped.
  const recv = target.text;
  const removed = removes.some((r) => isWithin(r, cls!) && (() => {
    const rr = skipOuter((r.expression as ts.PropertyAccessExpression).expression);
    const rText = rr.getText(a.sourceFile);
    return rText === recv || rText.startsWith('this.') || (r.arguments[0] !== undefined && stringValue(r.arguments[0]) === event);
  })());
  if (removed) return false;
  const owner = cls.name?.text ?? 'instance';
  const teardownName = teardown.name.getText(a.sourceFile);
  context.report({
    node: call,
    messageId: 'notRemovedOnTeardown',
    data: { call: `${a.short(callee)}(${event !== undefined ? `'${event}'` : '…'})`, event: event ?? '…', an: article(event ?? 'x'), target: recv, owner, teardown: teardownName,
      off: method === 'addEventListener' ? 'removeEventListener' : 'off' },
    related: [{ message: `${teardownName}() ends a ${owner} without removing the listener`, file: a.file, range: a.range(teardown.name) }],
  });
  return true;
}
