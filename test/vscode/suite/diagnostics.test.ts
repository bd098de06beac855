// Inline diagnostics in a real VS Code: the language server flags a leak in an opened file, and a
// quick fix from its code actions removes it.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { screenshot, waitFor } from './util';

const RULE = 'no-per-request-background-work';

function leakLensDiagnostics(uri: vscode.Uri, rule = RULE): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'leak-lens' && codeOf(d) === rule);
}

function codeOf(d: vscode.Diagnostic): string | undefined {
  return typeof d.code === 'object' ? String(d.code.value) : d.code === undefined ? undefined : String(d.code);
}

suite('diagnostics', () => {
  test('a leak-lens diagnostic appears in an opened file and its quick fix removes it', async () => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the test workspace is open');
    const uri = vscode.Uri.file(path.join(folder.uri.fsPath, 'lint', 'orders.js'));
    const document = await vscode.workspace.openTextDocument(uri);
    const editor = await vscode.window.showTextDocument(document);

    const [diagnostic] = await waitFor(() => {
      const found = leakLensDiagnostics(uri);
      return found.length > 0 ? found : undefined;
    }, 60_000, `a ${RULE} diagnostic in ${uri.fsPath}`);
    const lineText = document.lineAt(diagnostic.range.start.line).text;
    assert.match(lineText, /new http\.Agent/, 'the diagnostic is on the per-request agent');
    assert.equal(codeOf(diagnostic), RULE);
    assert.match(String((diagnostic.code as { target?: vscode.Uri }).target ?? ''), new RegExp(RULE), 'code links to the rule docs');

    // Show the squiggle and the Problems panel, then take the picture.
    editor.selection = new vscode.Selection(diagnostic.range.start, diagnostic.range.start);
    editor.revealRange(diagnostic.range, vscode.TextEditorRevealType.InCenter);
    await vscode.commands.executeCommand('workbench.actions.view.problems');
    await vscode.window.showTextDocument(document, { preserveFocus: false });
    await screenshot('diagnostic');

    // The server answers code actions only for the document version its diagnostics were computed
    // for; the first publish may come from the workspace index, so ask until the open document's lint is in.
    const ours = await waitFor(async () => {
      const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
        'vscode.executeCodeActionProvider',
        uri,
        diagnostic.range,
        vscode.CodeActionKind.QuickFix.value,
      );
      // The command's results do not carry their diagnostics, so ours are told apart by title.
      const found = actions.filter((a) => a.title.includes(RULE) || a.title.startsWith('Hoist '));
      return found.length > 0 ? found : undefined;
    }, 30_000, 'leak-lens code actions for the diagnostic');
    const titles = ours.map((a) => a.title);
    assert.ok(titles.includes(`Disable ${RULE} for this line`), `actions: ${JSON.stringify(titles)}`);
    const fix = ours.find((a) => a.isPreferred && a.edit);
    assert.ok(fix?.edit, `a preferred quick fix among ${JSON.stringify(titles)}`);

    assert.equal(await vscode.workspace.applyEdit(fix.edit), true, `applying "${fix.title}"`);
    await waitFor(() => leakLensDiagnostics(uri).length === 0, 30_000, `the ${RULE} diagnostic to go after "${fix.title}"`);
    await screenshot('diagnostic-fixed');

    // Leave the fixture as it was for other suites.
    await vscode.commands.executeCommand('workbench.action.files.revert');
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });
});
