/**
 * Custom LSP messages between the extension (languageClient.ts) and the language server (src/server).
 * Method names and plain-data shapes only: both sides import this file, so it must not import
 * `vscode` or the LSP libraries.
 */
import type { Hotspot } from '../core/report';
import type { WireError } from '../shared/errors';

/**
 * Notification client → server: the hotspots of the current watch. Findings whose file matches a
 * hotspot and whose line is within {@link RUNTIME_EVIDENCE_LINE_TOLERANCE} lines of it are shown as
 * confirmed (message suffix, Error severity). An empty list clears all evidence.
 */
export const RuntimeEvidenceNotification = 'leakLens/runtimeEvidence';

export interface RuntimeEvidenceParams {
  hotspots: Hotspot[];
}

/** How many lines a hotspot may be away from a finding's start line and still confirm it. */
export const RUNTIME_EVIDENCE_LINE_TOLERANCE = 2;

/**
 * Request client → server: lint every lintable file of the workspace folders and publish their
 * diagnostics. Reports LSP work-done progress on `workDoneToken` when given, otherwise on a
 * server-created progress when the client supports it.
 */
export const ScanWorkspaceRequest = 'leakLens/scanWorkspace';

export interface ScanWorkspaceParams {
  /** An LSP progress token (`ProgressToken`) the client created for this scan. */
  workDoneToken?: number | string;
}

export type ScanWorkspaceResult = { ok: { files: number; findings: number } } | { error: WireError };

/** The `source` of every diagnostic the server publishes. */
export const DIAGNOSTIC_SOURCE = 'leak-lens';

/** The VS Code settings section the server reads (`leakLens.lint.*`). */
export const SETTINGS_SECTION = 'leakLens.lint';

/**
 * `leakLens.lint.*` settings as the server receives them through `workspace/configuration`. Every
 * field is optional: a missing one leaves the config file's value (or the default) in place.
 */
export interface LintSettings {
  enable?: boolean;
  rules?: Record<string, 'error' | 'warning' | 'info' | 'off'>;
  ignore?: string[];
  resources?: Array<{ module?: string; name: string; kind: 'resource' | 'background'; close?: string[] }>;
}

/** `initializationOptions` the server understands. Tests and benchmarks use them; the extension sends none. */
export interface ServerInitializationOptions {
  /** Delay between the last change of a document and its re-lint. Default {@link DEFAULT_DEBOUNCE_MS}. */
  debounceMs?: number;
  /** Skip loading the workspace's files in the background (tests that want a quiet server). */
  indexWorkspace?: boolean;
}

export const DEFAULT_DEBOUNCE_MS = 200;
