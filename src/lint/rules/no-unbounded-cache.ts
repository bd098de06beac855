import ts = require('typescript');
import { type FileAnalysis, type RepeatedScope, isWithin, skipOuter, valueSite } from '../analysis';
import type { RuleContext, RuleMeta, RuleVisitors } from '../rule';
import { related, runsText, scopeRelated } from '../ruleUtil';
import type { Fix } from '../types';

export const meta = {
  id: 'no-unbounded-cache' as const,
  description: 'Collections that outlive a request (module-level, or held by a long-lived object) and grow per request or per call need eviction on the growth path.',
  severity: 'warning',
  docs: {
    why: 'A module-level collection lives as long as the process. Adding an entry per request keyed by request data (ids, URLs, sessions) without ever deleting one grows memory without bound: the classic slow leak that ends in an OOM kill.',
    fix: 'Bound it: check the size and delete the oldest entry (a Map iterates in insertion order), use an LRU cache with `max`, delete the entry when the request/connection ends, or use a WeakMap keyed by the object itself.',
  },
  messages: {
    instanceGrowth: '`{{name}}` is a {{type}} that every {{owner}} keeps for its whole life, and `{{method}}()` adds an entry keyed by per-call data on every call; nothing in {{owner}} ever removes one: it grows as long as the object lives. Delete the entry when the call completes (reply, timeout, close), or bound it.',
    unboundedGrowth: '`{{name}}` is a module-level {{type}} that grows with per-request data here, and this {{scope}}; nothing ever deletes from it or bounds its size: it grows until the process runs out of memory. Bound it (size check + delete oldest, or an LRU with `max`) or delete entries when done.',
  },
  examples: {
    invalid: [
      `const express = require('express');\nconst app = express();\nconst seen = new Map();\napp.get('/track', (req, res) => {\n  seen.set(req.query.session, Date.now());\n  res.end();\n});`,
      `const sockets = [];\nrequire('net').createServer((socket) => {\n  sockets.push(socket);\n}).listen(7000);`,
    ],
    valid: [
      `const express = require('express');\nconst app = express();\nconst seen = new Map();\napp.get('/track', (req, res) => {\n  if (seen.size >= 1000) seen.delete(seen.keys().next().value);\n  seen.set(req.query.session, Date.now());\n  res.end();\n});`,
      `const sockets = new Set();\nrequire('net').createServer((socket) => {\n  sockets.add(socket);\n  socket.on('close', () => sockets.delete(socket));\n}).listen(7000);`,
    ],
  },
} satisfies RuleMeta;

type CollectionType = 'Map' | 'Set' | 'object' | 'array';

interface Collection {
  name: string;
  type: CollectionType;
  declaration: ts.VariableDeclaration;
}

const growMethods: Record<CollectionType, Set<string>> = {
  Map: new Set(['set']),
  Set: new Set(['add']),
  array: new Set(['push', 'unshift']),
  object: new Set(),
};
const evictMethods = new Set(['delete', 'clear', 'shift', 'pop', 'splice', 'length', 'size', 'filter', 'slice']);

function collectionType(init: ts.Expression): CollectionType | undefined {
  const e = skipOuter(init);
  if (ts.isNewExpression(e) && ts.isIdentifier(e.expression)) {
    const argless = !e.arguments || e.arguments.length === 0;
    if (e.expression.text === 'Map' && argless) return 'Map';
    if (e.expression.text === 'Set' && argless) return 'Set';
    return undefined;
  }
  if (ts.isObjectLiteralExpression(e) && e.properties.length === 0) return 'object';
  if (ts.isArrayLiteralExpression(e) && e.elements.length === 0) return 'array';
  if (ts.isCallExpression(e) && e.expression.getText() === 'Object.create' && e.arguments[0]?.kind === ts.SyntaxKind.NullKeyword) return 'object';
  return undefined;
}

