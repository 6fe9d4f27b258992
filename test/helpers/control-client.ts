import { createConnection, type Socket } from 'node:net';
import type { ControlEvent, ControlMethod, ControlReply } from '../../src/control/protocol.js';

/** A bare control-socket client for tests: newline-delimited JSON, replies matched by id. */
export class ControlClient {
  /** Events not tied to a request (status, log), in arrival order. */
  readonly events: ControlEvent[] = [];
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (r: ControlReply) => void; onEvent?: (e: ControlEvent) => void }>();
  private buffered = '';

  private constructor(readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffered += chunk;
      let nl: number;
      while ((nl = this.buffered.indexOf('\n')) !== -1) {
        const line = this.buffered.slice(0, nl);
        this.buffered = this.buffered.slice(nl + 1);
        this.onMessage(JSON.parse(line) as ControlReply | ControlEvent);
      }
    });
    socket.on('error', () => {});
  }

  static connect(path: string): Promise<ControlClient> {
    return new Promise((resolve, reject) => {
      const socket = createConnection(path);
      socket.once('connect', () => resolve(new ControlClient(socket)));
      socket.once('error', reject);
    });
  }

  /** Sends a request; resolves with its reply (ok or not); `onEvent` gets its progress events. */
  request(method: ControlMethod, onEvent?: (e: ControlEvent) => void, params?: Record<string, unknown>): Promise<ControlReply> {
    const id = this.nextId++;
    return this.sendRaw(`${JSON.stringify({ v: 1, id, method, ...(params ? { params } : {}) })}\n`, id, onEvent);
  }

  /** Sends any line (for bad-input tests) and resolves with the reply carrying `id`. */
  sendRaw(line: string, id: number, onEvent?: (e: ControlEvent) => void): Promise<ControlReply> {
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, onEvent });
      this.socket.once('close', () => reject(new Error('control socket closed before the reply')));
      this.socket.write(line);
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private onMessage(msg: ControlReply | ControlEvent): void {
    if ('event' in msg) {
      const w = msg.id === undefined ? undefined : this.waiting.get(msg.id);
      if (w?.onEvent) w.onEvent(msg);
      else this.events.push(msg);
      return;
    }
    const w = this.waiting.get(msg.id);
    if (!w) return;
    this.waiting.delete(msg.id);
    w.resolve(msg);
  }
}
