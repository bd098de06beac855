import ts = require('typescript');
import { type BackgroundFact, type FileAnalysis, type RepeatedScope, skipOuter, valueSite } from '../analysis';
import { backgroundClose, backgroundLastNames } from '../catalog';
import { ownershipOf, replacedWithoutRelease } from '../ownership';
import type { RuleContext, RuleMeta, RuleVisitors } from '../rule';
import { afterImports, article, isOnceGuarded, related, runsText, scopeRelated, usesLocals } from '../ruleUtil';
import type { Fix } from '../types';
import { backgroundEntryFor, classFact, factoryFact, localClass } from '../workspace';

export const meta = {
  id: 'no-per-request-background-work' as const,
  description: 'Objects that run a timer, socket pool or connection must not be created per request, per call or per message.',
  severity: 'warning',
  docs: {
    why: 'A cache with a cleanup timer, a keep-alive agent, a DB pool or a Redis client keeps running after the request that made it is done: its timer or sockets keep it (and all it holds) alive, so one per request grows without bound until the process is killed.',
    fix: 'Create one instance at module scope (or in the application\'s startup) and share it across requests; if a per-request instance is truly needed, close it in a `finally` block.',
  },
  messages: {
    perScope: '`{{callee}}` creates {{a}} {{what}} that starts {{runs}}, and this {{scope}}: every call leaves another one running, holding memory and handles forever. Create one at module scope and share it, or close it when done.',
    inline: '`{{callee}}` creates {{a}} {{what}} that starts {{runs}} inline in a call that only borrows it, and this {{scope}}: nothing ever closes it. Create one at module scope and share it.',
    replaced: '`{{callee}}` creates {{a}} {{what}} that starts {{runs}} and stores it in `{{target}}`, replacing the previous one without closing it, and this {{scope}}. Create it once (guard with `if (!{{target}})`) or close the old one first.',
    storedPerScope: '`{{callee}}` creates {{a}} {{what}} that starts {{runs}} and hands it to `{{holder}}.{{method}}()`, which outlives it, and this {{scope}}: one more is kept for every call and none is ever removed. Create it once at startup, or remove and close it when done.',
    classPerScope: '`{{callee}}` {{scope}}, and its constructor starts {{runs}}: every call leaves another instance running. Create one {{name}} at module scope and share it, or stop it when done.',
  },
  examples: {
    invalid: [
      `const express = require('express');\nconst NodeCache = require('node-cache');\nconst app = express();\napp.get('/orders', (req, res) => {\n  const cache = new NodeCache({ stdTTL: 60 });\n  cache.set(req.query.id, Date.now());\n  res.send('ok');\n});`,
      `const http = require('http');\nconst axios = require('axios');\nexports.handler = async (req, res) => {\n  const r = await axios.get('http://backend/x', { httpAgent: new http.Agent({ keepAlive: true }) });\n  res.json(r.data);\n};`,
    ],
    valid: [
      `const express = require('express');\nconst NodeCache = require('node-cache');\nconst app = express();\nconst cache = new NodeCache({ stdTTL: 60 });\napp.get('/orders', (req, res) => {\n  cache.set(req.query.id, Date.now());\n  res.send('ok');\n});`,
      `const { Pool } = require('pg');\nlet pool;\nfunction getPool() {\n  if (!pool) pool = new Pool();\n  return pool;\n}\nmodule.exports = (req, res) => getPool().query('select 1').then(() => res.end());`,
    ],
  },
} satisfies RuleMeta;

interface Candidate {
  node: ts.NewExpression | ts.CallExpression;
}

export function create(context: RuleContext): RuleVisitors {
  const a = context.analysis;
  const candidates: Candidate[] = [];
  // Cheap filter before resolving anything: an identifier (import, local class or factory) or a
  // property whose name some catalog entry ends with; gRPC clients are recognised by their arguments.
  const consider = (node: ts.NewExpression | ts.CallExpression) => {
    const callee = skipOuter(node.expression);
    if (ts.isIdentifier(callee)) {
      if (a.imports.has(callee.text) || localNames(a).has(callee.text)) candidates.push({ node });
    } else if (ts.isPropertyAccessExpression(callee) && (backgroundLastNames.has(callee.name.text) || ts.isNewExpression(node))) {
      candidates.push({ node });
    }
  };
  return {
    [ts.SyntaxKind.NewExpression]: consider,
    [ts.SyntaxKind.CallExpression]: consider,
    onEnd() {
      for (const c of candidates) check(context, a, c.node);
    },
  };
}

function cachedClassFact(a: FileAnalysis, cls: ts.ClassLikeDeclaration): BackgroundFact | undefined {
  return a.memo(cls, () => classFact(a, cls, a.workspace?.resolver));
}

