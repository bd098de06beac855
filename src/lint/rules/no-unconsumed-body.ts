import ts = require('typescript');
import { type FileAnalysis, skipOuter, valueSite } from '../analysis';
import { ownershipOf, trackVariable } from '../ownership';
import type { RuleContext, RuleMeta, RuleVisitors } from '../rule';
import { isAsyncContext, related } from '../ruleUtil';
import type { Fix } from '../types';
import { moduleLevelFunction, returnStatements } from '../workspace';

export const meta = {
  id: 'no-unconsumed-body' as const,
  description: 'fetch/undici response bodies must be consumed or cancelled on every path.',
  severity: 'warning',
  docs: {
    why: 'With Node\'s fetch (undici), a response whose body is neither read nor cancelled keeps its connection checked out of the pool until garbage collection gets to it; under load the pool runs dry, requests queue up and memory grows.',
    fix: 'Read the body (`await res.json()`/`text()`/`arrayBuffer()`), or cancel it (`await res.body?.cancel()`) before an early return or throw; with undici `request`, call `body.dump()` when you do not need it.',
  },
  messages: {
    neverConsumed: 'The body of response `{{name}}` is never read or cancelled: the connection stays checked out until garbage collection. Read it (`await {{name}}.json()`/`text()`) or cancel it (`await {{name}}.body?.cancel()`).',
    notConsumedOnExit: 'The body of response `{{name}}` is read on the main path but not when the function leaves at line {{exitLine}}: that path keeps the connection checked out. Cancel it first (`await {{name}}.body?.cancel()`).',
    discarded: 'The response of `{{callee}}` is dropped without reading or cancelling its body: the connection stays checked out until garbage collection. Read or cancel the body (undici: `body.dump()`).',
    httpNotConsumed: 'The `{{callee}}` response `{{name}}` is {{how}}: Node keeps the socket (and the response) until the data is read. Call `{{name}}.resume()` to discard it, or read/pipe it.',
  },
  examples: {
    invalid: [
      `async function getUser(id) {\n  const res = await fetch(\`https://api.example.com/users/\${id}\`);\n  if (!res.ok) throw new Error(\`HTTP \${res.status}\`);\n  return res.json();\n}`,
      `async function ping(url) {\n  const res = await fetch(url);\n  return res.status === 200;\n}`,
    ],
    valid: [
      `async function getUser(id) {\n  const res = await fetch(\`https://api.example.com/users/\${id}\`);\n  if (!res.ok) {\n    await res.body?.cancel();\n    throw new Error(\`HTTP \${res.status}\`);\n  }\n  return res.json();\n}`,
      `async function download(url) {\n  const res = await fetch(url);\n  return res;\n}`,
    ],
  },
} satisfies RuleMeta;

const consumeMethods = ['json', 'text', 'arrayBuffer', 'blob', 'formData', 'bytes', 'dump', 'destroy', 'cancel', 'resume', 'pipe'];

export function create(context: RuleContext): RuleVisitors {
  const a = context.analysis;
  const calls: ts.CallExpression[] = [];
  const httpCalls: ts.CallExpression[] = [];
  return {
    [ts.SyntaxKind.CallExpression]: (node: ts.CallExpression) => {
      const callee = skipOuter(node.expression);
      const last = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
      if (last === 'fetch' || last === 'request') calls.push(node);
      if ((last === 'get' || last === 'request') && node.arguments.length > 0) {
        // Only calls with a response callback: `http.get(url, (res) => …)`.
        const cb = node.arguments[node.arguments.length - 1];
        if (ts.isArrowFunction(cb) || ts.isFunctionExpression(cb)) httpCalls.push(node);
      }
    },
    onEnd() {
      // Calls of this file's fetch wrappers are responses too.
      if (calls.length > 0) {
        for (const name of wrapperNames(a)) for (const c of a.callsByName.get(name) ?? []) if (!calls.includes(c)) calls.push(c);
      }
      for (const call of calls) check(context, a, call);
      for (const call of httpCalls) checkHttp(context, a, call);
    },
  };
}

function isResponseCall(a: FileAnalysis, call: ts.CallExpression, depth = 0): boolean {
  const info = a.callee(call);
  // A thin wrapper of this file that returns a fetch response (`const res = await request(path)`).
  const wrapped = skipOuter(call.expression);
  if (depth === 0 && ts.isIdentifier(wrapped) && wrapped.text !== 'fetch' && a.isModuleLevelName(wrapped.text, call)) {
    const inner = returnedCall(a, wrapped.text);
    if (inner && isResponseCall(a, inner, 1)) return true;
  }
  if (info.module === 'undici' && (info.name === 'fetch' || info.name === 'request')) return true;
  if (info.module === 'node-fetch' && (info.name === 'default' || info.name === 'fetch')) return true;
  const callee = skipOuter(call.expression);
  // The global fetch, unless shadowed by a local binding.
  if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'fetch') return /^(globalThis|global|window|self)$/.test(callee.expression.getText(a.sourceFile));
  return ts.isIdentifier(callee) && callee.text === 'fetch' && !a.declarationScope('fetch', call) && !info.module;
}

