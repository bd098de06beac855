/**
 * The rule registry: every rule, by explicit import (the code is bundled, so no directory
 * scanning), one sorted line per rule. Everything else that lists rules is derived from this: the
 * `RuleId` type and `allRuleIds` here, the CLI help at run time, and the package.json settings and
 * README table by `npm run generate` (checked by test/tools/generated.test.ts).
 */
import type { RuleModule } from '../rule';
import * as noListenerLeak from './no-listener-leak';
import * as noPerRequestBackgroundWork from './no-per-request-background-work';
import * as noUnboundedCache from './no-unbounded-cache';
import * as noUnclearedTimer from './no-uncleared-timer';
import * as noUnclosedResource from './no-unclosed-resource';
import * as noUnconsumedBody from './no-unconsumed-body';

export const rules = [
  noListenerLeak,
  noPerRequestBackgroundWork,
  noUnboundedCache,
  noUnclearedTimer,
  noUnclosedResource,
  noUnconsumedBody,
] as const satisfies readonly RuleModule[];

export type RuleId = (typeof rules)[number]['meta']['id'];

/** Every rule id, in registry order. */
export const allRuleIds: readonly RuleId[] = rules.map((r) => r.meta.id);
