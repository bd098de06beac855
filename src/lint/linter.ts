/**
 * The engine: holds the workspace's files, parses each once per version, walks each tree once and
 * dispatches nodes to every enabled rule's visitors, then applies suppression comments and severity
 * overrides. Cross-file facts (a class whose constructor starts an interval) come from the same
 * parsed files, computed lazily and cached per version.
 */
import ts = require('typescript');
import { type BackgroundFact, FileAnalysis, type RepeatedCaller, skipOuter, type Workspace } from './analysis';
import { defaultConfig, type LintConfig } from './config';
import type { ReportDescriptor, RuleModule, RuleVisitors } from './rule';
import { backgroundCalls } from './catalog';
import { rules } from './rules';
import type { Finding } from './types';
import { classFact, factoryFact, type FactResolver, localClass, localForExport } from './workspace';
import { lintableExtensions } from './languages';

export interface LintResult {
  file: string;
  findings: Finding[];
  /** Why the file could not be analysed (a syntax error); there are no findings then. */
  parseError?: string;
}

interface FileEntry {
  text: string;
  parsed?: { sourceFile: ts.SourceFile; parseError?: string };
  facts?: Map<string, BackgroundFact | null>;
  factsGeneration?: number;
  analysis?: FileAnalysis;
  analysisGeneration?: number;
  /** Relative module specifiers in the text (`./events`), found without parsing. */
  specifiers?: string[];
  /** Whether the text could hold a class or factory that starts background work (see `mayStartWork`). */
  mayStartWork?: boolean;
}

const backgroundModules = [...new Set(Object.keys(backgroundCalls).map((k) => k.slice(0, k.indexOf(':'))))];
const startsWorkPattern = new RegExp(`setInterval|\\.(on|addListener|addEventListener|prependListener)\\s*\\(|['"](${backgroundModules.map((m) => m.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|')})['"]|\\bnew\\s+(https?\\.)?Agent\\b`);

/**
 * A text test that no class or factory in the file can start background work: no interval, no
 * listener, no background library, no agent, and no relative import through which a class it
 * constructs could.
 */
function mayStartWork(text: string): boolean {
  return startsWorkPattern.test(text) || (relativeSpecifiers(text).length > 0 && /\bnew\s+[A-Z]/.test(text));
}

const emptySet: ReadonlySet<string> = new Set();

/** `name(` or `name (` somewhere in the text (a call, `new`, or `ns.name(`), checked without a regular expression per name. */
function callsName(text: string, name: string): boolean {
  for (let i = text.indexOf(name); i >= 0; i = text.indexOf(name, i + name.length)) {
    let j = i + name.length;
    while (text[j] === ' ' || text[j] === '\t') j++;
    const before = i > 0 ? text.charCodeAt(i - 1) : 32;
    const wordBefore = (before >= 48 && before <= 57) || (before >= 65 && before <= 90) || (before >= 97 && before <= 122) || before === 95 || before === 36;
    if (text[j] === '(' && !wordBefore) return true;
  }
  return false;
}

/** How many importers of a module are parsed to look for a repeated caller (a popular utility module would otherwise parse half the workspace). */
const maxImportersExamined = 8;