export function create(context: RuleContext): RuleVisitors {
  const a = context.analysis;
  // Classes come from the engine's one walk, not a walk of our own.
  const classes: ts.ClassLikeDeclaration[] = [];
  const noteClass = (n: ts.ClassLikeDeclaration) => { classes.push(n); };
  return {
    [ts.SyntaxKind.ClassDeclaration]: noteClass,
    [ts.SyntaxKind.ClassExpression]: noteClass,
    onEnd() {
      const collections = new Map<string, Collection>();
      for (const st of a.sourceFile.statements) {
        if (!ts.isVariableStatement(st)) continue;
        if ((ts.getModifiers(st) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) continue;
        for (const d of st.declarationList.declarations) {
          if (!ts.isIdentifier(d.name) || !d.initializer) continue;
          const type = collectionType(d.initializer);
          if (type) collections.set(d.name.text, { name: d.name.text, type, declaration: d });
        }
      }
      // Most module-level literals are never grown; skip the walk unless the text shows growth.
      const t = a.text;
      for (const [name, c] of [...collections]) {
        const grows = c.type === 'Map' ? t.includes(`${name}.set(`) : c.type === 'Set' ? t.includes(`${name}.add(`)
          : (c.type === 'array' && (t.includes(`${name}.push(`) || t.includes(`${name}.unshift(`)))
            || new RegExp(`\\b${name.replace(/\$/g, '\\$')}\\[[^\\]\\n]+\\]\\s*(=(?!=)|\\?\\?=|\\|\\|=)`).test(t);
        if (!grows) collections.delete(name);
      }
      if (collections.size > 0) check(context, a, collections);
      if (classes.length > 0 && t.includes('this.')) checkInstanceCollections(context, a, classes);
    },
  };
}

interface Growth {
  node: ts.Node;
  statement?: ts.Statement;
  scope: RepeatedScope;
}

function check(context: RuleContext, a: FileAnalysis, collections: Map<string, Collection>): void {
  const evicted = new Set<string>();
  const growth = new Map<string, Growth>();
  const visit = (n: ts.Node): void => {
    if (ts.isIdentifier(n) && collections.has(n.text)) classify(n);
    ts.forEachChild(n, visit);
  };
  const classify = (id: ts.Identifier): void => {
    const name = id.text;
    const c = collections.get(name)!;
    const p = id.parent;
    if (p === c.declaration) return;
    if (ts.isPropertyAccessExpression(p) && p.name === id) return;
    if ((ts.isPropertyAssignment(p) || ts.isBindingElement(p)) && p.name === id) return;
    if (evicted.has(name)) return;
    if (!a.isModuleLevelName(name, id)) return;
    const site = valueSite(id);
    const sp = site.parent;
    const use = entryUse(site, c.type);
    if (use) {
      if (use.kind === 'evict') evicted.add(name);
      else if (use.kind === 'grow') noteGrowth(c, use.node, use.keys);
      return;
    }
    if (ts.isDeleteExpression(sp)) {
      evicted.add(name);
      return;
    }
    if (ts.isBinaryExpression(sp) && sp.left === site && sp.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      evicted.add(name); // reassigned: reset somewhere
      return;
    }
    if ((ts.isCallExpression(sp) || ts.isNewExpression(sp)) && sp.arguments?.includes(site as ts.Expression)) {
      // Handed to other code (a cleaner, Object.keys(...).length checks, exports): assume it may be bounded there.
      const callee = sp.expression.getText(a.sourceFile);
      if (!/^(JSON\.stringify|console\.\w+|String|Array\.from|Object\.(values|entries))$/.test(callee)) evicted.add(name);
      return;
    }
    if (ts.isShorthandPropertyAssignment(sp) || ts.isPropertyAssignment(sp) || ts.isReturnStatement(sp) || ts.isExportSpecifier(sp)
      || ts.isExportAssignment(sp) || (ts.isBinaryExpression(sp) && sp.right === site && sp.operatorToken.kind === ts.SyntaxKind.EqualsToken)) {
      evicted.add(name);
    }
  };
  const noteGrowth = (c: Collection, node: ts.Node, keyParts: readonly ts.Expression[]) => {
    if (growth.has(c.name)) return;
    const scope = a.repeatedScope(node);
    // An exported function or method filling a module-level map is as often a registry as a cache:
    // only handlers, consumers, timers and loops are known to run per unit of work.
    if (!scope || !scope.fn || scope.kind === 'call') return;
    if (!keyParts.some((k) => dependsOnScope(a, k))) return;
    const statement = ts.isExpressionStatement(valueSite(node).parent) ? (valueSite(node).parent as ts.Statement) : undefined;
    growth.set(c.name, { node, statement, scope });
  };
  visit(a.sourceFile);
  for (const [name, g] of growth) {
    if (evicted.has(name)) continue;
    const c = collections.get(name)!;
    const typeText = c.type === 'object' ? 'object' : c.type === 'array' ? 'array' : c.type;
    context.report({
      node: g.node,
      messageId: 'unboundedGrowth',
      data: { name, type: typeText, scope: runsText(a, g.scope) },
      related: [related(a, c.declaration, `${name} is declared here and lives as long as the process`), scopeRelated(a, g.scope)],
      fixes: boundFix(a, c, g),
    });
  }
}

/** True when the key/value expression uses something declared in the repeated function (request data). */
function dependsOnScope(a: FileAnalysis, e: ts.Node): boolean {
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isIdentifier(n)) {
      const p = n.parent;
      // Anything bound inside a function (this one or an enclosing handler: `socket.id` in a nested
      // 'message' callback) is per-run data; module-level names and globals are not.
      if (!(ts.isPropertyAccessExpression(p) && p.name === n)) {
        const scope = a.declarationScope(n.text, n);
        if (scope && !ts.isSourceFile(scope)) found = true;
      }
      return;
    }
    ts.forEachChild(n, visit);
  };
  visit(e);
  return found;
}

