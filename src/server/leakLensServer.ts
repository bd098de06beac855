/**
 * The language server's behaviour on top of an LSP connection: documents in, diagnostics and code
 * actions out. It translates between LSP and src/lint; what is a leak is decided there.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CodeActionKind,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  FileChangeType,
  TextDocumentSyncKind,
  TextDocuments,
  WatchKind,
  type CancellationToken,
  type CodeAction,
  type CodeActionParams,
  type Connection,
  type DidChangeWatchedFilesParams,
  type InitializeParams,
  type InitializeResult,
  type WorkDoneProgressReporter,
  type WorkspaceFolder,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { discoverFiles, Linter, lintableGlob, ruleDocsUrl, type Finding, type LintResult } from '../lint';
import { CancelledError, toError, toWireError } from '../shared/errors';
import type { Logger } from '../shared/logger';
import {
  DEFAULT_DEBOUNCE_MS,
  DIAGNOSTIC_SOURCE,
  RuntimeEvidenceNotification,
  SETTINGS_SECTION,
  ScanWorkspaceRequest,
  type LintSettings,
  type RuntimeEvidenceParams,
  type ScanWorkspaceParams,
  type ScanWorkspaceResult,
  type ServerInitializationOptions,
} from '../protocol/lsp';
import { codeActionsFor, type PublishedFinding } from './codeActions';
import { resolveFolderConfig, toLintSettings, type FolderConfig } from './config';
import { fileUri, findingToDiagnostic } from './diagnostics';
import { fileKey, RuntimeEvidence } from './evidence';

/** Extensions the linter understands; everything else is left alone. */
const LINTABLE = /\.(?:[cm]?[jt]s|[jt]sx)$/i;
const CONFIG_FILES = new Set(['.leaklensrc.json', 'package.json']);
/** Files larger than this are generated or minified; indexing them costs memory for no finding. */
const MAX_INDEXED_FILE_BYTES = 1024 * 1024;
const MAX_INDEXED_FILES = 20_000;
/** How many files to read or lint between yields to the event loop, so edits are not held up. */
const BATCH = 25;

/** A workspace folder (or, for a file outside every folder, its directory) with its own linter. */
interface Folder {
  /** Absolute path. */
  dir: string;
  /** Scope for `workspace/configuration`. */
  scopeUri: string;
  linter: Linter;
  config: FolderConfig;
  /** Resolved once the config has been loaded. */
  ready: Promise<void>;
  /** Bumped whenever the folder is reloaded, so a background index that lost the race stops. */
  generation: number;
  loose: boolean;
}

/** What was last published for a file; code actions and runtime evidence work from it. */
interface Published {
  uri: string;
  file: string;
  /** Document version, or undefined for files read from disk. */
  version: number | undefined;
  findings: Finding[];
  entries: PublishedFinding[];
}

export class LeakLensServer {
  private readonly documents = new TextDocuments(TextDocument);
  private readonly folders = new Map<string, Folder>();
  private readonly published = new Map<string, Published>();
  /** Files the last workspace scan published, by key; they keep diagnostics when closed. */
  private readonly scanned = new Set<string>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Open documents' URIs by file key: clients spell URIs their own way, paths compare reliably. */
  private readonly openFiles = new Map<string, string>();
  private readonly evidence = new RuntimeEvidence();
  private readonly log: Logger;
  private debounceMs = DEFAULT_DEBOUNCE_MS;
  private indexWorkspace = true;
  private workspaceFolders: WorkspaceFolder[] = [];
  private capabilities = {
    configuration: false,
    dynamicConfiguration: false,
    dynamicWatchedFiles: false,
    workDoneProgress: false,
    documentChanges: false,
  };
  /** Settings pushed with didChangeConfiguration, for clients without workspace/configuration. */
  private pushedSettings: LintSettings = {};
  private initialized!: Promise<void>;
  private resolveInitialized!: () => void;

