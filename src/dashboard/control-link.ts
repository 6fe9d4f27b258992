/**
 * A minimal client of the control socket (newline-delimited JSON, src/control/protocol.ts): one
 * connection, requests matched to replies by id, events handed to a listener. The dashboard keeps
 * its own until the shared client in src/control/ lands.
 */
import net from 'node:net';
import { StickyError } from '../errors';
import { CONTROL_PROTOCOL_VERSION, type ControlEvent, type ControlMethod, type ControlReply } from '../control/protocol';

/** A reply longer than this without a newline is a broken peer, not a big status. */
const MAX_LINE_BYTES = 4 * 1024 * 1024;
export const CONNECT_TIMEOUT_MS = 2_000;

interface Pending {
  resolve: (result: unknown) => void;
  reject: (error: Error) => void;
  onEvent?: (event: ControlEvent) => void;
}

export class ControlLink {
  private nextId = 1;
  private buffer = '';
  private readonly pending = new Map<number, Pending>();
  private closeError: Error | undefined;

  private constructor(
    private readonly socket: net.Socket,
    private readonly onEvent: (event: ControlEvent) => void,
    onClose: (error: Error) => void,
  ) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.receive(chunk));
    socket.on('error', (error) => (this.closeError ??= error));
    socket.on('close', () => {
      const error = this.closeError ?? new StickyError('STICKY_CONTROL', 'the supervisor closed the control socket');
      for (const request of this.pending.values()) request.reject(error);
      this.pending.clear();
      onClose(error);
    });
  }

  /** Connects to `socketPath`; rejects with STICKY_NOT_RUNNING when nothing listens there. */
  static connect(
    socketPath: string,
    onEvent: (event: ControlEvent) => void,
    onClose: (error: Error) => void,
  ): Promise<ControlLink> {
    return new Promise((resolve, reject) => {
      const socket = net.createConnection(socketPath);
      const timer = setTimeout(() => socket.destroy(new Error(`no answer within ${CONNECT_TIMEOUT_MS} ms`)), CONNECT_TIMEOUT_MS);
      const fail = (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        const notRunning = error.code === 'ENOENT' || error.code === 'ECONNREFUSED';
        const reason = notRunning ? 'nothing is listening there' : error.message;
        reject(new StickyError('STICKY_NOT_RUNNING', `cannot reach the control socket ${socketPath}: ${reason}`, { cause: error }));
      };
      socket.once('error', fail);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.off('error', fail);
        resolve(new ControlLink(socket, onEvent, onClose));
      });
    });
  }

  /** Sends a request; `onEvent` receives the events tagged with its id (reload progress). */
  request(method: ControlMethod, onEvent?: (event: ControlEvent) => void): Promise<unknown> {
    if (this.socket.destroyed) return Promise.reject(this.closeError ?? new StickyError('STICKY_CONTROL', 'the control socket is closed'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onEvent });
      this.socket.write(JSON.stringify({ v: CONTROL_PROTOCOL_VERSION, id, method }) + '\n');
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private receive(chunk: string): void {
    this.buffer += chunk;
    let newline: number;
    while ((newline = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, newline);
      this.buffer = this.buffer.slice(newline + 1);
      if (line.trim()) this.dispatch(line);
    }
    if (Buffer.byteLength(this.buffer) > MAX_LINE_BYTES) {
      this.fail(`received a line over ${MAX_LINE_BYTES} bytes`);
    }
  }

  private dispatch(line: string): void {
    let message: (ControlReply & { event?: undefined }) | ControlEvent;
    try {
      message = JSON.parse(line);
    } catch {
      this.fail(`received a line that is not JSON: ${line.slice(0, 80)}`);
      return;
    }
    if (typeof message !== 'object' || message === null || message.v !== CONTROL_PROTOCOL_VERSION) {
      this.fail(`control protocol ${String((message as { v?: unknown })?.v)} received, ${CONTROL_PROTOCOL_VERSION} expected`);
      return;
    }
    if ('event' in message && message.event !== undefined) {
      const owner = message.id === undefined ? undefined : this.pending.get(message.id);
      (owner?.onEvent ?? this.onEvent)(message);
      return;
    }
    const reply = message as ControlReply;
    const request = this.pending.get(reply.id);
    if (!request) return;
    this.pending.delete(reply.id);
    if (reply.ok) request.resolve(reply.result);
    else request.reject(new StickyError(reply.error.code, reply.error.message));
  }

  private fail(message: string): void {
    this.closeError = new StickyError('STICKY_CONTROL', message);
    this.socket.destroy();
  }
}
