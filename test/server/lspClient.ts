/**
 * A minimal LSP client over the real protocol for tests and benchmarks: spawns `node dist/server.js
 * --stdio`, speaks JSON-RPC through vscode-jsonrpc, answers the server's requests the way VS Code
 * would, and records what the server publishes and logs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  createMessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type MessageConnection,
} from 'vscode-jsonrpc/node';
import type {
  CodeAction,
  Diagnostic,
  InitializeParams,
  PublishDiagnosticsParams,
  Range,
  TextDocumentContentChangeEvent,
} from 'vscode-languageserver-protocol';

export const repoRoot = path.resolve(__dirname, '..', '..', '..');
export const serverPath = path.join(repoRoot, 'dist', 'server.js');

export interface LogEntry {
  type: number;
  message: string;
}

interface Waiter<T> {
  test(value: T): boolean;
  resolve(value: T): void;
}

export interface StartOptions {
  workspaceFolder?: string;
  /** What `workspace/configuration` answers for `leakLens.lint`. */
  settings?: Record<string, unknown>;
  initializationOptions?: Record<string, unknown>;
  /** Whether the client claims workspace/configuration and the other VS Code capabilities. Default true. */
  vscodeCapabilities?: boolean;
}

export class LspTestClient {
  readonly logs: LogEntry[] = [];
  /** Latest diagnostics per URI. */
  readonly diagnostics = new Map<string, PublishDiagnosticsParams>();
  /** Every publish, with the time it arrived (performance.now()). */
  readonly publishes: Array<{ at: number; params: PublishDiagnosticsParams }> = [];
  settings: Record<string, unknown>;
  private readonly diagnosticWaiters: Array<Waiter<PublishDiagnosticsParams>> = [];
  private readonly versionWaiters: Array<Waiter<{ at: number; params: PublishDiagnosticsParams }>> = [];
  private readonly logWaiters: Array<Waiter<LogEntry>> = [];
  private readonly versions = new Map<string, number>();
  private stderr = '';

  private constructor(
    readonly process: ChildProcess,
    readonly connection: MessageConnection,
    options: StartOptions,
  ) {
    this.settings = options.settings ?? {};
  }

