/**
 * Every rule, by explicit import (the code is bundled, so no directory scanning). One sorted line
 * per rule.
 */
import type { RuleModule } from '../rule';
import * as noListenerLeak from './no-listener-leak';
import * as noPerRequestBackgroundWork from './no-per-request-background-work';
import * as noUnboundedCache from './no-unbounded-cache';
import * as noUnclearedTimer from './no-uncleared-timer';
import * as noUnclosedResource from './no-unclosed-resource';
import * as noUnconsumedBody from './no-unconsumed-body';

export const rules: readonly RuleModule[] = [
  noListenerLeak,
  noPerRequestBackgroundWork,
  noUnboundedCache,
  noUnclearedTimer,
  noUnclosedResource,
  noUnconsumedBody,
];