const specifierPattern = /(?:\bfrom\s*|\brequire\s*\(\s*|\bimport\s*\(\s*)['"](\.{1,2}\/[^'"\n]*)['"]/g;

function relativeSpecifiers(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(specifierPattern)) out.push(m[1]);
  return out;
}


function scriptKind(file: string): ts.ScriptKind {
  const ext = file.slice(file.lastIndexOf('.')).toLowerCase();
  switch (ext) {
    case '.ts': case '.mts': case '.cts': return ts.ScriptKind.TS;
    case '.tsx': return ts.ScriptKind.TSX;
    case '.jsx': return ts.ScriptKind.JSX;
    default: return ts.ScriptKind.JS;
  }
}

function dirname(file: string): string {
  const i = Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\'));
  return i < 0 ? '.' : file.slice(0, i);
}

/** Joins and normalises `.`/`..` segments without touching the file system. */
function joinPath(dir: string, spec: string): string {
  const sep = dir.includes('\\') && !dir.includes('/') ? '\\' : '/';
  const parts = `${dir}${sep}${spec}`.split(/[\\/]+/);
  const out: string[] = [];
  for (const p of parts) {
    if (p === '.' || (p === '' && out.length > 0)) continue;
    if (p === '..') out.pop();
    else out.push(p);
  }
  return out.join(sep);
}

/** Parses a file the way the engine does; exported for the benchmark. */
export function parseFile(file: string, text: string): { sourceFile: ts.SourceFile; parseError?: string } {
  let sourceFile: ts.SourceFile;
  try {
    sourceFile = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, scriptKind(file));
  } catch (e) {
    // The parser recurses per nesting level: a generated file nested thousands deep overflows it.
    const empty = ts.createSourceFile(file, '', ts.ScriptTarget.Latest, true, scriptKind(file));
    return { sourceFile: empty, parseError: oneLineReason(e, 'the parser') };
  }
  const diags = (sourceFile as unknown as { parseDiagnostics?: ts.DiagnosticWithLocation[] }).parseDiagnostics ?? [];
  const first = diags.find((d) => d.category === ts.DiagnosticCategory.Error);
  if (!first) return { sourceFile };
  const { line, character } = sourceFile.getLineAndCharacterOfPosition(first.start ?? 0);
  return { sourceFile, parseError: `${line + 1}:${character + 1} ${ts.flattenDiagnosticMessageText(first.messageText, '\n')}` };
}

/** One line saying why a file was skipped: a stack overflow is "nested too deeply", anything else an internal error with its first frame. */
function oneLineReason(e: unknown, stage: string): string {
  if (e instanceof RangeError && /call stack/i.test(e.message)) {
    return `nested too deeply for ${stage} (stack overflow); exclude generated or minified code with "ignore" in .leaklensrc.json`;
  }
  const error = e instanceof Error ? e : new Error(String(e));
  // The TypeScript parser asserts on some malformed input ("Debug Failure"): the file is unreadable to it, not our bug.
  if (stage === 'the parser') return `the TypeScript parser could not read it (${error.message.split('\n')[0]})`;
  const frame = /\n\s+at (.*)/.exec(error.stack ?? '')?.[1];
  return `internal error in ${stage}: ${error.message.split('\n')[0]}${frame ? ` (at ${frame})` : ''}; please report it`;
}

/** Holds the workspace's files so cross-file facts (a class whose constructor starts an interval) are known. */
export class Linter implements Workspace {
  private config: LintConfig;
  private readonly files = new Map<string, FileEntry>();
  private readonly activeRules: Array<(typeof rules)[number]> = [];
  private readonly parsedOrder: FileEntry[] = [];
  private generation = 0;

  constructor(config: LintConfig = defaultConfig()) {
    this.config = config;
    this.applyConfig();
  }

  setConfig(config: LintConfig): void {
    this.config = config;
    for (const entry of this.files.values()) {
      entry.facts = undefined;
      entry.analysis = undefined;
    }
    this.applyConfig();
  }

  private applyConfig(): void {
    this.activeRules.length = 0;
    for (const rule of rules) if (this.config.rules[rule.meta.id] !== 'off') this.activeRules.push(rule);
  }

  /** Adds or updates a file (absolute path). */
  setFile(file: string, text: string): void {
    const old = this.files.get(file);
    if (old && old.text === text) return;
    this.files.set(file, { text });
    // A new file can change how specifiers resolve; an edited one only changes its own imports.
    if (old) this.importsChanged.add(file);
    else this.fileSetVersion++;
    // Facts are transitive across files (a class constructing a class from a third file): a new
    // generation invalidates them all, lazily.
    this.generation++;
  }

  deleteFile(file: string): void {
    this.files.delete(file);
    this.fileSetVersion++;
    this.generation++;
  }

  hasFile(file: string): boolean {
    return this.files.has(file);
  }