function check(context: RuleContext, a: FileAnalysis, call: ts.CallExpression): void {
  if (!isResponseCall(a, call) || a.isModuleScope(call)) return;
  const isUndiciRequest = a.callee(call).name === 'request';
  // HEAD responses have no body to consume.
  const init = call.arguments[1];
  if (init && /\bmethod\s*:\s*['"]HEAD['"]/i.test(init.getText(a.sourceFile))) return;
  const site = valueSite(call);
  const p = site.parent;
  const callee = a.short(call.expression);
  if (ts.isExpressionStatement(p)) {
    // Only when awaited: a bare `fetch(url)` with no await is fire-and-forget whose rejection is the bigger bug.
    if (site !== call) context.report({ node: call, messageId: 'discarded', data: { callee } });
    return;
  }
  if (ts.isVariableDeclaration(p) && ts.isObjectBindingPattern(p.name)) {
    const bodyEl = p.name.elements.find((el) => (el.propertyName ?? el.name).getText(a.sourceFile) === 'body');
    if (!bodyEl) {
      if (!p.name.elements.some((el) => el.dotDotDotToken)) context.report({ node: call, messageId: 'neverConsumed', data: { name: p.name.getText(a.sourceFile) } });
      return;
    }
    if (!ts.isIdentifier(bodyEl.name)) return;
    const scope = a.declarationScope(bodyEl.name.text, bodyEl) ?? a.sourceFile;
    const own = trackVariable(a, bodyEl.name.text, scope, site, { closeMethods: consumeMethods, argumentEscapes: true, iterationReleases: true });
    report(context, a, call, own.status, bodyEl.name.text, own.leakyExit, isUndiciRequest);
    return;
  }
  const own = ownershipOf(a, call, {
    closeMethods: consumeMethods,
    consumeProperties: ['body', 'bodyUsed'],
    argumentEscapes: true,
    iterationReleases: true,
  });
  report(context, a, call, own.status, own.variable ?? 'response', own.leakyExit, isUndiciRequest);
}

function report(context: RuleContext, a: FileAnalysis, call: ts.CallExpression, status: string, name: string, exit: ts.Node | undefined, undiciBody: boolean): void {
  if (status === 'leaked' || status === 'unused') {
    context.report({ node: call, messageId: 'neverConsumed', data: { name } });
  } else if (status === 'partial' && exit) {
    const fixes: Fix[] = [];
    const stmt = undiciBody ? `await ${name}.dump();` : `await ${name}.body?.cancel();`;
    const title = `Cancel the body of ${name} before leaving`;
    if (ts.isBlock(exit.parent) && isAsyncContext(exit)) {
      const pos = exit.getStart(a.sourceFile);
      fixes.push({ title, edits: [{ range: a.rangeOf(pos, pos), newText: `${stmt}\n${a.indentAt(pos)}` }] });
    } else if (ts.isIfStatement(exit.parent) && exit.parent.thenStatement === exit && isAsyncContext(exit)) {
      fixes.push({ title, edits: [{ range: a.range(exit), newText: `{ ${stmt} ${exit.getText(a.sourceFile)} }` }] });
    }
    context.report({ node: call, messageId: 'notConsumedOnExit', data: { name, exitLine: String(a.line(exit)) }, related: [related(a, exit, `leaves here without reading or cancelling the body of ${name}`)], fixes });
  }
}

const httpConsume = ['resume', 'pipe', 'on', 'once', 'read', 'destroy', 'setEncoding', 'addListener'];

/** node:http(s) `get`/`request` with a response callback: the response must be read or resumed. */
function checkHttp(context: RuleContext, a: FileAnalysis, call: ts.CallExpression): void {
  const info = a.callee(call);
  if (info.module !== 'http' && info.module !== 'https') return;
  if (info.name !== 'get' && info.name !== 'request') return;
  const cb = call.arguments[call.arguments.length - 1];
  if (!cb || !(ts.isArrowFunction(cb) || ts.isFunctionExpression(cb)) || !cb.body) return;
  const param = cb.parameters[0];
  if (!param || !ts.isIdentifier(param.name)) return;
  const name = param.name.text;
  const own = trackVariable(a, name, cb, param.name, { closeMethods: httpConsume, argumentEscapes: true, iterationReleases: true });
  const callee = `${a.short(call.expression)}()`;
  if (own.status === 'leaked' || own.status === 'unused') {
    context.report({ node: param, messageId: 'httpNotConsumed', data: { callee, name, how: 'never read' } });
  } else if (own.status === 'partial' && own.leakyExit) {
    context.report({
      node: param,
      messageId: 'httpNotConsumed',
      data: { callee, name, how: `not read when the callback returns at line ${a.line(own.leakyExit)}` },
      related: [related(a, own.leakyExit, `returns here without reading ${name}`)],
    });
  }
}

/** Module-level functions of this file whose one return is a fetch response. */
function wrapperNames(a: FileAnalysis): string[] {
  const names: string[] = [];
  for (const st of a.sourceFile.statements) {
    const name = ts.isFunctionDeclaration(st) ? st.name?.text
      : ts.isVariableStatement(st) && st.declarationList.declarations.length === 1 && ts.isIdentifier(st.declarationList.declarations[0].name)
        ? st.declarationList.declarations[0].name.text : undefined;
    if (!name || name === 'fetch' || !st.getText(a.sourceFile).includes('fetch')) continue;
    const inner = returnedCall(a, name);
    if (inner && isResponseCall(a, inner, 1)) names.push(name);
  }
  return names;
}

/** The call a module-level function of this file returns (`return fetch(…)`), when it has exactly one return. */
function returnedCall(a: FileAnalysis, name: string): ts.CallExpression | undefined {
  const fn = moduleLevelFunction(a, name);
  if (!fn?.body) return undefined;
  let e: ts.Expression | undefined = ts.isBlock(fn.body) ? undefined : skipOuter(fn.body);
  if (ts.isBlock(fn.body)) {
    const returns = returnStatements(fn.body);
    if (returns.length !== 1 || !returns[0].expression) return undefined;
    e = skipOuter(returns[0].expression);
  }
  return e && ts.isCallExpression(e) ? e : undefined;
}