function boundFix(a: FileAnalysis, c: Collection, g: Growth): Fix[] {
  if (!g.statement || !ts.isBlock(g.statement.parent) && !ts.isSourceFile(g.statement.parent)) return [];
  let guard: string;
  if (c.type === 'Map' || c.type === 'Set') guard = `if (${c.name}.size >= 1000) ${c.name}.delete(${c.name}.${c.type === 'Map' ? 'keys' : 'values'}().next().value);`;
  else if (c.type === 'array') guard = `if (${c.name}.length >= 1000) ${c.name}.shift();`;
  else return [];
  const pos = g.statement.getStart(a.sourceFile);
  const indent = a.indentAt(pos);
  return [{ title: `Bound ${c.name} to 1000 entries (evict the oldest)`, edits: [{ range: a.rangeOf(pos, pos), newText: `${guard}\n${indent}` }] }];
}

/**
 * What a method call or element access on a collection does to its entries: adds one (`set`,
 * `add`, `push`, `obj[key] =`), takes some out (`delete`, `clear`, `splice`, a size check; not a
 * `delete` of one literal key, which bounds nothing keyed by request data), or neither (`undefined`
 * for other uses, which the callers judge). `site` is the collection expression's value site.
 */
function entryUse(site: ts.Node, type: CollectionType):
  { kind: 'grow'; node: ts.Node; keys: readonly ts.Expression[] } | { kind: 'evict' } | { kind: 'none' } | undefined {
  const sp = site.parent;
  if (ts.isPropertyAccessExpression(sp) && sp.expression === site) {
    const m = sp.name.text;
    const call = sp.parent;
    if (evictMethods.has(m)) {
      const literalDelete = m === 'delete' && ts.isCallExpression(call) && !!call.arguments[0] && isLiteralKey(call.arguments[0]);
      return literalDelete ? { kind: 'none' } : { kind: 'evict' };
    }
    if (growMethods[type].has(m) && ts.isCallExpression(call) && call.expression === sp) {
      return { kind: 'grow', node: call, keys: type === 'Map' ? call.arguments.slice(0, 1) : call.arguments };
    }
    return { kind: 'none' };
  }
  if (ts.isElementAccessExpression(sp) && sp.expression === site) {
    const assign = valueSite(sp).parent;
    if (ts.isBinaryExpression(assign) && assign.left === valueSite(sp) && assign.operatorToken.kind >= ts.SyntaxKind.FirstAssignment
      && assign.operatorToken.kind <= ts.SyntaxKind.LastAssignment) {
      return type === 'object' || type === 'array' ? { kind: 'grow', node: assign, keys: [sp.argumentExpression] } : { kind: 'none' };
    }
    if (ts.isDeleteExpression(assign) && !isLiteralKey(sp.argumentExpression)) return { kind: 'evict' };
    return { kind: 'none' };
  }
  return undefined;
}

