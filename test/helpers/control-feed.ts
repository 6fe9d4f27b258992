import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CONTROL_PROTOCOL_VERSION, type ControlRequest, type StatusSnapshot } from '../../src/control/protocol';
import { closePeer, startPeer } from './control-peer';

type Reply = { ok: true; result: unknown } | { ok: false; error: { code: string; message: string } };

/**
 * A control-socket server for driving the dashboard in-process: the scripted peer of
 * control-peer.ts keeping a snapshot, subscribers and a reload answer, so a test decides what the
 * dashboard is told and when.
 */
export class ControlFeed {
  readonly dir = mkdtempSync(path.join(tmpdir(), 'sticky-feed-'));
  readonly socketPath: string;
  readonly requests: ControlRequest[] = [];
  snapshot: StatusSnapshot;
  /** Answers a reload; `send` pushes an event tagged with the request's id. */
  onReload: (send: (data: unknown) => void) => Promise<Reply> = async () => ({ ok: true, result: null });
  private server: net.Server | undefined;
  private readonly subscribers = new Set<net.Socket>();

  /** `at`: where to listen, relative to a fresh temp folder (default control.sock). */
  constructor(snapshot: StatusSnapshot, at = 'control.sock') {
    this.snapshot = snapshot;
    this.socketPath = path.join(this.dir, at);
    mkdirSync(path.dirname(this.socketPath), { recursive: true, mode: 0o700 });
  }

  async listen(): Promise<void> {
    this.server = await startPeer(this.socketPath, (request, send, socket) => {
      this.requests.push(request as ControlRequest);
      socket.once('close', () => this.subscribers.delete(socket));
      void this.answer(socket, request as ControlRequest, send);
    });
  }

  /** Pushes a "status" event (the snapshot becomes the one `status` answers with, too). */
  push(snapshot: StatusSnapshot): void {
    this.snapshot = snapshot;
    this.broadcast({ v: CONTROL_PROTOCOL_VERSION, event: 'status', data: snapshot });
  }

  broadcast(message: unknown): void {
    for (const socket of this.subscribers) socket.write(JSON.stringify(message) + '\n');
  }

  /** Writes raw bytes to every subscriber (malformed input tests). */
  writeRaw(text: string): void {
    for (const socket of this.subscribers) socket.write(text);
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  /** Stops listening and drops every connection, as a dying supervisor would. */
  async close(): Promise<void> {
    for (const socket of this.subscribers) socket.destroy();
    this.subscribers.clear();
    if (this.server) await closePeer(this.server);
    this.server = undefined;
  }

  async dispose(): Promise<void> {
    await this.close();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async answer(socket: net.Socket, request: ControlRequest, send: (message: unknown) => void): Promise<void> {
    const reply = (body: Reply) => send({ v: CONTROL_PROTOCOL_VERSION, id: request.id, ...body });
    switch (request.method) {
      case 'status':
        return void reply({ ok: true, result: this.snapshot });
      case 'subscribe':
        this.subscribers.add(socket);
        return void reply({ ok: true, result: null });
      case 'logs':
        // Lines pushed later go to subscribers as "line" events through push().
        return void reply({ ok: true, result: { records: [] } });
      case 'reload': {
        const progress = (data: unknown) => send({ v: CONTROL_PROTOCOL_VERSION, event: 'reload', id: request.id, data });
        return void reply(await this.onReload(progress));
      }
      default:
        return void reply({ ok: false, error: { code: 'STICKY_CONTROL', message: `unknown method ${request.method}` } });
    }
  }
}
