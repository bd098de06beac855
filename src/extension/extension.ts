/**
 * Extension entry point. Wires commands, views and the language client; decides nothing itself:
 * analysis lives in lint/, inspector/ and core/.
 */
import * as vscode from 'vscode';
import { registerSnapshotEditor } from './snapshotEditor';

export function activate(context: vscode.ExtensionContext): void {
  const output = vscode.window.createOutputChannel('Leak Lens');
  context.subscriptions.push(
    output,
    vscode.commands.registerCommand('leakLens.showOutput', () => output.show(true)),
    registerSnapshotEditor(context),
  );
  output.appendLine(`Leak Lens ${context.extension.packageJSON.version as string} activated`);
}

export function deactivate(): void {}
