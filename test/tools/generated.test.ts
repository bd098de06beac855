// package.json's rule settings and README's rule table are generated from the rules' meta: adding
// a rule is its file, one registry line, its docs page and its tests, and this fails until
// `npm run generate` has been run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generatedFiles } from '../../tools/generated';

test('package.json rule settings, the README rule table and the rule docs match the rules (run `npm run generate`)', () => {
  for (const f of generatedFiles()) assert.equal(f.current, f.expected, `${f.file} is out of date: run \`npm run generate\``);
});
