// The extension loads in a real VS Code and its commands run end to end. This file sorts first, so it
// runs before any other suite activates the extension: the activation test sees a cold extension.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { screenshot, waitFor } from './util';

const extensionId = 'leak-lens.leak-lens';

suite('extension', () => {
  test('activates when a JavaScript file is opened', async () => {
    const extension = vscode.extensions.getExtension(extensionId);
    assert.ok(extension, `${extensionId} is not installed in the test host`);
    const [folder] = vscode.workspace.workspaceFolders ?? [];
    assert.ok(folder, 'the fixture workspace is not open');
    // Opening the file fires onLanguage:javascript; nothing here calls activate() itself. Without the
    // precondition this test would pass whenever anything else had activated the extension first.
    assert.equal(extension.isActive, false, 'the extension was active before any JavaScript file was opened');
    await vscode.window.showTextDocument(vscode.Uri.joinPath(folder.uri, 'server.js'));
    await waitFor(() => extension.isActive, 20_000, `${extensionId} to activate`);
  });

  test('leakLens.showOutput reveals the Leak Lens output channel', async () => {
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes('leakLens.showOutput'), 'leakLens.showOutput is not registered');
    await vscode.commands.executeCommand('leakLens.showOutput');
    // A shown output channel becomes a text document with the `output` scheme; its text is what the
    // user reads in the Output panel.
    const document = await waitFor(
      () => vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'output' && d.getText().includes('Leak Lens')),
      10_000,
      'the Leak Lens output channel to be shown',
    );
    assert.match(document.getText(), /Leak Lens \d+\.\d+\.\d+ activated/);
    await screenshot('extension-output');
  });
});