/** Module-level classes and functions of the file: the only local names that can be constructors or factories. */
function localNames(a: FileAnalysis): Set<string> {
  return a.memo('no-per-request-background-work:localNames', () => collectLocalNames(a));
}

function collectLocalNames(a: FileAnalysis): Set<string> {
  const set = new Set<string>();
  for (const st of a.sourceFile.statements) {
    if ((ts.isClassDeclaration(st) || ts.isFunctionDeclaration(st)) && st.name) set.add(st.name.text);
    else if (ts.isVariableStatement(st)) {
      for (const d of st.declarationList.declarations) {
        const init = d.initializer && skipOuter(d.initializer);
        if (ts.isIdentifier(d.name) && init && (ts.isClassExpression(init) || ts.isArrowFunction(init) || ts.isFunctionExpression(init))) set.add(d.name.text);
      }
    }
  }
  return set;
}

function factFor(a: FileAnalysis, node: ts.NewExpression | ts.CallExpression): { what: string; runs: string; fact?: BackgroundFact } | undefined {
  const entry = backgroundEntryFor(a, node);
  if (entry) {
    if (ts.isCallExpression(node) && !isFactoryName(a.callee(node).last)) return undefined;
    return entry;
  }
  const callee = skipOuter(node.expression);
  if (!ts.isIdentifier(callee) || !a.workspace) return undefined;
  const binding = a.imports.get(callee.text);
  if (binding ? !binding.module.startsWith('.') : !localNames(a).has(callee.text)) return undefined;
  let fact: BackgroundFact | undefined;
  if (ts.isNewExpression(node) && !binding) {
    // A class of this file: its facts are cheap (cached per class), the repeated scope is checked after.
    const cls = localClass(a, callee.text);
    if (cls) fact = cachedClassFact(a, cls);
  } else if (ts.isNewExpression(node)) {
    // The fact first: it reads at most the one imported file, while deciding repetition may read the
    // files that call this one; check() asks for the repeated scope only when there is a fact.
    fact = a.workspace.resolver.imported(a, callee.text, 0);
  } else {
    // Another file's function is read only when its name says it hands out an object (getClient,
    // createPool, makeAgent, redisClient…): reading every imported helper doubled the cost of a scan.
    if (binding) fact = factoryLike(callee.text) ? a.workspace.resolver.imported(a, callee.text, 0) : undefined;
    else if (a.isModuleLevelName(callee.text, node)) fact = factoryFact(a, callee.text);
    if (fact && fact.kind !== 'background') fact = undefined;
  }
  if (!fact || fact.kind === 'listener') return undefined;
  return { what: fact.what, runs: fact.runs, fact };
}

function findCall(node: ts.Node): ts.CallExpression | ts.NewExpression | undefined {
  for (let cur: ts.Node | undefined = node; cur; cur = cur.parent) {
    if (ts.isCallExpression(cur) || ts.isNewExpression(cur)) return cur;
    if (ts.isBlock(cur) || ts.isSourceFile(cur)) return undefined;
  }
  return undefined;
}

function factoryLike(name: string): boolean {
  return /^(get|create|make|build|new|open|connect|init|acquire|spawn)[A-Z_]|(Client|Pool|Agent|Cache|Connection|Queue|Logger|Store|Worker|Server|Socket|Watcher|Instance)$/.test(name);
}

function isFactoryName(name: string): boolean {
  return /^(create|connect|caching|schedule|knex|default|Knex|Redis|Kafka|duplicate|destination)/.test(name) || name === 'createClient';
}