  /** Lints one file of the workspace. Never throws for bad source: parseError instead. */
  lintFile(file: string): LintResult {
    const entry = this.files.get(file);
    if (!entry) return { file, findings: [], parseError: 'the file was not added to the linter (setFile)' };
    const parsed = this.parse(file, entry);
    if (parsed.parseError) return { file, findings: [], parseError: parsed.parseError };
    // A fresh analysis per lint: rules record call indexes into it during the walk.
    const analysis = new FileAnalysis(file, parsed.sourceFile, this.config, this);
    const findings: Finding[] = [];
    const handlers: Array<Array<(node: ts.Node) => void> | undefined> = [];
    const enders: Array<() => void> = [];
    for (const rule of this.activeRules) {
      const severity = this.config.rules[rule.meta.id];
      const report = (d: ReportDescriptor) => findings.push(toFinding(rule, analysis, d, severity === undefined || severity === 'off' ? rule.meta.severity : severity));
      const visitors: RuleVisitors = rule.create({ analysis, report });
      for (const key of Object.keys(visitors)) {
        if (key === 'onEnd') continue;
        const kind = Number(key);
        const fn = visitors[kind];
        if (fn) (handlers[kind] ??= []).push(fn);
      }
      if (visitors.onEnd) enders.push(visitors.onEnd);
    }
    const callsByName = analysis.callsByName;
    const newsByName = analysis.newsByName;
    const CallKind = ts.SyntaxKind.CallExpression;
    const NewKind = ts.SyntaxKind.NewExpression;
    const visit = (node: ts.Node): void => {
      const kind = node.kind;
      if (kind === CallKind) {
        const callee = (node as ts.CallExpression).expression;
        if (callee.kind === ts.SyntaxKind.Identifier) {
          const name = (callee as ts.Identifier).text;
          const list = callsByName.get(name);
          if (list) list.push(node as ts.CallExpression);
          else callsByName.set(name, [node as ts.CallExpression]);
        }
      } else if (kind === NewKind) {
        const callee = (node as ts.NewExpression).expression;
        if (callee.kind === ts.SyntaxKind.Identifier) {
          const name = (callee as ts.Identifier).text;
          const list = newsByName.get(name);
          if (list) list.push(node as ts.NewExpression);
          else newsByName.set(name, [node as ts.NewExpression]);
        }
      }
      const hs = handlers[kind];
      if (hs) for (const h of hs) h(node);
      ts.forEachChild(node, visit);
    };
    try {
      visit(parsed.sourceFile);
      analysis.indexed = true;
      for (const end of enders) end();
    } catch (e) {
      // A rule bug or a tree too deep to walk must not take the editor or a CI scan down; the file says why instead.
      return { file, findings: [], parseError: oneLineReason(e, 'the analysis') };
    }
    return { file, findings: suppress(findings, parsed.sourceFile.text) };
  }

  private parse(file: string, entry: FileEntry): { sourceFile: ts.SourceFile; parseError?: string } {
    if (entry.parsed) return entry.parsed;
    entry.parsed = parseFile(file, entry.text);
    // Keep a bounded number of trees: a whole-workspace scan would otherwise hold every AST at once.
    this.parsedOrder.push(entry);
    if (this.parsedOrder.length > 16) {
      const old = this.parsedOrder.shift()!;
      old.parsed = undefined;
      old.analysis = undefined;
    }
    return entry.parsed;
  }

  private analysisOf(file: string): FileAnalysis | undefined {
    const entry = this.files.get(file);
    if (!entry) return undefined;
    const parsed = this.parse(file, entry);
    if (parsed.parseError) return undefined;
    // Its repetition facts can depend on other files (callers elsewhere): a change anywhere renews it.
    if (!entry.analysis || entry.analysisGeneration !== this.generation) {
      entry.analysis = new FileAnalysis(file, parsed.sourceFile, this.config, this);
      entry.analysisGeneration = this.generation;
    }
    return entry.analysis;
  }

  /** Resolves a relative module specifier to a file of the workspace. */
  resolveModule(fromFile: string, spec: string): string | undefined {
    if (!spec.startsWith('.')) return undefined;
    const base = joinPath(dirname(fromFile), spec);
    const candidates = [base];
    const jsExt = /\.(m|c)?jsx?$/.exec(base);
    const stem = jsExt ? base.slice(0, -jsExt[0].length) : base;
    for (const ext of lintableExtensions) candidates.push(stem + ext);
    for (const ext of lintableExtensions) candidates.push(`${base}/index${ext}`);
    return candidates.find((c) => this.files.has(c));
  }