function isLiteralKey(e: ts.Expression): boolean {
  const k = skipOuter(e);
  return ts.isStringLiteralLike(k) || ts.isNumericLiteral(k);
}

/**
 * Collections held in a field (`this.pending = new Map()` in the constructor or as a field
 * initialiser) that a method grows with per-call keys while nothing in the class removes entries:
 * the object's own cache, unbounded for as long as the object lives.
 */
function checkInstanceCollections(context: RuleContext, a: FileAnalysis, classes: readonly ts.ClassLikeDeclaration[]): void {
  const visitClass = (cls: ts.ClassLikeDeclaration): void => {
    const fields = new Map<string, { type: CollectionType; node: ts.Node }>();
    for (const m of cls.members) {
      if (ts.isPropertyDeclaration(m) && m.initializer && !(ts.getModifiers(m) ?? []).some((x) => x.kind === ts.SyntaxKind.StaticKeyword)) {
        const type = collectionType(m.initializer);
        if (type) fields.set(m.name.getText(a.sourceFile), { type, node: m });
      }
      if (ts.isConstructorDeclaration(m) && m.body) {
        for (const st of m.body.statements) {
          if (!ts.isExpressionStatement(st) || !ts.isBinaryExpression(st.expression) || st.expression.operatorToken.kind !== ts.SyntaxKind.EqualsToken) continue;
          const left = st.expression.left;
          const type = collectionType(st.expression.right);
          if (type && ts.isPropertyAccessExpression(left) && left.expression.kind === ts.SyntaxKind.ThisKeyword) fields.set(left.name.text, { type, node: st });
        }
      }
    }
    if (fields.size === 0) return;
    const evicted = new Set<string>();
    const growth = new Map<string, { node: ts.Node; method: ts.MethodDeclaration; statement?: ts.Statement }>();
    const visit = (n: ts.Node): void => {
      if (ts.isPropertyAccessExpression(n) && n.expression.kind === ts.SyntaxKind.ThisKeyword && fields.has(n.name.text)) {
        const name = n.name.text;
        const field = fields.get(name)!;
        const site = valueSite(n);
        const sp = site.parent;
        const use = entryUse(site, field.type);
        if (use) {
          if (use.kind === 'evict') evicted.add(name);
          else if (use.kind === 'grow') noteGrowth(name, use.node, use.keys);
        } else if (ts.isDeleteExpression(sp)) evicted.add(name);
        else if (ts.isBinaryExpression(sp) && sp.left === site && sp.operatorToken.kind === ts.SyntaxKind.EqualsToken && !isWithin(sp, fields.get(name)!.node)) evicted.add(name);
        else if ((ts.isCallExpression(sp) || ts.isNewExpression(sp)) && sp.arguments?.includes(site as ts.Expression)) evicted.add(name);
        else if (ts.isVariableDeclaration(sp) || ts.isReturnStatement(sp) || ts.isPropertyAssignment(sp)) evicted.add(name);
      }
      ts.forEachChild(n, visit);
    };
    const noteGrowth = (name: string, node: ts.Node, keys: readonly ts.Expression[]) => {
      if (growth.has(name)) return;
      let method: ts.Node | undefined = node.parent;
      while (method && !ts.isClassLike(method) && !(ts.isMethodDeclaration(method) && method.parent === cls)) method = method.parent;
      if (!method || !ts.isMethodDeclaration(method) || !method.body) return;
      // Registries keyed by names their callers pass are bounded by the program; keys minted fresh on
      // every call (a counter, a clock, a random id) or taken from a request/connection are not.
      if (!keys.some((k) => freshKey(a, k, method!, 0))) return;
      const statement = ts.isExpressionStatement(valueSite(node).parent) ? (valueSite(node).parent as ts.Statement) : undefined;
      growth.set(name, { node, method, statement });
    };
    for (const m of cls.members) visit(m);
    for (const [name, g] of growth) {
      if (evicted.has(name)) continue;
      const field = fields.get(name)!;
      const owner = cls.name?.text ?? 'instance';
      context.report({
        node: g.node,
        messageId: 'instanceGrowth',
        data: { name: `this.${name}`, type: field.type === 'object' ? 'object' : field.type, owner, method: g.method.name.getText(a.sourceFile) },
        related: [related(a, field.node, `this.${name} is created here and lives as long as the ${owner}`)],
      });
    }
  };
  // Only classes whose text makes a collection in a field are walked.
  const makesCollection = /this\s*\.\s*[\w$]+\s*=\s*(new\s+(Map|Set)\s*\(\s*\)|\{\s*\}|\[\s*\]|Object\.create\(\s*null\s*\))|^\s*(private|public|protected|readonly|\s)*[\w$#]+\s*(:[^=;]+)?=\s*(new\s+(Map|Set)|\{\s*\}|\[\s*\])/m;
  for (const cls of classes) if (makesCollection.test(cls.getText(a.sourceFile))) visitClass(cls);
}

const perUnitNames = /^(req|request|ctx|socket|ws|conn|connection|msg|message|job|session|peer|res|response)$/;
const freshCalls = /^(now|random|randomUUID|uuid|v4|nanoid|hrtime|randomBytes|generateId|nextId|createId|cuid|ulid)$/;

/** Whether a key is new on every call: an incremented counter, a clock or random id, or data of a request/connection object. */
function freshKey(a: FileAnalysis, e: ts.Expression, method: ts.Node, depth: number): boolean {
  if (depth > 3) return false;
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isPrefixUnaryExpression(n) || ts.isPostfixUnaryExpression(n)) {
      if (n.operator === ts.SyntaxKind.PlusPlusToken || n.operator === ts.SyntaxKind.MinusMinusToken) found = true;
    } else if (ts.isCallExpression(n)) {
      const c = skipOuter(n.expression);
      const last = ts.isPropertyAccessExpression(c) ? c.name.text : ts.isIdentifier(c) ? c.text : '';
      if (freshCalls.test(last)) found = true;
    } else if (ts.isIdentifier(n) && !(ts.isPropertyAccessExpression(n.parent) && n.parent.name === n)) {
      if (perUnitNames.test(n.text) && a.declarationScope(n.text, n) !== undefined && !a.isModuleLevelName(n.text, n)) found = true;
      else {
        // Follow a local `const id = …` once.
        const scope = a.declarationScope(n.text, n);
        if (scope && isWithin(scope, method) && !ts.isSourceFile(scope)) {
          const decl = findDeclaration(scope, n.text);
          if (decl?.initializer) found = freshKey(a, decl.initializer, method, depth + 1);
        }
      }
      return;
    }
    ts.forEachChild(n, visit);
  };
  visit(e);
  return found;
}

function findDeclaration(scope: ts.Node, name: string): ts.VariableDeclaration | undefined {
  let found: ts.VariableDeclaration | undefined;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.name.text === name) found = n;
    else if (n === scope || !ts.isFunctionLike(n)) ts.forEachChild(n, visit);
  };
  visit(scope);
  return found;
}
