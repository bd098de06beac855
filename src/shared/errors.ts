/**
 * Every error Leak Lens throws is a {@link LeakLensError} with a stable `code` and the object it is
 * about, so adapters (extension, server, cli) can present it and suggest the next step.
 */
export type ErrorCode =
  | 'USAGE'
  | 'IO'
  | 'CONFIG'
  | 'PARSE'
  | 'ATTACH'
  | 'INSPECTOR'
  | 'TARGET_EXITED'
  | 'TIMEOUT'
  | 'SNAPSHOT_PARSE'
  | 'SNAPSHOT_COMPARE'
  | 'CANCELLED';

export class LeakLensError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Wrong command-line or command arguments. The message says what was expected. */
export class UsageError extends LeakLensError {
  constructor(message: string) {
    super('USAGE', message);
  }
}

/** A configuration file that cannot be read or does not validate. */
export class ConfigError extends LeakLensError {
  constructor(
    readonly file: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('CONFIG', `${file}: ${message}`, options);
  }
}

/**
 * Could not attach to a target. `target` is what we tried (host:port, ws URL or pid) and `hint`
 * the next thing the user can try.
 */
export class AttachError extends LeakLensError {
  constructor(
    readonly target: string,
    message: string,
    readonly hint: string,
    options?: { cause?: unknown },
  ) {
    super('ATTACH', `Cannot attach to ${target}: ${message}. ${hint}`, options);
  }
}

/** A CDP command failed: "CDP error -32000 calling HeapProfiler.takeHeapSnapshot: …". */
export class InspectorError extends LeakLensError {
  constructor(
    readonly method: string,
    readonly cdpCode: number | undefined,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super('INSPECTOR', `CDP error ${cdpCode ?? '?'} calling ${method}: ${detail}`, options);
  }
}

/** The target process exited or the connection dropped while we were working with it. */
export class TargetExitedError extends LeakLensError {
  constructor(
    readonly target: string,
    message = 'the target process exited or closed the connection',
    options?: { cause?: unknown },
  ) {
    super('TARGET_EXITED', `${target}: ${message}`, options);
  }
}

/** An operation took longer than its bound. */
export class TimeoutError extends LeakLensError {
  constructor(
    readonly operation: string,
    readonly timeoutMs: number,
  ) {
    super('TIMEOUT', `${operation} did not finish within ${timeoutMs} ms`);
  }
}

/** A heap snapshot that is truncated or malformed; `offset` is the byte where parsing stopped. */
export class SnapshotParseError extends LeakLensError {
  constructor(
    readonly file: string,
    readonly offset: number,
    readonly field: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('SNAPSHOT_PARSE', `${file}: ${message} (at byte ${offset}, in ${field})`, options);
  }
}

/** Snapshots that cannot be compared (other processes, wrong order); `hint` says what to do instead. */
export class SnapshotCompareError extends LeakLensError {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super('SNAPSHOT_COMPARE', `${message}. ${hint}`);
  }
}

/** The user cancelled. Adapters show nothing for it. */
export class CancelledError extends LeakLensError {
  constructor(operation: string) {
    super('CANCELLED', `${operation} was cancelled`);
  }
}

/** Any thrown value as an Error, so `catch (e)` code never has to handle strings. */
export function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

/** A plain-data error for crossing LSP, worker and webview boundaries; see {@link fromWireError}. */
export interface WireError {
  name: string;
  code?: string;
  message: string;
}

export function toWireError(value: unknown): WireError {
  const e = toError(value);
  return { name: e.name, code: (e as Partial<LeakLensError>).code, message: e.message };
}

export function fromWireError(wire: WireError): Error {
  const e = wire.code ? new LeakLensError(wire.code as ErrorCode, wire.message) : new Error(wire.message);
  e.name = wire.name;
  return e;
}
