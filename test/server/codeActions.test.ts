// Code actions without a server: the translation of fixes and the suppression comment's placement.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Finding } from '../../src/lint/types';
import { codeActionsFor, disableNextLineEdit } from '../../src/server/codeActions';
import { findingToDiagnostic } from '../../src/server/diagnostics';

const docsUrl = (id: string) => `https://example.test/rules/${id}.md`;

function finding(overrides: Partial<Finding> = {}): Finding {
  return {
    ruleId: 'no-uncleared-timer',
    messageId: 'neverCleared',
    message: 'interval never cleared',
    severity: 'warning',
    file: '/w/a.js',
    range: { start: { line: 2, column: 3 }, end: { line: 2, column: 14 } },
    related: [],
    fixes: [],
    ...overrides,
  };
}

test('the suppression comment goes above the line with its indentation, and keeps CRLF files CRLF', () => {
  const doc = TextDocument.create('file:///w/a.js', 'javascript', 1, 'function f() {\r\n\t\tsetInterval(g, 1);\r\n}\r\n');
  const edit = disableNextLineEdit(doc, 1, 'no-uncleared-timer');
  assert.deepEqual(edit, {
    range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } },
    newText: '\t\t// leak-lens-disable-next-line no-uncleared-timer\r\n',
  });
});

test('a second rule is appended to an existing suppression comment, not stacked', () => {
  const text = 'x();\n  // leak-lens-disable-next-line no-listener-leak\n  setInterval(g, 1);\n';
  const doc = TextDocument.create('file:///w/a.js', 'javascript', 1, text);
  const edit = disableNextLineEdit(doc, 2, 'no-uncleared-timer');
  assert.equal(TextDocument.applyEdits(doc, [edit]), 'x();\n  // leak-lens-disable-next-line no-listener-leak, no-uncleared-timer\n  setInterval(g, 1);\n');
  const again = disableNextLineEdit(doc, 2, 'no-listener-leak');
  assert.equal(TextDocument.applyEdits(doc, [again]), text, 'already suppressed: unchanged');
});

test('fixes become versioned quick fixes, the first preferred; disable and docs follow once per rule', () => {
  const doc = TextDocument.create('file:///w/a.js', 'javascript', 7, 'a\n  setInterval(g, 1);\n');
  const f = finding({
    fixes: [
      { title: 'Clear it', edits: [{ range: { start: { line: 2, column: 3 }, end: { line: 2, column: 3 } }, newText: 'const t = ' }] },
      { title: 'Unref it', edits: [{ range: { start: { line: 2, column: 20 }, end: { line: 2, column: 20 } }, newText: '.unref()' }] },
    ],
  });
  const diagnostic = findingToDiagnostic(f, { index: 0, version: 7, docsUrl });
  const actions = codeActionsFor({ document: doc, published: [{ finding: f, diagnostic }], diagnostics: [diagnostic, diagnostic], documentChanges: true, docsUrl });
  assert.deepEqual(actions.map((a) => [a.title, a.isPreferred ?? false]), [
    ['Clear it', true],
    ['Unref it', false],
    ['Clear it', true],
    ['Unref it', false],
    ['Disable no-uncleared-timer for this line', false],
    ['Show documentation for no-uncleared-timer', false],
  ]);
  assert.deepEqual(actions[0].edit, {
    documentChanges: [
      { textDocument: { uri: 'file:///w/a.js', version: 7 }, edits: [{ range: { start: { line: 1, character: 2 }, end: { line: 1, character: 2 } }, newText: 'const t = ' }] },
    ],
  });
  assert.deepEqual(actions[5].command, { title: 'Show documentation for no-uncleared-timer', command: 'vscode.open', arguments: [docsUrl('no-uncleared-timer')] });

  const plain = codeActionsFor({ document: doc, published: [{ finding: f, diagnostic }], diagnostics: [diagnostic], documentChanges: false, docsUrl });
  assert.ok(plain[0].edit?.changes?.['file:///w/a.js'], 'falls back to `changes` without documentChanges support');
  assert.deepEqual(codeActionsFor({ document: doc, published: [{ finding: f, diagnostic }], diagnostics: [diagnostic], only: ['source.fixAll'], documentChanges: true, docsUrl }), []);
});

test('a diagnostic that matches no published finding (stale range) gets no actions', () => {
  const doc = TextDocument.create('file:///w/a.js', 'javascript', 2, 'a\n  setInterval(g, 1);\n');
  const f = finding();
  const diagnostic = findingToDiagnostic(f, { index: 0, version: 2, docsUrl });
  const moved = { ...diagnostic, range: { ...diagnostic.range, start: { line: 0, character: 0 } } };
  assert.deepEqual(codeActionsFor({ document: doc, published: [{ finding: f, diagnostic }], diagnostics: [moved], documentChanges: true, docsUrl }), []);
});
