/**
 * Extension entry point. Wires commands, views and the language client; decides nothing itself:
 * analysis lives in lint/, inspector/ and core/.
 */
import * as vscode from 'vscode';
import { startLanguageClient } from './languageClient';

export function activate(context: vscode.ExtensionContext): void {
  const output = vscode.window.createOutputChannel('Leak Lens');
  context.subscriptions.push(
    output,
    vscode.commands.registerCommand('leakLens.showOutput', () => output.show(true)),
  );
  output.appendLine(`Leak Lens ${context.extension.packageJSON.version as string} activated`);
  startLanguageClient(context, output).then((client) => context.subscriptions.push(client), (e: unknown) => output.appendLine(`Leak Lens language server: ${String(e)}`));
}

export function deactivate(): void {}