  /** Spawns the server and completes initialize/initialized. Call {@link dispose} in `finally`. */
  static async start(options: StartOptions = {}): Promise<LspTestClient> {
    const child = spawn(process.execPath, [serverPath, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    const client = new LspTestClient(child, connection, options);
    child.stderr!.on('data', (chunk: Buffer) => (client.stderr += chunk.toString()));
    try {
      client.wire();
      connection.listen();
      const vscodeLike = options.vscodeCapabilities !== false;
      const folder = options.workspaceFolder;
      const params: InitializeParams = {
        processId: process.pid,
        rootUri: folder ? pathToFileURL(folder).toString() : null,
        workspaceFolders: folder ? [{ uri: pathToFileURL(folder).toString(), name: path.basename(folder) }] : null,
        initializationOptions: { indexWorkspace: false, debounceMs: 0, ...options.initializationOptions },
        capabilities: vscodeLike
          ? {
              workspace: {
                configuration: true,
                didChangeConfiguration: { dynamicRegistration: true },
                didChangeWatchedFiles: { dynamicRegistration: true },
                workspaceEdit: { documentChanges: true },
                workspaceFolders: true,
              },
              window: { workDoneProgress: true },
              textDocument: {
                publishDiagnostics: { relatedInformation: true, versionSupport: true, codeDescriptionSupport: true, dataSupport: true },
                codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix'] } }, isPreferredSupport: true },
              },
            }
          : {},
      };
      await withTimeout(connection.sendRequest('initialize', params), 10_000, 'initialize');
      await connection.sendNotification('initialized', {});
      return client;
    } catch (e) {
      client.dispose();
      throw new Error(`could not start the server: ${String(e)}\n${client.stderr}`, { cause: e });
    }
  }

  private wire(): void {
    const c = this.connection;
    c.onNotification('textDocument/publishDiagnostics', (params: PublishDiagnosticsParams) => {
      this.diagnostics.set(params.uri, params);
      const publish = { at: performance.now(), params };
      this.publishes.push(publish);
      this.settle(this.diagnosticWaiters, params);
      this.settle(this.versionWaiters, publish);
    });
    c.onNotification('window/logMessage', (entry: LogEntry) => {
      this.logs.push(entry);
      this.settle(this.logWaiters, entry);
    });
    c.onRequest('workspace/configuration', (params: { items: Array<{ section?: string }> }) =>
      params.items.map((item) => (item.section === 'leakLens.lint' ? this.settings : null)),
    );
    c.onRequest('client/registerCapability', () => null);
    c.onRequest('client/unregisterCapability', () => null);
    c.onRequest('window/workDoneProgress/create', () => null);
    c.onNotification('$/progress', () => undefined);
  }

  private settle<T>(waiters: Array<Waiter<T>>, value: T): void {
    for (const waiter of [...waiters]) {
      if (waiter.test(value)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(value);
      }
    }
  }

  /** Resolves with the first publish for `uri` (already received or future) that passes `test`. */
  waitForDiagnostics(
    uri: string,
    test: (diagnostics: Diagnostic[]) => boolean = () => true,
    options: { timeoutMs?: number; includeCurrent?: boolean } = {},
  ): Promise<Diagnostic[]> {
    const current = this.diagnostics.get(uri);
    if (options.includeCurrent !== false && current && test(current.diagnostics)) return Promise.resolve(current.diagnostics);
    return withTimeout(
      new Promise<Diagnostic[]>((resolve) =>
        this.diagnosticWaiters.push({ test: (p) => p.uri === uri && test(p.diagnostics), resolve: (p) => resolve(p.diagnostics) }),
      ),
      options.timeoutMs ?? 10_000,
      `diagnostics for ${uri}`,
    );
  }

  /** The publish for `uri` computed for document `version`, with the time it arrived (performance.now()). */
  waitForVersion(uri: string, version: number, timeoutMs = 10_000): Promise<{ at: number; params: PublishDiagnosticsParams }> {
    const seen = this.publishes.find((p) => p.params.uri === uri && p.params.version === version);
    if (seen) return Promise.resolve(seen);
    return withTimeout(
      new Promise((resolve) => this.versionWaiters.push({ test: (p) => p.params.uri === uri && p.params.version === version, resolve })),
      timeoutMs,
      `diagnostics for ${uri} version ${version}`,
    );
  }

  /** The next publish for `uri`, whatever it says. */
  nextDiagnostics(uri: string, timeoutMs = 10_000): Promise<Diagnostic[]> {
    return this.waitForDiagnostics(uri, () => true, { timeoutMs, includeCurrent: false });
  }

  waitForLog(test: (entry: LogEntry) => boolean, timeoutMs = 10_000): Promise<LogEntry> {
    const seen = this.logs.find(test);
    if (seen) return Promise.resolve(seen);
    return withTimeout(new Promise<LogEntry>((resolve) => this.logWaiters.push({ test, resolve })), timeoutMs, 'log message');
  }

  open(file: string, text: string, languageId = 'javascript'): string {
    const uri = pathToFileURL(file).toString();
    this.versions.set(uri, 1);
    void this.connection
      .sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text } })
      .catch((e: unknown) => console.error(e));
    return uri;
  }

  /** Sends incremental (or full, without range) changes and returns the new version. */
  change(uri: string, changes: TextDocumentContentChangeEvent[]): number {
    const version = (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, version);
    void this.connection
      .sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: changes })
      .catch((e: unknown) => console.error(e));
    return version;
  }

  close(uri: string): void {
    void this.connection.sendNotification('textDocument/didClose', { textDocument: { uri } }).catch((e: unknown) => console.error(e));
  }

  codeActions(uri: string, range: Range, diagnostics: Diagnostic[]): Promise<CodeAction[]> {
    return withTimeout(
      this.connection.sendRequest<CodeAction[]>('textDocument/codeAction', {
        textDocument: { uri },
        range,
        context: { diagnostics, only: ['quickfix'] },
      }),
      10_000,
      'codeAction',
    );
  }

  request<R>(method: string, params: unknown, timeoutMs = 30_000): Promise<R> {
    return withTimeout(this.connection.sendRequest<R>(method, params), timeoutMs, method);
  }

  notify(method: string, params: unknown): void {
    void this.connection.sendNotification(method, params).catch((e: unknown) => console.error(e));
  }

  /** Ends the session politely and returns the exit code; makes sure the process is gone either way. */
  async shutdown(): Promise<number | null> {
    try {
      const exited = new Promise<number | null>((resolve) => {
        if (this.process.exitCode !== null) resolve(this.process.exitCode);
        else this.process.once('exit', (code) => resolve(code));
      });
      await withTimeout(this.connection.sendRequest('shutdown'), 5_000, 'shutdown');
      await this.connection.sendNotification('exit');
      return await withTimeout(exited, 5_000, 'the server to exit');
    } finally {
      this.dispose();
    }
  }

  dispose(): void {
    this.connection.dispose();
    if (this.process.exitCode === null && this.process.signalCode === null) this.process.kill();
  }

  get serverStderr(): string {
    return this.stderr;
  }
}

/** Applies LSP text edits (0-based, UTF-16) to a text, last edit first so earlier offsets stay valid. */
export function applyEdits(text: string, edits: Array<{ range: Range; newText: string }>): string {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const offset = (p: { line: number; character: number }) =>
    p.line >= lineStarts.length ? text.length : Math.min(lineStarts[p.line] + p.character, text.length);
  const sorted = [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start));
  let result = text;
  for (const edit of sorted) {
    result = result.slice(0, offset(edit.range.start)) + edit.newText + result.slice(offset(edit.range.end));
  }
  return result;
}

/** The edits of a code action for `uri`, from either `documentChanges` or `changes`. */
export function editsOf(action: CodeAction, uri: string): Array<{ range: Range; newText: string }> {
  const edit = action.edit;
  if (!edit) return [];
  const fromDocumentChanges = (edit.documentChanges ?? []).flatMap((change) =>
    'textDocument' in change && change.textDocument.uri === uri ? change.edits : [],
  );
  return [...fromDocumentChanges, ...(edit.changes?.[uri] ?? [])] as Array<{ range: Range; newText: string }>;
}

export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