  classFacts(fromFile: string, moduleSpecifier: string, exportName: string, depth = 0): BackgroundFact | undefined {
    const target = this.resolveModule(fromFile, moduleSpecifier);
    if (!target) return undefined;
    const entry = this.files.get(target)!;
    // Most imported modules start nothing: a look at the text spares parsing them.
    entry.mayStartWork ??= mayStartWork(entry.text);
    if (!entry.mayStartWork) return undefined;
    const key = `${exportName}`;
    if (entry.factsGeneration !== this.generation) {
      entry.facts = new Map();
      entry.factsGeneration = this.generation;
    }
    entry.facts ??= new Map();
    if (entry.facts.has(key)) return entry.facts.get(key) ?? undefined;
    entry.facts.set(key, null); // guards against import cycles
    const a = this.analysisOf(target);
    let fact: BackgroundFact | undefined;
    if (a) {
      const local = localForExport(a, exportName) ?? (exportName === 'default' ? undefined : exportName);
      if (local) {
        const cls = localClass(a, local);
        fact = cls ? classFact(a, cls, this.resolver, depth) : factoryFact(a, local);
      }
    }
    entry.facts.set(key, fact ?? null);
    return fact;
  }

  private importers?: Map<string, Set<string>>;
  /** What each file imports (resolved), to update `importers` when only that file's text changed. */
  private readonly outgoing = new Map<string, string[]>();
  private importersFileSet = -1;
  private fileSetVersion = 0;
  private readonly importsChanged = new Set<string>();

  /**
   * Files that import `file` by a relative specifier. Each file's specifiers are found once per
   * version of its text (a regular expression, no parse). The reverse map is rebuilt when files are
   * added or removed (resolution may change) and otherwise updated for the edited files only, so a
   * keystroke costs the edited file's specifiers, not the workspace's.
   */
  private importersOf(file: string): ReadonlySet<string> {
    if (!this.importers || this.importersFileSet !== this.fileSetVersion) {
      this.importers = new Map();
      this.outgoing.clear();
      for (const other of this.files.keys()) this.addImports(other);
      this.importersFileSet = this.fileSetVersion;
      this.importsChanged.clear();
    } else if (this.importsChanged.size > 0) {
      for (const other of this.importsChanged) {
        for (const target of this.outgoing.get(other) ?? []) this.importers.get(target)?.delete(other);
        if (this.files.has(other)) this.addImports(other);
      }
      this.importsChanged.clear();
    }
    return this.importers.get(file) ?? emptySet;
  }

  private addImports(file: string): void {
    const entry = this.files.get(file)!;
    entry.specifiers ??= relativeSpecifiers(entry.text);
    const targets: string[] = [];
    for (const spec of entry.specifiers) {
      const target = this.resolveModule(file, spec);
      if (!target || target === file) continue;
      targets.push(target);
      let set = this.importers!.get(target);
      if (!set) this.importers!.set(target, (set = new Set()));
      set.add(file);
    }
    this.outgoing.set(file, targets);
  }

  private readonly callers = new Map<string, RepeatedCaller | null>();
  private callersGeneration = -1;
  private readonly callersInProgress = new Set<string>();

  /**
   * A call or `new` of `file`'s export `exportName` in another workspace file that runs repeatedly
   * there (per request, per message…; not merely "per call"). Files are skipped by a text check
   * before any is parsed, and answers are cached until a file changes.
   */
  repeatedCaller(file: string, exportName: string): RepeatedCaller | undefined {
    if (this.callersGeneration !== this.generation) {
      this.callers.clear();
      this.callersGeneration = this.generation;
    }
    const key = `${file}\0${exportName}`;
    const cached = this.callers.get(key);
    if (cached !== undefined) return cached ?? undefined;
    if (this.callersInProgress.has(key) || this.callersInProgress.size > 8) return undefined;
    this.callersInProgress.add(key);
    let found: RepeatedCaller | undefined;
    try {
      let examined = 0;
      for (const other of this.importersOf(file)) {
        if (found || examined >= maxImportersExamined) break;
        const entry = this.files.get(other);
        // Only importers whose text calls or constructs the name are parsed.
        if (!entry || (exportName !== 'default' && !callsName(entry.text, exportName))) continue;
        examined++;
        const a = this.analysisOf(other);
        if (!a) continue;
        for (const site of importedUses(a, (spec) => this.resolveModule(other, spec) === file, exportName)) {
          const r = a.repeatedScope(site);
          if (r && r.kind !== 'call') {
            found = { kind: r.kind === 'constructor' ? 'request' : r.kind, label: r.label, file: other, line: a.line(site), range: a.range(site) };
            break;
          }
        }
      }
    } finally {
      this.callersInProgress.delete(key);
    }
    this.callers.set(key, found ?? null);
    return found;
  }