  constructor(private readonly connection: Connection) {
    this.log = {
      debug: (m) => connection.console.log(m),
      info: (m) => connection.console.info(m),
      warn: (m) => connection.console.warn(m),
      error: (m, e) => connection.console.error(e === undefined ? m : `${m}: ${describe(e)}`),
    };
    this.initialized = new Promise((resolve) => (this.resolveInitialized = resolve));
    connection.onInitialize((params) => this.onInitialize(params));
    connection.onInitialized(() => this.guard('initialized', () => this.onInitialized()));
    connection.onDidChangeConfiguration((params) =>
      this.guard('configuration change', async () => {
        const section = (params.settings as { leakLens?: { lint?: unknown } } | undefined)?.leakLens?.lint;
        this.pushedSettings = toLintSettings(section);
        await this.reloadFolders();
      }),
    );
    connection.onDidChangeWatchedFiles((params) => this.guard('file change', () => this.onWatchedFiles(params)));
    connection.onCodeAction((params) => this.onCodeAction(params));
    connection.onNotification(RuntimeEvidenceNotification, (params: RuntimeEvidenceParams) =>
      this.guard('runtime evidence', () => this.onRuntimeEvidence(params)),
    );
    connection.onRequest(ScanWorkspaceRequest, (params: ScanWorkspaceParams | undefined, token: CancellationToken) =>
      this.scanWorkspace(params ?? {}, token),
    );
    connection.onShutdown(() => {
      for (const timer of this.timers.values()) clearTimeout(timer);
      this.timers.clear();
    });

    this.documents.onDidOpen((e) => {
      const key = keyOf(e.document.uri);
      if (key) this.openFiles.set(key, e.document.uri);
    });
    this.documents.onDidChangeContent((e) => {
      // The first content of a document (its open) is linted at once; edits wait for a pause in typing.
      const key = keyOf(e.document.uri);
      const linted = key !== undefined && this.published.get(key)?.version !== undefined;
      this.schedule(e.document.uri, linted ? this.debounceMs : 0);
    });
    this.documents.onDidClose((e) => this.guard('close', () => this.onClose(e.document.uri)));
    this.documents.listen(connection);
  }

