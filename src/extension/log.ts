/**
 * The "Leak Lens" output channel. Lines look like `[14:32:05.123] info  attached …` so the
 * `leak-lens-output` grammar (syntaxes/leak-lens-output.tmLanguage.json) can colour timestamps,
 * levels, sizes, rates, verdicts and file:line references.
 */
import * as vscode from 'vscode';
import type { Logger } from '../shared/logger';
import { toError } from '../shared/errors';

/** The language id of the output channel; the grammar is registered for it in package.json. */
export const OUTPUT_LANGUAGE_ID = 'leak-lens-output';

function timestamp(date = new Date()): string {
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

/** A Logger that writes to the output channel; debug lines only when `leakLens.ui.verboseOutput` is on. */
export class OutputLog implements Logger, vscode.Disposable {
  readonly channel: vscode.OutputChannel;

  constructor(name = 'Leak Lens') {
    this.channel = vscode.window.createOutputChannel(name, OUTPUT_LANGUAGE_ID);
  }

  private write(level: string, message: string): void {
    this.channel.appendLine(`[${timestamp()}] ${level.padEnd(5)} ${message}`);
  }

  debug(message: string): void {
    if (vscode.workspace.getConfiguration('leakLens.ui').get<boolean>('verboseOutput', false)) this.write('debug', message);
  }

  info(message: string): void {
    this.write('info', message);
  }

  warn(message: string): void {
    this.write('warn', message);
  }

  error(message: string, error?: unknown): void {
    this.write('error', error === undefined ? message : `${message}: ${toError(error).message}`);
    const stack = error instanceof Error ? error.stack?.split('\n').slice(1, 6).join('\n') : undefined;
    if (stack && vscode.workspace.getConfiguration('leakLens.ui').get<boolean>('verboseOutput', false)) this.channel.appendLine(stack);
  }

  dispose(): void {
    this.channel.dispose();
  }
}
