/**
 * Lint configuration: `.leaklensrc.json`, or a `leakLens` key in package.json, found from a folder
 * upwards. One of the two places in src/lint that touch the file system (see README.md); the rules
 * and the engine only ever see the parsed {@link LintConfig}.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError } from '../shared/errors';
import { allRuleIds, type RuleId } from './rules';
import type { Severity } from './types';

export interface ResourceDeclaration {
  /** Only calls resolved to this module match (e.g. 'my-db'); any module when absent. */
  module?: string;
  /** Function or class name (`connect`, `TenantCache`). */
  name: string;
  /** 'resource' must be released; 'background' must not be created per request. */
  kind: 'resource' | 'background';
  /** Methods that release it (default: close, end, destroy, release). */
  close?: string[];
}

export interface LintConfig {
  rules: Partial<Record<RuleId, Severity | 'off'>>;
  /** gitignore-style globs, relative to the config file's folder. */
  ignore: string[];
  resources: ResourceDeclaration[];
}

export function defaultConfig(): LintConfig {
  return { rules: {}, ignore: [], resources: [] };
}

const severities = new Set(['error', 'warning', 'info', 'off']);

/**
 * Finds `.leaklensrc.json` or package.json "leakLens" from `dir` upwards (or reads `explicitFile`).
 * Returns the default config and no file when there is none.
 * @throws ConfigError when a file exists but cannot be read, is not JSON, or does not validate.
 */
export function loadConfig(dir: string, explicitFile?: string): { config: LintConfig; file?: string } {
  if (explicitFile) {
    const file = path.resolve(dir, explicitFile);
    const raw = readJson(file);
    const value = path.basename(file) === 'package.json' ? (raw as Record<string, unknown>).leakLens ?? {} : raw;
    return { config: validateConfig(value, file), file };
  }
  for (let cur = path.resolve(dir); ; cur = path.dirname(cur)) {
    const rc = path.join(cur, '.leaklensrc.json');
    if (fs.existsSync(rc)) return { config: validateConfig(readJson(rc), rc), file: rc };
    const pkg = path.join(cur, 'package.json');
    if (fs.existsSync(pkg)) {
      const raw = readJson(pkg) as Record<string, unknown>;
      if (raw && typeof raw === 'object' && 'leakLens' in raw) return { config: validateConfig(raw.leakLens, pkg), file: pkg };
    }
    if (path.dirname(cur) === cur) return { config: defaultConfig() };
  }
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(file, `cannot read the file (${(e as Error).message})`, { cause: e });
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ConfigError(file, `is not valid JSON (${(e as Error).message})`, { cause: e });
  }
}

/**
 * Checks a parsed config object and fills defaults.
 * @throws ConfigError naming the offending key.
 */
export function validateConfig(value: unknown, file: string): LintConfig {
  const config = defaultConfig();
  if (value === undefined || value === null) return config;
  if (typeof value !== 'object' || Array.isArray(value)) throw new ConfigError(file, 'the configuration must be an object');
  const v = value as Record<string, unknown>;
  for (const key of Object.keys(v)) {
    if (key === 'typeAware') {
      throw new ConfigError(file, '"typeAware" was removed: it never changed what is found (files are resolved by module path). Delete the key');
    }
    if (!['rules', 'ignore', 'resources', '$schema'].includes(key)) {
      throw new ConfigError(file, `unknown key "${key}" (expected rules, ignore, resources)`);
    }
  }
  if (v.rules !== undefined) {
    if (typeof v.rules !== 'object' || v.rules === null || Array.isArray(v.rules)) throw new ConfigError(file, '"rules" must be an object');
    for (const [id, sev] of Object.entries(v.rules as Record<string, unknown>)) {
      if (!allRuleIds.includes(id as RuleId)) throw new ConfigError(file, `unknown rule "${id}" in "rules" (known: ${allRuleIds.join(', ')})`);
      if (typeof sev !== 'string' || !severities.has(sev)) throw new ConfigError(file, `rule "${id}" must be "error", "warning", "info" or "off"`);
      config.rules[id as RuleId] = sev as Severity | 'off';
    }
  }
  if (v.ignore !== undefined) {
    if (!Array.isArray(v.ignore) || v.ignore.some((g) => typeof g !== 'string')) throw new ConfigError(file, '"ignore" must be an array of glob strings');
    config.ignore = v.ignore as string[];
  }
  if (v.resources !== undefined) {
    if (!Array.isArray(v.resources)) throw new ConfigError(file, '"resources" must be an array');
    config.resources = v.resources.map((r, i) => {
      const at = `resources[${i}]`;
      if (!r || typeof r !== 'object') throw new ConfigError(file, `${at} must be an object`);
      const { module, name, kind, close } = r as Record<string, unknown>;
      if (typeof name !== 'string' || !name) throw new ConfigError(file, `${at}.name must be a non-empty string`);
      if (kind !== 'resource' && kind !== 'background') throw new ConfigError(file, `${at}.kind must be "resource" or "background"`);
      if (module !== undefined && typeof module !== 'string') throw new ConfigError(file, `${at}.module must be a string`);
      if (close !== undefined && (!Array.isArray(close) || close.some((c) => typeof c !== 'string'))) {
        throw new ConfigError(file, `${at}.close must be an array of method names`);
      }
      return { module: module as string | undefined, name, kind, close: close as string[] | undefined };
    });
  }
  return config;
}
