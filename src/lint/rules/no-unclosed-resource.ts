import ts = require('typescript');
import { type FileAnalysis, skipOuter, valueSite } from '../analysis';
import { checkoutClose, checkoutMethods, type ResourceEntry, resourceCalls } from '../catalog';
import { type Ownership, ownershipOf, releasesSlot, replacedWithoutRelease, teardownWithoutRelease, trackVariable } from '../ownership';
import type { RuleContext, RuleMeta, RuleVisitors } from '../rule';
import { isAsyncContext, related, runsText, scopeRelated, wrapInTryFinally } from '../ruleUtil';
import type { Fix, RelatedInformation } from '../types';

export const meta = {
  id: 'no-unclosed-resource' as const,
  description: 'Handles, streams, sockets, servers, watchers, workers and connections must be released on every path and by their owner\'s teardown.',
  severity: 'warning',
  docs: {
    why: 'A file descriptor, socket or pooled connection that is never closed stays open until the process exits: descriptors run out (EMFILE), pools run dry and requests hang, and whatever the resource references stays in memory.',
    fix: 'Close it in a `finally` block (or declare it with `await using`/`using`), release pooled connections in `finally`, or hand it to something that owns it (`pipeline`, `.pipe(res)`, return it).',
  },
  messages: {
    discarded: '`{{callee}}` creates a {{what}} that is never stored, so nothing can close it{{scope}}. Keep a reference and close it ({{close}}) when done.',
    neverClosed: 'The {{what}} `{{name}}` is never closed ({{close}}){{scope}}: it stays open until the process exits. Close it in a `finally` block{{using}}.',
    notClosedOnExit: 'The {{what}} `{{name}}` is closed on the main path but not when the function leaves at line {{exitLine}}: that path leaks it. Close it in a `finally` block{{using}}.',
    replaced: '`{{target}} = {{callee}}(…)` replaces the {{what}} it held without closing it ({{close}}), and this {{scope}}: every run leaves the previous one open. Close the old one first, or create it once.',
    notReleasedOnTeardown: 'The {{what}} stored in `{{target}}` is not closed ({{close}}) by `{{teardown}}()`: ending the object leaves it open. Close it in `{{teardown}}()`.',
    timeoutKeepsOpen: 'The {{what}} `{{name}}` is not destroyed by its \'timeout\' handler: Node only reports that the socket went idle and keeps it open, so every slow peer leaves one behind. Call `{{name}}.destroy()` in the handler.',
    neverUnwatched: '`{{callee}}({{path}})` polls the file until `fs.unwatchFile({{path}})` is called, and nothing calls it{{scope}}: every call adds a listener (and a watcher per path) that lives until the process exits. Unwatch it when done, or watch once at startup.',
    notClosedOnThrow: 'The {{what}} `{{name}}` is closed on the main path but not if the `await` at line {{exitLine}} throws: every failure leaks one. Close it in a `finally` block{{using}}.',
  },
  examples: {
    invalid: [
      `const fs = require('fs');\nasync function readHeader(path) {\n  const fh = await fs.promises.open(path, 'r');\n  const { buffer } = await fh.read(Buffer.alloc(16), 0, 16, 0);\n  return buffer;\n}`,
      `import { open } from 'node:fs/promises';\nexport async function size(path) {\n  const fh = await open(path);\n  const st = await fh.stat();\n  if (st.size === 0) return 0;\n  await fh.close();\n  return st.size;\n}`,
      `const { Pool } = require('pg');\nconst pool = new Pool();\nasync function getUser(id) {\n  const client = await pool.connect();\n  const res = await client.query('select * from users where id = $1', [id]);\n  if (res.rows.length === 0) throw new Error('not found');\n  client.release();\n  return res.rows[0];\n}`,
    ],
    valid: [
      `const fs = require('fs');\nasync function readHeader(path) {\n  const fh = await fs.promises.open(path, 'r');\n  try {\n    return await fh.read(Buffer.alloc(16), 0, 16, 0);\n  } finally {\n    await fh.close();\n  }\n}`,
      `const fs = require('fs');\nconst { pipeline } = require('stream/promises');\nasync function copy(src, res) {\n  await pipeline(fs.createReadStream(src), res);\n}`,
      `const fs = require('fs');\nfunction openLog(path) {\n  return fs.createWriteStream(path, { flags: 'a' });\n}`,
    ],
  },
} satisfies RuleMeta;

