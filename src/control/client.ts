/**
 * The CLI's side of the control socket: one connection, newline-delimited JSON requests
 * with ids, replies matched by id, events handed to listeners.
 */
import net from 'node:net';
import { StickyControlError, StickyNotRunningError, StickyRemoteError } from '../errors.js';
import { readLines } from './line-splitter.js';
import { controlSocketPath } from './paths.js';
import { checkControlSocket } from './socket-owner.js';
import {
  CONTROL_PROTOCOL_VERSION, type ControlEvent, type ControlMethod, type ControlReply, type ControlRequest,
} from './protocol.js';

export const CONNECT_TIMEOUT_MS = 2_000;
export const REQUEST_TIMEOUT_MS = 5_000;
/** A status snapshot is a few KiB; anything this long is not our protocol. */
const MAX_LINE_BYTES = 8 * 1024 * 1024;

export interface RequestOptions {
  /** 0 = wait as long as it takes (reload, stop). Default REQUEST_TIMEOUT_MS. */
  timeoutMs?: number;
  /** Events that carry this request's id (reload progress). */
  onEvent?: (event: ControlEvent) => void;
  params?: Record<string, unknown>;
}

interface Pending {
  method: ControlMethod;
  resolve: (result: unknown) => void;
  reject: (error: Error) => void;
  onEvent?: (event: ControlEvent) => void;
  timer?: NodeJS.Timeout;
}

export class ControlClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Set<(event: ControlEvent) => void>();
  private closeError: Error | undefined;
  /** Settles when the connection has closed (the supervisor exited, or close() was called). */
  readonly closed: Promise<void>;

  private constructor(readonly name: string, private readonly socket: net.Socket) {
    readLines(socket, MAX_LINE_BYTES, (line) => this.onLine(line), () => this.abort(
      new StickyControlError(`the control socket of "${name}" sent a line over ${MAX_LINE_BYTES} bytes`),
    ));
    socket.on('error', (error) => this.fail(new StickyControlError(`control connection to "${name}" failed: ${error.message}`, { cause: error })));
    this.closed = new Promise((resolve) => socket.once('close', () => {
      this.fail(new StickyControlError(`the supervisor of "${name}" closed the control connection`));
      resolve();
    }));
  }

  /**
   * Connects to the instance `name`; StickyNotRunningError when nothing answers there,
   * StickyUntrustedSocketError when the socket or its folder is not this user's own.
   */
  static connect(name: string, socketPath = controlSocketPath(name)): Promise<ControlClient> {
    return new Promise((resolve, reject) => {
      checkControlSocket(name, socketPath);
      const socket = net.createConnection(socketPath);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new StickyControlError(`no answer from the control socket of "${name}" within ${CONNECT_TIMEOUT_MS} ms: ${socketPath}`));
      }, CONNECT_TIMEOUT_MS);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new ControlClient(name, socket));
      });
      socket.once('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(connectError(name, socketPath, error));
      });
    });
  }

  request<T = unknown>(method: ControlMethod, options: RequestOptions = {}): Promise<T> {
    if (this.closeError) return Promise.reject(this.closeError);
    const id = this.nextId++;
    const request: ControlRequest = { v: CONTROL_PROTOCOL_VERSION, id, method, ...(options.params ? { params: options.params } : {}) };
    return new Promise<T>((resolve, reject) => {
      const entry: Pending = { method, resolve: resolve as (result: unknown) => void, reject, onEvent: options.onEvent };
      const timeoutMs = options.timeoutMs ?? REQUEST_TIMEOUT_MS;
      if (timeoutMs > 0) {
        entry.timer = setTimeout(() => {
          this.pending.delete(id);
          reject(new StickyControlError(`the supervisor of "${this.name}" did not answer "${method}" within ${timeoutMs} ms`));
        }, timeoutMs);
      }
      this.pending.set(id, entry);
      this.socket.write(`${JSON.stringify(request)}\n`);
    });
  }

  /** Listens to events not tied to a request (status pushes, logs); returns the unsubscribe. */
  onEvent(listener: (event: ControlEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): Promise<void> {
    this.socket.end();
    return this.closed;
  }

  private onLine(line: string): void {
    let message: (Partial<ControlReply> & Partial<ControlEvent>) | null;
    try {
      message = JSON.parse(line) as typeof message;
    } catch {
      this.abort(new StickyControlError(`the control socket of "${this.name}" sent something that is not JSON: ${line.slice(0, 80)}`));
      return;
    }
    if (typeof message !== 'object' || message === null) {
      this.abort(new StickyControlError(`the control socket of "${this.name}" sent ${line.slice(0, 80)}`));
      return;
    }
    if (message.v !== CONTROL_PROTOCOL_VERSION) {
      this.abort(new StickyControlError(
        `the supervisor of "${this.name}" speaks control protocol v${String(message.v)}, this sticky v${CONTROL_PROTOCOL_VERSION}; `
        + 'use the sticky that started it',
      ));
      return;
    }
    if (typeof message.event === 'string') {
      this.onControlEvent(message as ControlEvent);
    } else if (typeof message.id === 'number') {
      this.onReply(message as ControlReply);
    }
  }

  private onControlEvent(event: ControlEvent): void {
    const owner = event.id === undefined ? undefined : this.pending.get(event.id);
    if (owner?.onEvent) {
      owner.onEvent(event);
      return;
    }
    for (const listener of this.listeners) listener(event);
  }

  private onReply(reply: ControlReply): void {
    const entry = this.pending.get(reply.id);
    if (!entry) return;
    this.pending.delete(reply.id);
    clearTimeout(entry.timer);
    if (reply.ok) {
      entry.resolve(reply.result);
    } else {
      const error = reply.error ?? { code: 'STICKY_CONTROL', message: `"${entry.method}" failed without a reason` };
      entry.reject(new StickyRemoteError(error.code, error.message));
    }
  }

  private abort(error: Error): void {
    this.fail(error);
    this.socket.destroy();
  }

  /** Rejects every request in flight; later requests reject at once. */
  private fail(error: Error): void {
    this.closeError ??= error;
    for (const [id, entry] of this.pending) {
      this.pending.delete(id);
      clearTimeout(entry.timer);
      entry.reject(this.closeError);
    }
  }
}

function connectError(name: string, socketPath: string, error: NodeJS.ErrnoException): Error {
  switch (error.code) {
    case 'ENOENT':
      return new StickyNotRunningError(name, socketPath, 'no control socket', { cause: error });
    case 'ECONNREFUSED':
      return new StickyNotRunningError(name, socketPath, 'stale control socket, nothing listens on it', { cause: error });
    case 'EACCES':
      return new StickyControlError(`permission denied on the control socket of "${name}" (started by another user?): ${socketPath}`, { cause: error });
    default:
      return new StickyControlError(`cannot connect to the control socket of "${name}" at ${socketPath}: ${error.message}`, { cause: error });
  }
}
