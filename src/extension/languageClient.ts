/**
 * Starts the Leak Lens language server (dist/server.js, its own process, over IPC) and gives the
 * rest of the extension a narrow handle on it. Never throws into activate(): failures are written
 * to the output channel and the handle degrades to doing nothing.
 */
import * as vscode from 'vscode';
import {
  CloseAction,
  ErrorAction,
  LanguageClient,
  RevealOutputChannelOn,
  State,
  TransportKind,
  type CloseHandlerResult,
  type ErrorHandler,
  type ErrorHandlerResult,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import type { Hotspot } from '../core/report';
import { lintableGlob } from '../lint/languages';
import { fromWireError, LeakLensError, toError } from '../shared/errors';
import type { Disposable } from '../shared/disposable';
import {
  RuntimeEvidenceNotification,
  ScanWorkspaceRequest,
  type RuntimeEvidenceParams,
  type ScanWorkspaceParams,
  type ScanWorkspaceResult,
} from '../protocol/lsp';

/** The extension's handle on the language server. */
export interface LeakLensLanguageClient extends Disposable {
  /** Marks findings near these hotspots as confirmed; an empty list clears. Kept across server restarts. */
  sendRuntimeEvidence(hotspots: Hotspot[]): void;
  /**
   * Lints every lintable file of the workspace and publishes diagnostics for all of them.
   * @throws LeakLensError when the server failed or is not running; CANCELLED when the user cancelled.
   */
  scanWorkspace(): Promise<{ files: number; findings: number }>;
}

/** Restarts allowed within {@link RESTART_WINDOW_MS} before the client gives up. */
const MAX_RESTARTS = 4;
const RESTART_WINDOW_MS = 3 * 60_000;


/**
 * Starts the language client. Resolves once the server is running, or once starting it failed
 * (then the failure is in `output` and the returned handle's calls do nothing or reject).
 */
export async function startLanguageClient(
  context: vscode.ExtensionContext,
  output: vscode.OutputChannel,
): Promise<LeakLensLanguageClient> {
  const log = (message: string) => output.appendLine(`[language server] ${message}`);
  const module = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'javascript' },
      { scheme: 'file', language: 'javascriptreact' },
      { scheme: 'file', language: 'typescript' },
      { scheme: 'file', language: 'typescriptreact' },
      // .mjs/.cjs/.mts/.cts are usually mapped to the languages above, but not always (file associations).
      { scheme: 'file', pattern: lintableGlob },
    ],
    synchronize: { configurationSection: 'leakLens' },
    diagnosticCollectionName: 'leak-lens',
    outputChannel: output,
    revealOutputChannelOn: RevealOutputChannelOn.Never,
    errorHandler: restartingErrorHandler(log),
    initializationFailedHandler: (error: unknown) => {
      log(`initialization failed: ${toError(error).message}`);
      return false;
    },
  };

  const client = new LanguageClient('leakLens', 'Leak Lens', serverOptions, clientOptions);
  let evidence: Hotspot[] = [];
  let disposed = false;

  const sendEvidence = () => {
    if (client.state !== State.Running) return;
    const params: RuntimeEvidenceParams = { hotspots: evidence };
    client.sendNotification(RuntimeEvidenceNotification, params).catch((e: unknown) => log(`sending runtime evidence failed: ${toError(e).message}`));
  };
  // A restarted server starts without evidence; give it the latest again.
  const stateListener = client.onDidChangeState((e) => {
    if (e.newState === State.Running && evidence.length > 0) sendEvidence();
  });

  try {
    await client.start();
    log('started');
  } catch (e) {
    log(`could not start: ${toError(e).stack ?? toError(e).message}`);
  }

  return {
    sendRuntimeEvidence(hotspots) {
      evidence = [...hotspots];
      sendEvidence();
    },
    async scanWorkspace() {
      if (client.state !== State.Running) {
        throw new LeakLensError('IO', 'The Leak Lens language server is not running; see the Leak Lens output.');
      }
      const params: ScanWorkspaceParams = {};
      const result = await client.sendRequest<ScanWorkspaceResult>(ScanWorkspaceRequest, params);
      if ('error' in result) throw fromWireError(result.error);
      return result.ok;
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      stateListener.dispose();
      // Stopping waits for the server to shut down; extension deactivation must not hang on it.
      client.stop(2000).catch((e: unknown) => log(`stopping failed: ${toError(e).message}`));
    },
  } satisfies LeakLensLanguageClient;
}

/** Restarts a crashed server a few times, then stops and says so once. Errors are logged, never thrown. */
function restartingErrorHandler(log: (message: string) => void): ErrorHandler {
  const restarts: number[] = [];
  return {
    error(error, _message, count): ErrorHandlerResult {
      log(`connection error: ${error.message}`);
      return { action: count !== undefined && count <= 3 ? ErrorAction.Continue : ErrorAction.Shutdown, handled: true };
    },
    closed(): CloseHandlerResult {
      const now = Date.now();
      restarts.push(now);
      while (restarts.length > 0 && now - restarts[0] > RESTART_WINDOW_MS) restarts.shift();
      if (restarts.length <= MAX_RESTARTS) {
        log(`the server stopped unexpectedly; restarting (${restarts.length}/${MAX_RESTARTS})`);
        return { action: CloseAction.Restart, handled: true };
      }
      log('the server stopped too often; not restarting. Reload the window to try again.');
      return {
        action: CloseAction.DoNotRestart,
        message: `The Leak Lens language server stopped ${restarts.length} times in ${RESTART_WINDOW_MS / 60_000} minutes and will not be restarted. See the Leak Lens output.`,
      };
    },
  };
}
