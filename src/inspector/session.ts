/**
 * The narrow CDP session every other inspector module uses. This is the only file that imports
 * chrome-remote-interface: everything else depends on {@link InspectorSession}, so tests can script a
 * fake and a different transport could replace this one.
 */
import CDP from 'chrome-remote-interface';
import type { Disposable, Event } from '../shared/disposable';
import { Emitter } from '../shared/disposable';
import { InspectorError, TargetExitedError, TimeoutError, toError } from '../shared/errors';

/** The narrow CDP session. Snapshot capture and probes use only this. */
export interface InspectorSession {
  /** Sends one command; rejects with InspectorError, TimeoutError or TargetExitedError. */
  send<T = unknown>(method: string, params?: object, options?: { timeoutMs?: number }): Promise<T>;
  on(event: string, listener: (params: any) => void): Disposable;
  /** Fires once when the connection closes; the value is the reason when it was not our own close(). */
  readonly onDidClose: Event<Error | undefined>;
  /** The IP address the WebSocket is connected to, when the transport knows it. */
  readonly remoteAddress?: string;
  close(): Promise<void>;
}

/** Commands that have no reply bound of their own get this one. */
export const defaultCommandTimeoutMs = 10_000;

/** Opens a WebSocket CDP session to `wsUrl`. @throws the transport's error (the caller wraps it). */
export async function openSession(wsUrl: string, label: string): Promise<InspectorSession> {
  // `local: true` stops the client from fetching the protocol description over HTTP.
  const client = await CDP({ target: wsUrl, local: true });
  return new CdpSession(client, label);
}

class CdpSession implements InspectorSession {
  private readonly closeEmitter = new Emitter<Error | undefined>();
  readonly onDidClose = this.closeEmitter.event;
  private closed = false;
  private closedByUs = false;
  private readonly pending = new Set<(e: Error) => void>();

  constructor(
    private readonly client: CDP.Client,
    private readonly label: string,
  ) {
    client.on('disconnect', () => this.markClosed(this.closedByUs ? undefined : new TargetExitedError(label)));
  }

  get remoteAddress(): string | undefined {
    // chrome-remote-interface keeps its `ws` WebSocket, whose socket knows the peer it reached.
    const ws = (this.client as unknown as { _ws?: { _socket?: { remoteAddress?: string } } })._ws;
    return ws?._socket?.remoteAddress;
  }

  send<T>(method: string, params?: object, options?: { timeoutMs?: number }): Promise<T> {
    if (this.closed) return Promise.reject(new TargetExitedError(this.label, `connection closed before ${method}`));
    const timeoutMs = options?.timeoutMs ?? defaultCommandTimeoutMs;
    return new Promise<T>((resolve, reject) => {
      const fail = (e: Error) => {
        clearTimeout(timer);
        this.pending.delete(fail);
        reject(e);
      };
      // Client-side bound: `Runtime.evaluate`'s own timeout does not cover awaitPromise waits, and a
      // target blocked in native code answers nothing at all.
      const timer = setTimeout(() => fail(new TimeoutError(method, timeoutMs)), timeoutMs);
      this.pending.add(fail);
      (this.client.send as (m: string, p?: object) => Promise<unknown>)(method, params).then(
        (result) => {
          clearTimeout(timer);
          this.pending.delete(fail);
          resolve(result as T);
        },
        (e: unknown) => fail(this.wrap(method, e)),
      );
    });
  }

  on(event: string, listener: (params: any) => void): Disposable {
    this.client.on(event as 'event', listener as never);
    const emitter = this.client as unknown as NodeJS.EventEmitter;
    return { dispose: () => void emitter.removeListener(event, listener) };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closedByUs = true;
    try {
      await this.client.close();
    } finally {
      this.markClosed(undefined);
    }
  }

  private wrap(method: string, e: unknown): Error {
    const response = (e as { response?: { code?: number; message?: string; data?: string } }).response;
    if (response) {
      return new InspectorError(method, response.code, response.data ? `${response.message} (${response.data})` : String(response.message), { cause: e });
    }
    if (this.closed) return new TargetExitedError(this.label, `connection closed during ${method}`, { cause: e });
    return new InspectorError(method, undefined, toError(e).message, { cause: e });
  }

  private markClosed(reason: Error | undefined): void {
    if (this.closed) return;
    this.closed = true;
    const error = reason ?? new TargetExitedError(this.label, 'connection closed');
    for (const fail of [...this.pending]) fail(error);
    this.closeEmitter.fire(reason);
    this.closeEmitter.dispose();
  }
}

/**
 * Evaluates a self-contained expression in the target with the safety every evaluate needs: `silent`
 * (a user's pause-on-exceptions must not freeze the target), a V8 `timeout` (a runaway loop would
 * otherwise hang the target for good) and a client-side bound (promise waits ignore V8's timeout).
 * `includeCommandLineAPI` gives the expression a working `require` in CJS and ESM targets.
 * @throws InspectorError when the expression throws, with the exception text.
 */
export async function evaluate<T>(
  session: InspectorSession,
  expression: string,
  options: { timeoutMs?: number; awaitPromise?: boolean } = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 2_000;
  const result = await session.send<{
    result: { value?: unknown };
    exceptionDetails?: { text?: string; exception?: { description?: string } };
  }>(
    'Runtime.evaluate',
    {
      expression,
      returnByValue: true,
      silent: true,
      includeCommandLineAPI: true,
      awaitPromise: options.awaitPromise ?? false,
      timeout: timeoutMs,
    },
    { timeoutMs: timeoutMs + 1_000 },
  );
  if (result.exceptionDetails) {
    const d = result.exceptionDetails;
    throw new InspectorError('Runtime.evaluate', undefined, d.exception?.description ?? d.text ?? 'exception');
  }
  return result.result.value as T;
}