  private onInitialize(params: InitializeParams): InitializeResult {
    const c = params.capabilities;
    this.capabilities = {
      configuration: c.workspace?.configuration === true,
      dynamicConfiguration: c.workspace?.didChangeConfiguration?.dynamicRegistration === true,
      dynamicWatchedFiles: c.workspace?.didChangeWatchedFiles?.dynamicRegistration === true,
      workDoneProgress: c.window?.workDoneProgress === true,
      documentChanges: c.workspace?.workspaceEdit?.documentChanges === true,
    };
    const options = (params.initializationOptions ?? {}) as ServerInitializationOptions;
    if (typeof options.debounceMs === 'number' && options.debounceMs >= 0) this.debounceMs = options.debounceMs;
    if (options.indexWorkspace === false) this.indexWorkspace = false;
    this.workspaceFolders =
      params.workspaceFolders ?? (params.rootUri ? [{ uri: params.rootUri, name: path.basename(params.rootUri) }] : []);
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: 'leak-lens' },
    };
  }

  private async onInitialized(): Promise<void> {
    if (this.capabilities.dynamicConfiguration) {
      await this.connection.client.register(DidChangeConfigurationNotification.type, { section: 'leakLens' });
    }
    if (this.capabilities.dynamicWatchedFiles) {
      await this.connection.client.register(DidChangeWatchedFilesNotification.type, {
        watchers: [
          { globPattern: lintableGlob, kind: WatchKind.Create | WatchKind.Change | WatchKind.Delete },
          { globPattern: '**/{.leaklensrc.json,package.json}' },
        ],
      });
    }
    this.connection.workspace.onDidChangeWorkspaceFolders((e) =>
      this.guard('workspace folders change', async () => {
        const removed = new Set(e.removed.map((f) => f.uri));
        this.workspaceFolders = [...this.workspaceFolders.filter((f) => !removed.has(f.uri)), ...e.added];
        await this.reloadFolders();
      }),
    );
    for (const folder of this.workspaceFolders) {
      const dir = pathOf(folder.uri);
      if (dir) this.addFolder(dir, folder.uri, false);
    }
    this.resolveInitialized();
    await Promise.all([...this.folders.values()].map((f) => f.ready));
    if (this.indexWorkspace) {
      for (const folder of [...this.folders.values()]) {
        this.indexFolder(folder).catch((e: unknown) => this.log.error(`Indexing ${folder.dir} failed`, e));
      }
    }
  }

  /** Creates a folder and starts loading its config; linting waits on `ready`. */
  private addFolder(dir: string, scopeUri: string, loose: boolean): Folder {
    const folder: Folder = {
      dir,
      scopeUri,
      loose,
      linter: new Linter(),
      config: undefined as unknown as FolderConfig,
      ready: Promise.resolve(),
      generation: 0,
    };
    folder.ready = this.loadFolderConfig(folder);
    this.folders.set(fileKey(dir), folder);
    return folder;
  }

  private async loadFolderConfig(folder: Folder): Promise<void> {
    const settings = await this.settingsFor(folder.scopeUri);
    const resolved = resolveFolderConfig(folder.dir, settings);
    if (resolved.error !== undefined) {
      this.log.error(`Leak Lens config for ${folder.dir} is invalid; using the defaults`, resolved.error);
    } else if (resolved.file) {
      this.log.info(`Leak Lens config for ${folder.dir}: ${resolved.file}`);
    }
    folder.config = resolved;
    folder.linter.setConfig(resolved.config);
  }

  private async settingsFor(scopeUri: string): Promise<LintSettings> {
    if (!this.capabilities.configuration) return this.pushedSettings;
    try {
      return toLintSettings(await this.connection.workspace.getConfiguration({ scopeUri, section: SETTINGS_SECTION }));
    } catch (e) {
      this.log.warn(`Could not read ${SETTINGS_SECTION} settings: ${describe(e)}`);
      return this.pushedSettings;
    }
  }

  /** Settings or a config file changed: reload every folder's config and lint again. */
  private async reloadFolders(): Promise<void> {
    const wanted = new Map<string, string>();
    for (const f of this.workspaceFolders) {
      const dir = pathOf(f.uri);
      if (dir) wanted.set(fileKey(dir), f.uri);
    }
    for (const [key, folder] of this.folders) {
      if (!folder.loose && !wanted.has(key)) {
        folder.generation++;
        this.folders.delete(key);
      }
    }
    const added: Folder[] = [];
    for (const [key, uri] of wanted) {
      const existing = this.folders.get(key);
      if (existing) {
        existing.generation++;
        existing.ready = this.loadFolderConfig(existing);
      } else {
        const dir = pathOf(uri);
        if (dir) added.push(this.addFolder(dir, uri, false));
      }
    }
    for (const folder of this.folders.values()) {
      if (folder.loose) {
        folder.generation++;
        folder.ready = this.loadFolderConfig(folder);
      }
    }
    await Promise.all([...this.folders.values()].map((f) => f.ready));
    if (this.indexWorkspace) {
      for (const folder of added) {
        this.indexFolder(folder).catch((e: unknown) => this.log.error(`Indexing ${folder.dir} failed`, e));
      }
    }
    await this.relintAll();
  }

  /** The folder whose linter owns `file`: the innermost workspace folder, else a loose folder for its directory. */
  private folderFor(file: string): Folder {
    let best: Folder | undefined;
    for (const folder of this.folders.values()) {
      if (folder.loose) continue;
      const relative = path.relative(folder.dir, file);
      if (relative.startsWith('..') || path.isAbsolute(relative)) continue;
      if (!best || folder.dir.length > best.dir.length) best = folder;
    }
    if (best) return best;
    const dir = path.dirname(file);
    return this.folders.get(fileKey(dir)) ?? this.addFolder(dir, fileUri(dir), true);
  }

  /**
   * Reads the folder's files into its linter in the background, so classes defined in files that
   * are not open (a per-request "logic" class whose constructor starts a timer) are known. Open
   * documents keep their editor text.
   */
  private async indexFolder(folder: Folder): Promise<void> {
    const generation = folder.generation;
    const started = Date.now();
    const files = await discoverFiles([folder.dir], { ignore: folder.config.config.ignore });
    let indexed = 0;
    for (let i = 0; i < files.length && indexed < MAX_INDEXED_FILES; i += BATCH) {
      if (folder.generation !== generation) return;
      await Promise.all(
        files.slice(i, i + BATCH).map(async (file) => {
          if (folder.config.isIgnored(file) || this.isOpen(file)) return;
          const text = await readSmallFile(file);
          if (text === undefined || folder.generation !== generation || this.isOpen(file)) return;
          folder.linter.setFile(file, text);
          indexed++;
        }),
      );
      await yieldToEventLoop();
    }
    this.log.info(`Indexed ${indexed} files of ${folder.dir} in ${Date.now() - started} ms`);
    if (files.length > MAX_INDEXED_FILES) {
      this.log.warn(`${folder.dir} has ${files.length} lintable files; indexed the first ${MAX_INDEXED_FILES}`);
    }
    // Cross-file facts may have changed what the open documents report.
    for (const document of this.documents.all()) {
      const file = pathOf(document.uri);
      if (file && this.folderFor(file) === folder) this.schedule(document.uri, 0);
    }
  }

  private isOpen(file: string): boolean {
    return this.openFiles.has(fileKey(file));
  }

  private openDocument(file: string): TextDocument | undefined {
    const uri = this.openFiles.get(fileKey(file));
    return uri === undefined ? undefined : this.documents.get(uri);
  }

  /** Lints `uri` after `delayMs`, replacing any run already waiting for it. */
  private schedule(uri: string, delayMs: number): void {
    const pending = this.timers.get(uri);
    if (pending) clearTimeout(pending);
    this.timers.set(
      uri,
      setTimeout(() => {
        this.timers.delete(uri);
        this.lintDocument(uri).catch((e: unknown) => this.log.error(`Linting ${uri} failed`, e));
      }, delayMs),
    );
  }

  private async lintDocument(uri: string): Promise<void> {
    const document = this.documents.get(uri);
    const file = pathOf(uri);
    if (!document || !file) return;
    const version = document.version;
    await this.initialized;
    const folder = this.folderFor(file);
    await folder.ready;
    // A newer edit arrived while the config loaded: its own scheduled run will publish.
    if (this.documents.get(uri)?.version !== version) return;
    if (!folder.config.enabled || folder.config.isIgnored(file)) {
      this.publish({ uri, file, version, findings: [] });
      return;
    }
    const result = this.lint(folder, file, document.getText());
    this.publish({ uri, file, version, findings: result.findings });
  }

  /** Updates the linter's copy of `file` and lints it; never throws. */
  private lint(folder: Folder, file: string, text: string): LintResult {
    try {
      folder.linter.setFile(file, text);
      const result = folder.linter.lintFile(file);
      if (result.parseError) {
        this.log.warn(`${file} does not parse, no leak-lens diagnostics for it: ${result.parseError}`);
        return { ...result, findings: [] };
      }
      return result;
    } catch (e) {
      this.log.error(`Leak Lens failed on ${file}`, e);
      return { file, findings: [] };
    }
  }

  private publish(entry: { uri: string; file: string; version: number | undefined; findings: Finding[] }): void {
    const entries = entry.findings.map((finding, index) => ({
      finding,
      diagnostic: findingToDiagnostic(finding, {
        index,
        version: entry.version ?? -1,
        docsUrl: ruleDocsUrl,
        confirmedBy: this.evidence.confirming(finding),
      }),
    }));
    this.published.set(fileKey(entry.file), { ...entry, entries });
    this.connection
      .sendDiagnostics({ uri: entry.uri, version: entry.version, diagnostics: entries.map((e) => e.diagnostic) })
      .catch((e: unknown) => this.log.error(`Publishing diagnostics for ${entry.uri} failed`, e));
  }

  private async onClose(uri: string): Promise<void> {
    const pending = this.timers.get(uri);
    if (pending) clearTimeout(pending);
    this.timers.delete(uri);
    const file = pathOf(uri);
    if (!file) return;
    const key = fileKey(file);
    this.openFiles.delete(key);
    this.published.delete(key);
    // The editor's unsaved text must not stay in the linter as the file's content.
    const text = await readSmallFile(file);
    const folder = this.folderFor(file);
    if (text === undefined) folder.linter.deleteFile(file);
    if (text !== undefined && this.scanned.has(key) && folder.config.enabled && !folder.config.isIgnored(file)) {
      this.publish({ uri, file, version: undefined, findings: this.lint(folder, file, text).findings });
    } else {
      if (text !== undefined) folder.linter.setFile(file, text);
      this.connection.sendDiagnostics({ uri, diagnostics: [] }).catch((e: unknown) => this.log.error(`Clearing ${uri} failed`, e));
    }
  }

  private async onWatchedFiles(params: DidChangeWatchedFilesParams): Promise<void> {
    let configChanged = false;
    let sourceChanged = false;
    for (const change of params.changes) {
      const file = pathOf(change.uri);
      if (!file) continue;
      if (CONFIG_FILES.has(path.basename(file))) {
        configChanged = true;
        continue;
      }
      if (!LINTABLE.test(file) || this.isOpen(file)) continue;
      sourceChanged = true;
      const folder = this.folderFor(file);
      const key = fileKey(file);
      if (change.type === FileChangeType.Deleted) {
        folder.linter.deleteFile(file);
        if (this.published.delete(key) || this.scanned.delete(key)) {
          await this.connection.sendDiagnostics({ uri: change.uri, diagnostics: [] });
        }
        continue;
      }
      const text = await readSmallFile(file);
      if (text === undefined) continue;
      if (this.scanned.has(key) && folder.config.enabled && !folder.config.isIgnored(file)) {
        this.publish({ uri: fileUri(file), file, version: undefined, findings: this.lint(folder, file, text).findings });
      } else {
        folder.linter.setFile(file, text);
      }
    }
    if (configChanged) await this.reloadFolders();
    else if (sourceChanged) for (const document of this.documents.all()) this.schedule(document.uri, this.debounceMs);
  }

  /** Lints every open document again and every scanned file from disk (after a config change). */
  private async relintAll(): Promise<void> {
    for (const document of this.documents.all()) this.schedule(document.uri, 0);
    for (const key of this.scanned) {
      const entry = this.published.get(key);
      if (!entry || entry.version !== undefined) continue;
      const folder = this.folderFor(entry.file);
      await folder.ready;
      const text = await readSmallFile(entry.file);
      const findings =
        text === undefined || !folder.config.enabled || folder.config.isIgnored(entry.file)
          ? []
          : this.lint(folder, entry.file, text).findings;
      this.publish({ ...entry, findings });
    }
  }

  private onCodeAction(params: CodeActionParams): CodeAction[] {
    try {
      const document = this.documents.get(params.textDocument.uri);
      const file = pathOf(params.textDocument.uri);
      if (!document || !file) return [];
      const entry = this.published.get(fileKey(file));
      // Edits computed for another version would land in the wrong place.
      if (!entry || entry.version !== document.version) return [];
      const ours = params.context.diagnostics.filter((d) => d.source === DIAGNOSTIC_SOURCE);
      return codeActionsFor({
        document,
        published: entry.entries,
        diagnostics: ours,
        only: params.context.only,
        documentChanges: this.capabilities.documentChanges,
        docsUrl: ruleDocsUrl,
      });
    } catch (e) {
      this.log.error(`Code actions for ${params.textDocument.uri} failed`, e);
      return [];
    }
  }

  private onRuntimeEvidence(params: RuntimeEvidenceParams): void {
    const hotspots = Array.isArray(params?.hotspots) ? params.hotspots : [];
    const before = new Set(this.evidence.files());
    this.evidence.set(hotspots);
    const affected = new Set([...before, ...this.evidence.files()]);
    // Only files whose evidence changed are republished; their findings need no re-lint.
    for (const [key, entry] of this.published) {
      if (affected.has(key)) this.publish(entry);
    }
    this.log.info(
      hotspots.length === 0 ? 'Runtime evidence cleared' : `Runtime evidence: ${hotspots.length} hotspots in ${this.evidence.files().length} files`,
    );
  }

  /** `leakLens/scanWorkspace`: lints every lintable file of every folder and publishes the results. */
  private async scanWorkspace(params: ScanWorkspaceParams, token: CancellationToken): Promise<ScanWorkspaceResult> {
    let progress: WorkDoneProgressReporter | undefined;
    let progressCancel: CancellationToken | undefined;
    try {
      await this.initialized;
      if (params.workDoneToken !== undefined) {
        progress = this.connection.window.attachWorkDoneProgress(params.workDoneToken);
      } else if (this.capabilities.workDoneProgress) {
        const created = await this.connection.window.createWorkDoneProgress();
        progress = created;
        progressCancel = created.token;
      }
      progress?.begin('Leak Lens: scanning workspace', 0, 'finding files', true);
      const folders = [...this.folders.values()].filter((f) => !f.loose);
      await Promise.all(folders.map((f) => f.ready));
      const work: Array<{ folder: Folder; file: string }> = [];
      for (const folder of folders) {
        if (!folder.config.enabled) continue;
        const files = await discoverFiles([folder.dir], { ignore: folder.config.config.ignore });
        for (const file of files) if (!folder.config.isIgnored(file)) work.push({ folder, file });
      }
      let findings = 0;
      let files = 0;
      for (let i = 0; i < work.length; i++) {
        if (token.isCancellationRequested || progressCancel?.isCancellationRequested) throw new CancelledError('Workspace scan');
        const { folder, file } = work[i];
        const uri = fileUri(file);
        const document = this.openDocument(file);
        const text = document?.getText() ?? (await readSmallFile(file));
        if (text === undefined) continue;
        const result = this.lint(folder, file, text);
        this.scanned.add(fileKey(file));
        this.publish({ uri: document?.uri ?? uri, file, version: document?.version, findings: result.findings });
        files++;
        findings += result.findings.length;
        if (i % BATCH === BATCH - 1) {
          progress?.report(Math.round(((i + 1) / work.length) * 100), `${i + 1}/${work.length} files, ${findings} findings`);
          await yieldToEventLoop();
        }
      }
      this.log.info(`Workspace scan: ${files} files, ${findings} findings`);
      return { ok: { files, findings } };
    } catch (e) {
      if (!(e instanceof CancelledError)) this.log.error('Workspace scan failed', e);
      return { error: toWireError(e) };
    } finally {
      progress?.done();
    }
  }

  /** Runs a notification handler so that a failure is logged, never thrown into the connection. */
  private guard(what: string, run: () => void | Promise<void>): void {
    try {
      const result = run();
      if (result) result.catch((e: unknown) => this.log.error(`Leak Lens ${what} failed`, e));
    } catch (e) {
      this.log.error(`Leak Lens ${what} failed`, e);
    }
  }

  /** Starts listening on the connection. */
  listen(): void {
    this.connection.listen();
  }
}

/** The absolute path of a file: URI, or undefined for other schemes (untitled, git, ...). */
function pathOf(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

function keyOf(uri: string): string | undefined {
  const file = pathOf(uri);
  return file ? fileKey(file) : undefined;
}

/** Reads a file for linting; undefined when it is gone, unreadable or too big to be hand-written. */
async function readSmallFile(file: string): Promise<string | undefined> {
  try {
    const stat = await fs.stat(file);
    if (!stat.isFile() || stat.size > MAX_INDEXED_FILE_BYTES) return undefined;
    return await fs.readFile(file, 'utf8');
  } catch {
    // Deleted between discovery and reading, or unreadable: nothing to lint, and not worth a log line.
    return undefined;
  }
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function describe(e: unknown): string {
  const error = toError(e);
  return error.stack ?? error.message;
}