const fdUses = new Set(['read', 'readSync', 'write', 'writeSync', 'fstat', 'fstatSync', 'ftruncate', 'ftruncateSync', 'fsync',
  'fsyncSync', 'fdatasync', 'fdatasyncSync', 'fchmod', 'fchmodSync', 'fchown', 'fchownSync', 'futimes', 'futimesSync', 'readv', 'writev',
  'readvSync', 'writevSync', 'log', 'info', 'debug', 'warn', 'error', 'stringify', 'String', 'Number', 'assert', 'ok', 'equal', 'strictEqual']);
const logUses = new Set(['log', 'info', 'debug', 'warn', 'error', 'trace', 'stringify', 'String', 'inspect']);

const candidateNames = new Set(['open', 'openSync', 'watch', 'watchFile', 'connect', 'Client', 'WebSocketServer', 'Server', 'Worker', 'fork', 'launch', 'WebSocket',
  'request', 'get']);

/** Client requests are owned by their agent once ended; only their 'timeout' handling is checked. */
const clientRequests = new Set(['http:request', 'http:get', 'https:request', 'https:get']);

interface Candidate {
  node: ts.CallExpression | ts.NewExpression;
  entry: ResourceEntry;
  /** For callback-style acquisition (`fs.open(p, cb)`): the callback receiving the resource. */
  callback?: ts.FunctionLikeDeclaration;
}

/** "close(), end()" or "fs.closeSync(fd), fs.close(fd)", for messages. */
function describeClose(entry: ResourceEntry): string {
  return entry.close.map((m) => (entry.kind === 'fd' ? `fs.${m}(fd)` : `${m}()`)).join(', ');
}

function closeStatement(a: FileAnalysis, c: Candidate, name: string): string | undefined {
  const awaitPrefix = isAsyncContext(c.node) ? 'await ' : '';
  switch (c.entry.kind) {
    case 'fileHandle':
      return `${awaitPrefix}${name}.close();`;
    case 'fd': {
      const callee = skipOuter(c.node.expression);
      if (ts.isPropertyAccessExpression(callee)) return `${callee.expression.getText(a.sourceFile)}.closeSync(${name});`;
      return a.imports.has('closeSync') ? `closeSync(${name});` : undefined;
    }
    case 'checkout':
      return `${name}.release();`;
    case 'connection':
      return `${c.entry.what.startsWith('pg') ? awaitPrefix : ''}${name}.end();`;
    case 'readStream':
      return `${name}.destroy();`;
    case 'watcher':
    case 'server':
    case 'readline':
      return c.entry.close[0] === 'close' ? `${name}.close();` : undefined;
    default:
      return `${name}.${c.entry.close[0]}();`;
  }
}

export function create(context: RuleContext): RuleVisitors {
  const a = context.analysis;
  const candidates: Candidate[] = [];
  const consider = (node: ts.CallExpression | ts.NewExpression) => {
    const callee = skipOuter(node.expression);
    const last = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : '';
    if (!last) return;
    if (ts.isCallExpression(node) && checkoutMethods.has(last) && ts.isPropertyAccessExpression(callee)
      && /pool/i.test(callee.expression.getText(a.sourceFile))) {
      const cb = node.arguments[node.arguments.length - 1];
      const entry: ResourceEntry = { kind: 'checkout', what: 'pooled connection', close: checkoutClose, repeatedOnly: false };
      if (cb && (ts.isArrowFunction(cb) || ts.isFunctionExpression(cb))) candidates.push({ node, entry, callback: cb });
      else if (ts.isAwaitExpression(valueSite(node).parent ?? node) || ts.isAwaitExpression(node.parent)) candidates.push({ node, entry });
      return;
    }
    if (!candidateNames.has(last) && !(last.startsWith('create') && last.length > 6)
      && !a.config.resources.some((r) => r.kind === 'resource' && r.name === last)) return;
    const info = a.callee(node);
    if (info.key === 'fs:open' && ts.isCallExpression(node)) {
      const cb = node.arguments[node.arguments.length - 1];
      if (cb && (ts.isArrowFunction(cb) || ts.isFunctionExpression(cb))) {
        candidates.push({ node, callback: cb, entry: { kind: 'fd', what: 'file descriptor', close: ['close', 'closeSync'], repeatedOnly: false } });
      }
      return;
    }
    if (info.key && clientRequests.has(info.key)) {
      candidates.push({ node, entry: { kind: 'clientRequest', what: 'HTTP request', close: ['destroy', 'abort'], repeatedOnly: true } });
      return;
    }
    let entry = info.key ? resourceCalls[info.key] ?? (info.module && info.name.startsWith('default.') ? resourceCalls[`${info.module}:${info.name.slice(8)}`] : undefined) : undefined;
    if (entry?.kind === 'connection' && info.key === 'pg:Client' && !ts.isNewExpression(node)) entry = undefined;
    if (!entry) {
      const custom = a.config.resources.find((r) => r.kind === 'resource' && r.name === info.last && (!r.module || r.module === info.module));
      if (custom) entry = { kind: 'custom', what: custom.name, close: custom.close ?? ['close', 'end', 'destroy', 'release'], repeatedOnly: false };
    }
    if (entry) candidates.push({ node, entry });
  };
  return {
    [ts.SyntaxKind.CallExpression]: consider,
    [ts.SyntaxKind.NewExpression]: consider,
    onEnd() {
      for (const c of candidates) check(context, c);
    },
  };
}

