/**
 * Expands the paths given to `leak-lens scan` into lintable files. The other place in src/lint that
 * touches the file system (see README.md). Skips node_modules and anything a .gitignore on the way
 * down ignores, plus the config's `ignore` globs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { LeakLensError } from '../shared/errors';
import { isLintableFile } from './languages';

const skippedDirs = new Set(['node_modules', '.git', '.hg', '.svn']);

interface IgnoreLayer {
  dir: string;
  ig: Ignore;
}

/**
 * Expands files/folders to lintable files (.js .cjs .mjs .jsx .ts .tsx .mts .cts), skipping
 * node_modules and .gitignored paths. Explicitly named files are always included. `.d.ts` files are
 * skipped (declarations run nothing). Results are absolute and sorted.
 * @throws LeakLensError (code IO) when a given path does not exist.
 */
export async function discoverFiles(paths: string[], options: { ignore?: string[]; ignoreBase?: string; onProgress?(count: number): void } = {}): Promise<string[]> {
  const out = new Set<string>();
  const extra = options.ignore?.length ? { dir: path.resolve(options.ignoreBase ?? process.cwd()), ig: ignore().add(options.ignore) } : undefined;
  let lastReport = 0;
  const add = (file: string) => {
    out.add(file);
    if (options.onProgress && out.size - lastReport >= 200) {
      lastReport = out.size;
      options.onProgress(out.size);
    }
  };
  for (const p of paths) {
    const abs = path.resolve(p);
    let stat: fs.Stats;
    try {
      stat = await fs.promises.stat(abs);
    } catch (e) {
      throw new LeakLensError('IO', `cannot read ${p}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
    }
    if (stat.isFile()) {
      add(abs);
      continue;
    }
    const layers = await gitignoresAbove(abs);
    await walk(abs, layers, extra, add);
  }
  options.onProgress?.(out.size);
  return [...out].sort();
}

function isIgnored(file: string, isDir: boolean, layers: IgnoreLayer[]): boolean {
  for (const { dir, ig } of layers) {
    const rel = path.relative(dir, file);
    if (!rel || rel.startsWith('..') || path.isAbsolute(rel)) continue;
    const posix = rel.split(path.sep).join('/');
    if (ig.ignores(isDir ? `${posix}/` : posix)) return true;
  }
  return false;
}

/** .gitignore files in the folders above `dir` up to the repository root (the folder with .git). */
async function gitignoresAbove(dir: string): Promise<IgnoreLayer[]> {
  const chain: string[] = [];
  for (let cur = path.dirname(dir); ; cur = path.dirname(cur)) {
    chain.unshift(cur);
    if (fs.existsSync(path.join(cur, '.git')) || path.dirname(cur) === cur) break;
  }
  const layers: IgnoreLayer[] = [];
  for (const d of chain) {
    const layer = await readGitignore(d);
    if (layer) layers.push(layer);
  }
  return layers;
}

async function readGitignore(dir: string): Promise<IgnoreLayer | undefined> {
  try {
    const text = await fs.promises.readFile(path.join(dir, '.gitignore'), 'utf8');
    return { dir, ig: ignore().add(text) };
  } catch (e) {
    // No .gitignore in this folder is the common case, not an error.
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new LeakLensError('IO', `cannot read ${path.join(dir, '.gitignore')}: ${(e as Error).message}`, { cause: e });
  }
}

async function walk(dir: string, parentLayers: IgnoreLayer[], extra: IgnoreLayer | undefined, add: (file: string) => void): Promise<void> {
  const own = await readGitignore(dir);
  const layers = own ? [...parentLayers, own] : parentLayers;
  const all = extra ? [...layers, extra] : layers;
  let entries: fs.Dirent[];
  try {
    entries = await fs.promises.readdir(dir, { withFileTypes: true });
  } catch (e) {
    throw new LeakLensError('IO', `cannot list ${dir}: ${(e as Error).message}`, { cause: e });
  }
  entries.sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (skippedDirs.has(entry.name) || isIgnored(full, true, all)) continue;
      await walk(full, layers, extra, add);
    } else if (entry.isFile() && isLintableFile(entry.name) && !isIgnored(full, false, all)) {
      add(full);
    }
  }
}

/**
 * The editor's twin of what {@link discoverFiles} skips: a filter saying whether an open file lies
 * where scans never look (below `root`, in node_modules/.git/…; or ignored by a .gitignore between
 * the file and its repository root). Each .gitignore is read once per filter.
 */
export function skippedPathFilter(root: string): (file: string) => boolean {
  const ignores = new Map<string, Ignore | null>();
  const layer = (dir: string): Ignore | null => {
    let ig = ignores.get(dir);
    if (ig === undefined) {
      try {
        ig = ignore().add(fs.readFileSync(path.join(dir, '.gitignore'), 'utf8'));
      } catch {
        // No (readable) .gitignore here: nothing ignored by this folder.
        ig = null;
      }
      ignores.set(dir, ig);
    }
    return ig;
  };
  const repoRoots = new Map<string, boolean>();
  const isRepoRoot = (dir: string): boolean => {
    let yes = repoRoots.get(dir);
    if (yes === undefined) repoRoots.set(dir, (yes = fs.existsSync(path.join(dir, '.git'))));
    return yes;
  };
  const base = path.resolve(root);
  return (file: string) => {
    const abs = path.resolve(file);
    const below = path.relative(base, abs);
    if (!below.startsWith('..') && !path.isAbsolute(below) && below.split(path.sep).slice(0, -1).some((part) => skippedDirs.has(part))) return true;
    for (let dir = path.dirname(abs); ; dir = path.dirname(dir)) {
      const ig = layer(dir);
      if (ig?.ignores(path.relative(dir, abs).split(path.sep).join('/'))) return true;
      if (isRepoRoot(dir) || path.dirname(dir) === dir) return false;
    }
  };
}
