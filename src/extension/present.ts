/**
 * Turns errors into messages that say what to do next, with buttons. Lower layers throw; this is
 * where the extension presents. Never throws itself.
 */
import * as vscode from 'vscode';
import { AttachError, LeakLensError, toError } from '../shared/errors';
import type { Logger } from '../shared/logger';

/** An action button on an error message. */
export interface ErrorAction {
  title: string;
  run(): unknown;
}

/**
 * Logs and shows an error. `doing` completes "Leak Lens could not …" ("attach to 127.0.0.1:9229").
 * Attach errors carry their hint; every message offers "Show Output". Resolves as soon as the error
 * is logged: the message and its buttons live on without holding up the command that failed.
 */
export async function presentError(log: Logger, output: vscode.OutputChannel, doing: string, error: unknown, actions: ErrorAction[] = []): Promise<void> {
  try {
    const e = toError(error);
    if (e instanceof LeakLensError && e.code === 'CANCELLED') return;
    log.error(`could not ${doing}`, e);
    const all: ErrorAction[] = [...actions];
    if (e instanceof AttachError && /remote/i.test(e.hint)) {
      all.unshift({
        title: 'Open Settings',
        run: () => vscode.commands.executeCommand('workbench.action.openSettings', 'leakLens.watch.allowRemoteAttach'),
      });
    }
    all.push({ title: 'Show Output', run: () => output.show(true) });
    const message = e instanceof AttachError ? e.message : `Leak Lens could not ${doing}: ${e.message}`;
    vscode.window.showErrorMessage(message, ...all.map((a) => a.title)).then(
      (picked) => all.find((a) => a.title === picked)?.run(),
      (shown: unknown) => log.error('showing an error message failed', shown),
    );
  } catch (e) {
    log.error('presenting an error failed', e);
  }
}

/**
 * Runs a command body so that no error escapes to the extension host: everything is caught and
 * presented with {@link presentError}.
 */
export function guarded<A extends unknown[]>(
  log: Logger,
  output: vscode.OutputChannel,
  doing: string,
  body: (...args: A) => Promise<unknown> | unknown,
): (...args: A) => Promise<unknown> {
  return async (...args: A) => {
    try {
      return await body(...args);
    } catch (e) {
      await presentError(log, output, doing, e);
      return undefined;
    }
  };
}