function check(context: RuleContext, c: Candidate): void {
  const a = context.analysis;
  if (a.isModuleScope(c.node) && !c.callback) return;
  if (c.entry.kind === 'clientRequest') {
    checkRequestTimeout(context, c);
    return;
  }
  const scope = a.repeatedScope(c.node);
  if (!c.callback && checkSlot(context, c)) return;
  if (c.entry.repeatedOnly && !scope) return;
  // fs.watchFile is released by path: `fs.unwatchFile(samePath[, listener])` anywhere in the same function.
  if (c.entry.close.includes('unwatchFile') && ts.isCallExpression(c.node) && unwatchedByPath(a, c.node)) return;
  const closeList = describeClose(c.entry);
  const rel: RelatedInformation[] = scope ? [scopeRelated(a, scope)] : [];
  const scopeText = scope && c.entry.repeatedOnly ? `, and this ${runsText(a, scope)}` : '';
  if (c.entry.close.includes('unwatchFile') && ts.isCallExpression(c.node)) {
    // Nothing to keep a reference to: the watcher is found again by its path, so "never stored" would be wrong.
    const pathArg = c.node.arguments[0];
    context.report({ node: c.node, messageId: 'neverUnwatched', data: { callee: a.short(c.node.expression), path: pathArg ? a.short(pathArg) : 'path', scope: scopeText }, related: rel });
    return;
  }
  let own: Ownership;
  let name: string;
  if (c.callback) {
    const param = c.callback.parameters[1];
    if (!param || !ts.isIdentifier(param.name) || !c.callback.body) return;
    name = param.name.text;
    const errName = c.callback.parameters[0] && ts.isIdentifier(c.callback.parameters[0].name) ? [c.callback.parameters[0].name.text] : [];
    const releaseParam = c.callback.parameters[2] && ts.isIdentifier(c.callback.parameters[2].name) ? [c.callback.parameters[2].name.text] : [];
    if (releaseParam.length && mentionsCall(c.callback.body, releaseParam[0])) return;
    own = trackVariable(a, name, c.callback, param.name, {
      closeMethods: c.entry.close,
      closeFunctions: c.entry.kind === 'fd' ? ['close', 'closeSync'] : [],
      argumentEscapes: true,
      nonOwningCalls: fdUses,
    }, errName);
  } else {
    own = ownershipOf(a, c.node, {
      closeMethods: c.entry.close,
      closeFunctions: c.entry.kind === 'fd' ? ['close', 'closeSync'] : [],
      argumentEscapes: true,
      nonOwningCalls: c.entry.kind === 'fd' ? fdUses : logUses,
      iterationReleases: true,
      awaitsMayThrow: true,
      // A FileHandle's streams close it when they end (autoClose).
      handoffMethods: c.entry.kind === 'fileHandle' ? ['createReadStream', 'createWriteStream', 'readLines'] : undefined,
    });
    name = own.variable ?? '';
  }
  // A read stream closes itself once read to the end, so any use at all counts as consuming it.
  if (c.entry.kind === 'readStream' && own.status === 'leaked') return;
  if (c.entry.kind === 'readStream' && own.status === 'unused' && !own.variable) return;
  const usingHint = c.entry.kind === 'fileHandle' && a.isTypeScript ? ' or declare it with `await using`' : '';
  const data = { what: c.entry.what, name, close: closeList, scope: scopeText, using: usingHint, callee: a.short(c.node.expression) };
  const fixes: Fix[] = [];
  if ((own.status === 'leaked' || own.status === 'unused') && own.declaration && !c.callback) {
    const stmt = closeStatement(a, c, name);
    const wrap = stmt ? wrapInTryFinally(a, own.declaration, stmt, `Close ${name} in a finally block`) : undefined;
    if (wrap) fixes.push(wrap);
  }
  if (own.status === 'partial' && own.declaration && own.releases.length === 1 && !c.callback) {
    // Move the one release into a finally around everything after the acquisition.
    const release = own.releases[0];
    const stmt = valueSite(release).parent;
    if (ts.isExpressionStatement(stmt) && stmt.parent === own.declaration.parent.parent.parent) {
      const wrap = wrapInTryFinally(a, own.declaration, stmt.getText(a.sourceFile), `Release ${name} in a finally block`, stmt);
      if (wrap) fixes.push(wrap);
    }
  }
  if ((own.status === 'leaked' || own.status === 'unused' || own.status === 'partial') && own.declaration && c.entry.kind === 'fileHandle'
    && a.isTypeScript && isAsyncContext(c.node)) {
    const list = own.declaration.parent;
    if (ts.isVariableDeclarationList(list) && list.flags & ts.NodeFlags.Const && list.declarations.length === 1) {
      const kw = list.getFirstToken(a.sourceFile);
      if (kw) fixes.push({ title: `Declare ${name} with \`await using\``, edits: [{ range: a.range(kw), newText: 'await using' }] });
    }
  }
  if (own.status === 'released' && c.entry.kind === 'socket' && own.declaration) {
    // Node does not end a socket on 'timeout': "the user must manually call end() or destroy()".
    const scopeNode = a.declarationScope(name, own.declaration) ?? a.sourceFile;
    const handler = timeoutHandlerThatKeepsOpen(a, name, scopeNode, c.entry.close);
    if (handler) {
      context.report({ node: c.node, messageId: 'timeoutKeepsOpen', data, related: [related(a, handler, `this 'timeout' handler leaves ${name} open`), ...rel] });
      return;
    }
  }
  switch (own.status) {
    case 'unused':
      if (own.variable) context.report({ node: c.node, messageId: 'neverClosed', data, related: rel, fixes });
      else context.report({ node: c.node, messageId: 'discarded', data, related: rel, fixes });
      return;
    case 'leaked':
      context.report({ node: c.node, messageId: 'neverClosed', data, related: rel, fixes });
      return;
    case 'partial': {
      const exit = own.leakyExit!;
      context.report({
        node: c.node,
        messageId: ts.isAwaitExpression(exit) ? 'notClosedOnThrow' : 'notClosedOnExit',
        data: { ...data, exitLine: String(a.line(exit)) },
        related: [related(a, exit, ts.isAwaitExpression(exit) ? `if this throws, ${name} is never closed` : `leaves here without closing ${name}`), ...rel],
        fixes,
      });
      return;
    }
    default:
      return;
  }
}