function check(context: RuleContext, a: FileAnalysis, node: ts.NewExpression | ts.CallExpression): void {
  if (a.isModuleScope(node)) return;
  const found = factFor(a, node);
  if (!found) return;
  const scope = a.repeatedScope(node);
  if (!scope) return;
  const own = ownershipOf(a, node, { closeMethods: backgroundClose, argumentEscapes: false });
  const callee = ts.isNewExpression(node) ? `new ${a.short(node.expression)}()` : `${a.short(node.expression)}()`;
  const rel = [scopeRelated(a, scope)];
  if (found.fact) rel.push({ message: `${found.fact.what} starts ${found.fact.runs} here`, file: found.fact.file, range: found.fact.range });
  const scopeText = runsText(a, scope);
  const data = { callee, name: a.short(node.expression), a: article(found.what), what: found.what, runs: found.runs, scope: scopeText };
  const isClass = !!found.fact && ts.isNewExpression(node);
  if (own.status === 'unused' || own.status === 'leaked') {
    if (own.inlineIn && !isClass) {
      // `axios.create({ httpsAgent: new Agent(…) })`: the outer factory is reported instead.
      const holderCall = findCall(own.inlineIn);
      if (holderCall && backgroundEntryFor(a, holderCall)) return;
      context.report({ node, messageId: 'inline', data, related: rel });
      return;
    }
    context.report({ node, messageId: isClass ? 'classPerScope' : 'perScope', data, related: rel, fixes: hoistFix(a, node, scope) });
    return;
  }
  if (own.status !== 'escaped') return;
  // `req.logger = winston.createLogger(…)`: stored on an object of this one run, it is dropped with it, still running.
  const assign = valueSite(node).parent;
  if (ts.isBinaryExpression(assign) && assign.right === valueSite(node) && assign.operatorToken.kind === ts.SyntaxKind.EqualsToken
    && (ts.isPropertyAccessExpression(skipOuter(assign.left)) || ts.isElementAccessExpression(skipOuter(assign.left)))
    && scope.kind !== 'call' && scope.kind !== 'constructor' && !a.outlivesScope(skipOuter(assign.left), scope).longLived
    && !skipOuter(assign.left).getText(a.sourceFile).startsWith('this.')) {
    context.report({ node, messageId: isClass ? 'classPerScope' : 'perScope', data, related: rel });
    return;
  }
  const replaced = replacedWithoutRelease(a, node, backgroundClose);
  if (replaced) {
    context.report({ node, messageId: 'replaced', data: { ...data, target: replaced.target, scope: runsText(a, replaced.scope) },
      related: [...rel, related(a, replaced.assign, 'stored here')] });
    return;
  }
  // `logger.add(new transports.File(…))` per request: kept by something that outlives the request and never let go.
  const holder = valueSite(node).parent;
  if (scope.kind !== 'call' && scope.kind !== 'constructor' && ts.isCallExpression(holder) && holder.arguments.includes(valueSite(node) as ts.Expression)) {
    const callee = skipOuter(holder.expression);
    if (ts.isPropertyAccessExpression(callee) && /^(add|push|set|register|use|addTransport|attach)$/.test(callee.name.text)
      && a.outlivesScope(callee.expression, scope).longLived && !removesFrom(a, callee.expression) && !isOnceGuarded(a, holder, scope.fn)) {
      context.report({ node, messageId: 'storedPerScope', data: { ...data, holder: a.short(callee.expression), method: callee.name.text }, related: rel });
    }
  }
}

/** Whether anything in the file takes entries out of `holder` (`holder.remove(…)`, `.delete`, `.clear`, `.splice`…). */
function removesFrom(a: FileAnalysis, holder: ts.Expression): boolean {
  const text = a.compactText(holder).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`${text}\\s*\\??\\.\\s*(remove|delete|clear|splice|shift|pop|unregister|eject|off|close|end|destroy)\\w*\\s*\\(`).test(a.text.replace(/[ \t]+/g, ''));
}

/** Moves `const x = new Foo(literals)` to module scope when nothing in it is local. */
function hoistFix(a: FileAnalysis, node: ts.Node, scope: RepeatedScope): Fix[] {
  const decl = valueSite(node).parent;
  if (!ts.isVariableDeclaration(decl) || !ts.isIdentifier(decl.name) || decl.initializer !== valueSite(node)) return [];
  const statement = decl.parent.parent;
  if (!ts.isVariableStatement(statement) || statement.declarationList.declarations.length !== 1) return [];
  const fn = scope.fn ?? a.enclosingFunction(node);
  if (usesLocals(a, node, fn) || usesLocals(a, node, a.enclosingFunction(node))) return [];
  if (a.isModuleLevelName(decl.name.text, a.sourceFile) || a.declarationScope(decl.name.text, a.sourceFile.statements[0] ?? a.sourceFile) === a.sourceFile) return [];
  if (ts.isAwaitExpression(decl.initializer)) return [];
  const insertPos = afterImports(a);
  const start = statement.getStart(a.sourceFile);
  const lineStart = a.text.lastIndexOf('\n', start - 1) + 1;
  const nextLine = a.text.indexOf('\n', statement.getEnd());
  const removeEnd = nextLine < 0 ? statement.getEnd() : nextLine + 1;
  const keyword = statement.declarationList.flags & ts.NodeFlags.Const ? 'const' : 'let';
  const text = `${keyword} ${decl.name.text} = ${decl.initializer.getText(a.sourceFile)};`;
  return [{
    title: `Hoist ${decl.name.text} to module scope (one shared instance)`,
    edits: [
      { range: a.rangeOf(insertPos, insertPos), newText: insertPos === 0 ? `${text}\n` : `\n${text}` },
      { range: a.rangeOf(lineStart, removeEnd), newText: '' },
    ],
  }];
}