  /** Facts of a name imported into `a`'s file, following the import to its file. */
  readonly resolver: FactResolver = {
    imported: (a, local, depth) => {
      const binding = a.imports.get(local);
      if (!binding || !binding.module.startsWith('.')) return undefined;
      const exportName = binding.name === '*' ? 'default' : binding.name;
      return this.classFacts(a.file, binding.module, exportName, depth);
    },
  };
}

/** Calls and `new`s in `a` of export `exportName` of the module `isTarget` accepts. */
function importedUses(a: FileAnalysis, isTarget: (spec: string) => boolean, exportName: string): Array<ts.CallExpression | ts.NewExpression> {
  a.ensureIndexed();
  const sites: Array<ts.CallExpression | ts.NewExpression> = [];
  const namespaces = new Set<string>();
  for (const [local, binding] of a.imports) {
    if (!binding.module.startsWith('.') || !isTarget(binding.module)) continue;
    if (binding.name === exportName || (binding.name === '*' && exportName === 'default')) {
      sites.push(...(a.callsByName.get(local) ?? []), ...(a.newsByName.get(local) ?? []));
    }
    if (binding.name === '*' || binding.name === 'default') namespaces.add(local);
  }
  if (namespaces.size > 0 && exportName !== 'default') {
    // `const events = require('./events'); events.onOrderShipped(cb)`
    const visit = (n: ts.Node): void => {
      if ((ts.isCallExpression(n) || ts.isNewExpression(n))) {
        const callee = skipOuter(n.expression);
        if (ts.isPropertyAccessExpression(callee) && callee.name.text === exportName && ts.isIdentifier(callee.expression) && namespaces.has(callee.expression.text)) sites.push(n);
      }
      ts.forEachChild(n, visit);
    };
    visit(a.sourceFile);
  }
  return sites;
}

function fill(template: string, data: Record<string, string> | undefined): string {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, k: string) => data?.[k] ?? `{{${k}}}`);
}

function toFinding(rule: RuleModule, a: FileAnalysis, d: ReportDescriptor, severity: Finding['severity']): Finding {
  const template = rule.meta.messages[d.messageId];
  if (template === undefined) throw new Error(`rule ${rule.meta.id} reported unknown messageId ${d.messageId}`);
  return {
    ruleId: rule.meta.id,
    messageId: d.messageId,
    message: fill(template, d.data),
    severity,
    file: a.file,
    range: a.range(d.node),
    related: d.related ?? [],
    fixes: d.fixes ?? [],
  };
}

const suppressionPattern = /\/[/*]\s*leak-lens-disable-next-line\b([^\n*]*)/g;

/** Drops findings on the line after `// leak-lens-disable-next-line [rule-id[, rule-id]]`. */
function suppress(findings: Finding[], text: string): Finding[] {
  findings.sort((x, y) => x.range.start.line - y.range.start.line || x.range.start.column - y.range.start.column || x.ruleId.localeCompare(y.ruleId));
  if (findings.length === 0 || !text.includes('leak-lens-disable-next-line')) return findings;
  const byLine = new Map<number, Set<string> | 'all'>();
  for (const m of text.matchAll(suppressionPattern)) {
    const line = countLines(text, m.index ?? 0) + 1;
    const ids = m[1].split(/[\s,]+/).filter((s) => /^no-[a-z-]+$/.test(s));
    byLine.set(line, ids.length ? new Set(ids) : 'all');
  }
  return findings.filter((f) => {
    const s = byLine.get(f.range.start.line);
    return !s || (s !== 'all' && !s.has(f.ruleId));
  });
}

function countLines(text: string, end: number): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < end; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
