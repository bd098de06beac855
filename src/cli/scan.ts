/**
 * `leak-lens scan <paths...> [--format text|json|sarif] [--output FILE] [--config FILE]`: static
 * analysis of files and folders. Exit 0 without findings, 1 with findings, 2 on usage or I/O errors.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { LeakLensError, UsageError } from '../shared/errors';
import { discoverFiles, type Finding, Linter, type LintResult, loadConfig, ruleDocsUrl, ruleMetas } from '../lint';
import type { CliIo } from './io';

declare const LEAK_LENS_VERSION: string | undefined;

type Format = 'text' | 'json' | 'sarif';

/** Wraps prose at `width` columns, each line indented. */
function wrap(text: string, width: number, indent: string): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && indent.length + line.length + 1 + word.length > width) {
      lines.push(indent + line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(indent + line);
  return lines.join('\n');
}

export const help = `Usage: leak-lens scan <paths...> [--format text|json|sarif] [--output FILE] [--config FILE]

Statically analyses JavaScript and TypeScript files and folders for leak patterns. Folders are
searched recursively; node_modules and .gitignored paths are skipped.

Options:
  --format text|json|sarif  Output format (default: text). sarif writes SARIF 2.1.0.
  --output FILE             Write the report to FILE instead of stdout.
  --config FILE             Use this config (.leaklensrc.json, or a package.json with "leakLens")
                            instead of searching from the current folder upwards.
  -h, --help                Show this help.

Rules (set a severity or "off" under "rules" in the config):
${ruleMetas.map((m) => `  ${m.id}\n${wrap(m.description, 96, '      ')}`).join('\n')}

Exit codes: 0 no findings, 1 findings, 2 usage or I/O error.
`;

interface Options {
  paths: string[];
  format: Format;
  output?: string;
  config?: string;
}

function parseArgs(argv: string[]): Options | 'help' {
  const options: Options = { paths: [], format: 'text' };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): string => {
      const eq = arg.indexOf('=');
      if (eq >= 0) return arg.slice(eq + 1);
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${arg} needs a value`);
      return v;
    };
    if (arg === '-h' || arg === '--help') return 'help';
    if (arg === '--format' || arg.startsWith('--format=')) {
      const f = value();
      if (f !== 'text' && f !== 'json' && f !== 'sarif') throw new UsageError(`--format must be text, json or sarif (got "${f}")`);
      options.format = f;
    } else if (arg === '--output' || arg.startsWith('--output=') || arg === '-o') options.output = value();
    else if (arg === '--config' || arg.startsWith('--config=')) options.config = value();
    else if (arg.startsWith('-') && arg !== '-') throw new UsageError(`unknown option ${arg} for scan`);
    else options.paths.push(arg);
  }
  if (options.paths.length === 0) throw new UsageError('scan needs at least one file or folder');
  return options;
}

export async function run(argv: string[], io: CliIo): Promise<number> {
  let options: Options | 'help';
  try {
    options = parseArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`leak-lens scan: ${e.message}\n\n${help}`);
      return 2;
    }
    throw e;
  }
  if (options === 'help') {
    io.stdout(help);
    return 0;
  }
  const started = Date.now();
  const { config, file: configFile } = loadConfig(io.cwd, options.config);
  const paths = options.paths.map((p) => path.resolve(io.cwd, p));
  const progress = (text: string) => {
    if (io.stderrIsTty) io.stderr(`\r\x1b[K${text}`);
  };
  const files = await discoverFiles(paths, {
    ignore: config.ignore,
    ignoreBase: configFile ? path.dirname(configFile) : io.cwd,
    onProgress: (n) => progress(`leak-lens: found ${n} files…`),
  });
  const linter = new Linter(config);
  for (const file of files) {
    let text: string;
    try {
      text = await fs.promises.readFile(file, 'utf8');
    } catch (e) {
      throw new LeakLensError('IO', `cannot read ${file}: ${(e as Error).message}`, { cause: e });
    }
    linter.setFile(file, text);
  }
  const results: LintResult[] = [];
  for (let i = 0; i < files.length; i++) {
    results.push(linter.lintFile(files[i]));
    if (files.length >= 200 && i % 100 === 0) progress(`leak-lens: analysed ${i}/${files.length} files…`);
  }
  if (io.stderrIsTty) io.stderr('\r\x1b[K');
  const findings = results.flatMap((r) => r.findings);
  const parseErrors = results.filter((r) => r.parseError);
  let report: string;
  if (options.format === 'json') report = `${JSON.stringify(toJson(results, io.cwd), null, 2)}\n`;
  else if (options.format === 'sarif') report = `${JSON.stringify(toSarif(results, io.cwd), null, 2)}\n`;
  else report = toText(results, io.cwd);
  if (options.output) {
    const out = path.resolve(io.cwd, options.output);
    try {
      await fs.promises.writeFile(out, report);
    } catch (e) {
      throw new LeakLensError('IO', `cannot write ${options.output}: ${(e as Error).message}`, { cause: e });
    }
  } else {
    io.stdout(report);
  }
  for (const r of parseErrors) io.stderr(`leak-lens: skipped ${path.relative(io.cwd, r.file)}: ${r.parseError}\n`);
  if (options.format !== 'text' || options.output) {
    io.stderr(`leak-lens: ${count(files.length, 'file')}, ${count(findings.length, 'finding')}, ${parseErrors.length} unparsable, ${Date.now() - started} ms\n`);
  }
  return findings.length > 0 ? 1 : 0;
}

function rel(cwd: string, file: string): string {
  const r = path.relative(cwd, file);
  return r.startsWith('..') || path.isAbsolute(r) ? file : r.split(path.sep).join('/');
}

/** ESLint "stylish"-like: the path, then `line:col  severity  message  rule-id` per finding, then a summary. */
export function toText(results: LintResult[], cwd: string): string {
  const lines: string[] = [];
  let errors = 0;
  let warnings = 0;
  let infos = 0;
  for (const r of results) {
    if (r.findings.length === 0) continue;
    lines.push(rel(cwd, r.file));
    const rows = r.findings.map((f) => [`${f.range.start.line}:${f.range.start.column}`, f.severity, f.message, f.ruleId]);
    const w0 = Math.max(...rows.map((x) => x[0].length));
    const w1 = Math.max(...rows.map((x) => x[1].length));
    for (const [pos, sev, msg, id] of rows) lines.push(`  ${pos.padEnd(w0)}  ${sev.padEnd(w1)}  ${msg}  ${id}`);
    lines.push('');
    for (const f of r.findings) {
      if (f.severity === 'error') errors++;
      else if (f.severity === 'warning') warnings++;
      else infos++;
    }
  }
  const total = errors + warnings + infos;
  const files = count(results.length, 'file');
  if (total === 0) lines.push(`No leak patterns found in ${files}.`);
  else lines.push(`✖ ${count(total, 'finding')} (${count(errors, 'error')}, ${count(warnings, 'warning')}, ${infos} info) in ${files}`);
  return `${lines.join('\n')}\n`;
}

export function toJson(results: LintResult[], cwd: string): object {
  return {
    files: results.length,
    findings: results.flatMap((r) => r.findings.map((f) => ({ ...f, path: rel(cwd, f.file) }))),
    parseErrors: results.filter((r) => r.parseError).map((r) => ({ file: r.file, path: rel(cwd, r.file), message: r.parseError })),
  };
}

const sarifLevel: Record<Finding['severity'], 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };

/**
 * SARIF 2.1.0. Locations are relative to `%SRCROOT%` (the working folder, declared in
 * `originalUriBaseIds`), the usual practice so reports are portable between machines; files outside
 * the working folder get absolute file:// URIs.
 */
export function toSarif(results: LintResult[], cwd: string): object {
  const ruleIndex = new Map(ruleMetas.map((m, i) => [m.id as string, i]));
  const location = (file: string, range: Finding['range']) => {
    const r = path.relative(cwd, file);
    const outside = r.startsWith('..') || path.isAbsolute(r);
    return {
      physicalLocation: {
        artifactLocation: outside ? { uri: pathToFileURL(file).href } : { uri: r.split(path.sep).map(encodeURIComponent).join('/'), uriBaseId: '%SRCROOT%' },
        region: { startLine: range.start.line, startColumn: range.start.column, endLine: range.end.line, endColumn: range.end.column },
      },
    };
  };
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: 'leak-lens',
          version: typeof LEAK_LENS_VERSION === 'string' ? LEAK_LENS_VERSION : '0.0.0-dev',
          informationUri: 'https://github.com/leak-lens/leak-lens',
          rules: ruleMetas.map((m) => ({
            id: m.id,
            name: m.id,
            shortDescription: { text: m.description },
            fullDescription: { text: `${m.docs.why} ${m.docs.fix}` },
            helpUri: ruleDocsUrl(m.id),
            help: { text: m.docs.fix },
            defaultConfiguration: { level: sarifLevel[m.severity] },
          })),
        },
      },
      originalUriBaseIds: { '%SRCROOT%': { uri: pathToFileURL(cwd.endsWith(path.sep) ? cwd : cwd + path.sep).href } },
      results: results.flatMap((r) => r.findings.map((f) => ({
        ruleId: f.ruleId,
        ruleIndex: ruleIndex.get(f.ruleId),
        level: sarifLevel[f.severity],
        message: { text: f.message },
        locations: [location(f.file, f.range)],
        relatedLocations: f.related.map((x, i) => ({ id: i + 1, message: { text: x.message }, ...location(x.file, x.range) })),
        ...(f.fixes.length ? { properties: { fixes: f.fixes.map((x) => x.title) } } : {}),
      }))),
      invocations: [{
        executionSuccessful: true,
        toolExecutionNotifications: results.filter((r) => r.parseError).map((r) => ({
          level: 'warning',
          message: { text: `not analysed: ${r.parseError}` },
          locations: [location(r.file, { start: { line: 1, column: 1 }, end: { line: 1, column: 1 } })],
        })),
      }],
    }],
  };
}

/** "1 file", "2 files". */
function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