/** `const req = http.request(…); req.setTimeout(ms, () => reject(…))`: the request's socket stays open after the timeout. */
function checkRequestTimeout(context: RuleContext, c: Candidate): void {
  const a = context.analysis;
  const decl = valueSite(c.node).parent;
  if (!ts.isVariableDeclaration(decl) || !ts.isIdentifier(decl.name)) return;
  const name = decl.name.text;
  const scope = a.declarationScope(name, decl) ?? a.sourceFile;
  const handler = timeoutHandlerThatKeepsOpen(a, name, scope, c.entry.close);
  if (!handler) return;
  context.report({
    node: c.node,
    messageId: 'timeoutKeepsOpen',
    data: { what: c.entry.what, name, close: 'destroy()', scope: '', using: '', callee: a.short(c.node.expression) },
    related: [related(a, handler, `this 'timeout' handler leaves ${name} open`)],
  });
}

/** Stored on `this` or a module-level variable: replaced without closing the old value, or missed by the owner's teardown. */
function checkSlot(context: RuleContext, c: Candidate): boolean {
  const a = context.analysis;
  const closeFunctions = c.entry.kind === 'fd' ? ['close', 'closeSync'] : [];
  const closeList = describeClose(c.entry);
  const base = { what: c.entry.what, close: closeList, callee: a.short(c.node.expression) };
  const missed = teardownWithoutRelease(a, c.node, c.entry.close, closeFunctions);
  if (missed) {
    const teardown = missed.teardown.name.getText(a.sourceFile);
    context.report({ node: c.node, messageId: 'notReleasedOnTeardown', data: { ...base, target: missed.target, teardown },
      related: [related(a, missed.teardown.name, `${teardown}() ends the object without closing ${missed.target}`)] });
    return true;
  }
  const replaced = replacedWithoutRelease(a, c.node, c.entry.close, closeFunctions);
  if (replaced) {
    context.report({ node: c.node, messageId: 'replaced', data: { ...base, target: replaced.target, scope: runsText(a, replaced.scope) },
      related: [scopeRelated(a, replaced.scope)] });
    return true;
  }
  return false;
}

