/**
 * The server's lint configuration for one folder: the config file the CLI reads (`loadConfig`),
 * with the `leakLens.lint.*` settings on top. Settings override the file only where they say
 * something, so with default settings the editor and the CLI report the same findings.
 */
import * as path from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { defaultConfig, loadConfig, skippedPathFilter, type LintConfig } from '../lint';
import type { LintSettings } from '../protocol/lsp';

export interface FolderConfig {
  config: LintConfig;
  /** The config file used, if one was found. */
  file?: string;
  enabled: boolean;
  /** Whether an absolute path is excluded by the file's or the settings' ignore globs. */
  isIgnored(file: string): boolean;
}

/**
 * Loads the config for `dir` and applies `settings`. A broken config file does not stop linting:
 * the defaults are used and `error` says why, for the server to log.
 */
export function resolveFolderConfig(dir: string, settings: LintSettings): FolderConfig & { error?: unknown } {
  let loaded: { config: LintConfig; file?: string };
  let error: unknown;
  try {
    loaded = loadConfig(dir);
  } catch (e) {
    error = e;
    loaded = { config: defaultConfig() };
  }
  const config = applySettings(loaded.config, settings);
  const fileBase = loaded.file ? path.dirname(loaded.file) : dir;
  // What `leak-lens scan` skips (node_modules, .gitignored paths) stays quiet in the editor too.
  const matchers = [skippedPathFilter(dir), matcher(fileBase, loaded.config.ignore), matcher(dir, settings.ignore ?? [])];
  return {
    config,
    file: loaded.file,
    enabled: settings.enable !== false,
    isIgnored: (file) => matchers.some((m) => m(file)),
    error,
  };
}

/** `base` with the settings' rule severities, extra ignores and extra resources. */
export function applySettings(base: LintConfig, settings: LintSettings): LintConfig {
  const rules = { ...base.rules };
  for (const [id, severity] of Object.entries(settings.rules ?? {})) {
    if (severity === 'error' || severity === 'warning' || severity === 'info' || severity === 'off') {
      (rules as Record<string, string>)[id] = severity;
    }
  }
  const resources = [...base.resources, ...validResources(settings.resources)];
  return {
    ...base,
    rules,
    ignore: [...base.ignore, ...(settings.ignore ?? []).filter((g) => typeof g === 'string')],
    resources,
  };
}

function validResources(resources: LintSettings['resources']): LintConfig['resources'] {
  if (!Array.isArray(resources)) return [];
  return resources.filter(
    (r) =>
      r !== null &&
      typeof r === 'object' &&
      typeof r.name === 'string' &&
      (r.kind === 'resource' || r.kind === 'background') &&
      (r.module === undefined || typeof r.module === 'string') &&
      (r.close === undefined || (Array.isArray(r.close) && r.close.every((c) => typeof c === 'string'))),
  );
}

/** A gitignore-style matcher for globs relative to `base`; paths outside `base` never match. */
function matcher(base: string, globs: readonly string[]): (file: string) => boolean {
  const patterns = globs.filter((g) => typeof g === 'string' && g.trim() !== '');
  if (patterns.length === 0) return () => false;
  const ig: Ignore = ignore().add(patterns);
  return (file) => {
    const relative = path.relative(base, file);
    if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return false;
    return ig.ignores(relative.split(path.sep).join('/'));
  };
}

/**
 * Normalises whatever `workspace/configuration` returned for `leakLens.lint` (null when the client
 * knows no such section) into {@link LintSettings}.
 */
export function toLintSettings(value: unknown): LintSettings {
  if (value === null || typeof value !== 'object') return {};
  const v = value as Record<string, unknown>;
  const settings: LintSettings = {};
  if (typeof v.enable === 'boolean') settings.enable = v.enable;
  if (v.rules && typeof v.rules === 'object') settings.rules = v.rules as LintSettings['rules'];
  if (Array.isArray(v.ignore)) settings.ignore = v.ignore.filter((g): g is string => typeof g === 'string');
  if (Array.isArray(v.resources)) settings.resources = v.resources as LintSettings['resources'];
  return settings;
}