function mentionsCall(body: ts.Node, name: string): boolean {
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isIdentifier(n) && n.text === name && !(ts.isParameter(n.parent))) found = true;
    else ts.forEachChild(n, visit);
  };
  visit(body);
  return found;
}

function unwatchedByPath(a: FileAnalysis, call: ts.CallExpression): boolean {
  const path = call.arguments[0];
  if (!path) return false;
  const text = path.getText(a.sourceFile);
  const fn = a.enclosingFunction(call);
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isCallExpression(n) && n !== call) {
      const callee = skipOuter(n.expression);
      const last = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : '';
      if (last === 'unwatchFile' && n.arguments[0]?.getText(a.sourceFile) === text) found = true;
    }
    ts.forEachChild(n, visit);
  };
  visit(fn);
  return found;
}

/** A 'timeout' handler of socket `name` (`on('timeout')` or `setTimeout(ms, fn)`) that neither ends nor destroys it, directly or through a local helper. */
function timeoutHandlerThatKeepsOpen(a: FileAnalysis, name: string, scope: ts.Node, close: readonly string[]): ts.Node | undefined {
  // Released in the handler itself, or in a local helper it calls (`const done = () => { s.destroy(); … }`).
  const closes = (fn: ts.Node, depth: number): boolean => {
    if (releasesSlot(a, fn, name, close)) return true;
    if (depth >= 2) return false;
    let found = false;
    const visit = (n: ts.Node): void => {
      if (found) return;
      const callee = ts.isCallExpression(n) ? skipOuter(n.expression) : undefined;
      const helper = callee && ts.isIdentifier(callee) ? localFunction(a, callee.text, n) : undefined;
      if (helper && closes(helper, depth + 1)) found = true;
      if (!found) ts.forEachChild(n, visit);
    };
    visit(fn);
    return found;
  };
  let result: ts.Node | undefined;
  const visit = (n: ts.Node): void => {
    if (result) return;
    if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && skipOuter(n.expression.expression).getText(a.sourceFile) === name) {
      const m = n.expression.name.text;
      let handler: ts.Expression | undefined;
      if ((m === 'on' || m === 'once') && ts.isStringLiteral(n.arguments[0] ?? n) && (n.arguments[0] as ts.StringLiteral).text === 'timeout') handler = n.arguments[1];
      if (m === 'setTimeout' && n.arguments.length >= 2) handler = n.arguments[1];
      if (handler) {
        const fn = ts.isIdentifier(handler) ? localFunction(a, handler.text, handler) : handler;
        if (fn && !closes(fn, 0)) result = n;
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(scope);
  return result;
}

/** The function a local name is bound to (`function done() {}` or `const done = () => {}`), seen from `at`. */
function localFunction(a: FileAnalysis, name: string, at: ts.Node): ts.Node | undefined {
  const scope = a.declarationScope(name, at);
  if (!scope) return undefined;
  let found: ts.Node | undefined;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isFunctionDeclaration(n) && n.name?.text === name) found = n;
    else if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.name.text === name && n.initializer
      && (ts.isArrowFunction(skipOuter(n.initializer)) || ts.isFunctionExpression(skipOuter(n.initializer)))) found = skipOuter(n.initializer);
    else ts.forEachChild(n, visit);
  };
  visit(scope);
  return found;
}
