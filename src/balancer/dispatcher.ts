import { Socket } from 'node:net';
import { Rendezvous } from '../routing/hash.js';
import type { Connection } from '../ipc/handoff.js';
import { STICKY_CMD, type ConnMessage } from '../ipc/messages.js';
import type { ConnectionRouter, Target } from './connection-router.js';
import { noop } from '../util/noop.js';

/** What the primary learned before routing, carried to the worker with the handle. */
export interface HandoffExtras {
  data?: Buffer;
  remote?: ConnMessage['remote'];
  key?: string;
}

/**
 * Connections routed to one target: at most MAX_IN_FLIGHT sent and not yet acknowledged, the
 * rest queued here. child_process sends one handle at a time anyway and re-queues every
 * waiting handle on each NODE_HANDLE_ACK (O(queue) per connection); holding them here, as
 * round_robin_handle.js does, keeps that cost flat under load.
 */
interface Lane {
  inFlight: number;
  queue: Pending[];
}

const MAX_IN_FLIGHT = 1;

interface Pending {
  id: number;
  socket: Connection;
  keyHash: number;
  extras: HandoffExtras | undefined;
  target: Target | null;
  /** Targets that refused this connection or failed to receive it. */
  excluded: Set<Target> | null;
}

export interface DispatcherOptions {
  slotCount: number;
  seed: number;
  /** Connections accepted but not yet adopted by a worker; beyond it new ones are closed. */
  maxPending: number;
  onReject?: (reason: string) => void;
}

/**
 * Routes accepted connections to slot targets and keeps the primary's copy of each handle
 * until the worker acknowledges it: a worker that dies or refuses before its ack gets the
 * connection re-routed to the key's next slot, so nothing accepted is dropped.
 */
export class Dispatcher implements ConnectionRouter {
  private readonly hash: Rendezvous;
  private readonly targets: (Target | undefined)[];
  private readonly pending = new Map<number, Pending>();
  private readonly lanes = new Map<Target, Lane>();
  private waiting: Pending[] = [];
  /** Slots whose first worker is still booting: their keys wait instead of falling over. */
  private readonly booting: boolean[];
  private nextId = 1;
  rejected = 0;

  /** Made once: a closure per connection was measurable in the primary's CPU per connection. */
  private readonly isUpOrBooting = (i: number): boolean => this.targets[i] !== undefined || this.booting[i]!;

  constructor(private readonly options: DispatcherOptions) {
    this.hash = new Rendezvous(options.slotCount, options.seed);
    this.targets = new Array(options.slotCount).fill(undefined);
    this.booting = new Array(options.slotCount).fill(false);
  }

  /**
   * Until `slot` first comes up (or `stopBooting` is called), connections whose key maps to
   * it wait for it rather than go to another slot, so stickiness holds from the first request.
   */
  markBooting(slot: number): void {
    this.booting[slot] = true;
  }

  stopBooting(slot: number): void {
    if (!this.booting[slot]) return;
    this.booting[slot] = false;
    this.flushWaiting();
  }

  get pendingCount(): number {
    return this.pending.size + this.waiting.length;
  }

  /** Makes `target` the one taking its slot's connections; waiting connections go out now. */
  setTarget(target: Target): void {
    this.targets[target.slot] = target;
    this.booting[target.slot] = false;
    this.flushWaiting();
  }

  /** Stops routing to `target`; connections it has not acknowledged yet are re-routed. */
  removeTarget(target: Target): void {
    if (this.targets[target.slot] === target) this.targets[target.slot] = undefined;
    // Queued and in-flight connections alike are in `pending`: all are re-routed below.
    this.lanes.delete(target);
    for (const p of this.pending.values()) {
      if (p.target !== target) continue;
      this.pending.delete(p.id);
      (p.excluded ??= new Set()).add(target);
      this.route(p);
    }
  }

  dispatch(socket: Connection, keyHash: number, extras?: HandoffExtras): void {
    if (this.pendingCount >= this.options.maxPending) {
      this.reject(socket, 'maxPending');
      return;
    }
    if (socket instanceof Socket) socket.on('error', noop);
    this.route({ id: this.nextId++, socket, keyHash, extras, target: null, excluded: null });
  }

  /** The worker's answer for connection `id`: taken (ok) or refused. */
  acknowledge(target: Target, id: number, ok: boolean): void {
    const p = this.pending.get(id);
    if (!p || p.target !== target) return;
    this.pending.delete(id);
    const lane = this.lanes.get(target);
    if (lane !== undefined) {
      lane.inFlight--;
      this.sendQueued(target, lane);
    }
    if (ok) {
      // The worker holds its own descriptor now; closing ours sends nothing to the peer.
      release(p.socket);
      return;
    }
    (p.excluded ??= new Set()).add(target);
    this.route(p);
  }

  /** Closes every connection not yet handed off (used when the balancer stops). */
  closeAll(): void {
    for (const p of this.pending.values()) release(p.socket);
    for (const p of this.waiting) release(p.socket);
    this.pending.clear();
    this.lanes.clear();
    this.waiting = [];
  }

  private route(p: Pending): void {
    if (p.socket instanceof Socket && p.socket.destroyed) return;
    const excluded = p.excluded;
    const slot = excluded === null
      ? this.hash.pick(p.keyHash, this.isUpOrBooting)
      : this.hash.pick(p.keyHash, (i) => this.targets[i] !== undefined && !excluded.has(this.targets[i]!));
    if (slot === -1 || this.targets[slot] === undefined) {
      // Every usable target refused it: wait for a new one rather than drop it.
      p.excluded = null;
      p.target = null;
      this.waiting.push(p);
      return;
    }
    const target = this.targets[slot]!;
    p.target = target;
    this.pending.set(p.id, p);
    let lane = this.lanes.get(target);
    if (lane === undefined) this.lanes.set(target, lane = { inFlight: 0, queue: [] });
    if (lane.inFlight >= MAX_IN_FLIGHT) {
      lane.queue.push(p);
      return;
    }
    this.send(p, target, lane);
  }

  /** Sends what `target`'s lane holds while it has room; skips entries re-routed meanwhile. */
  private sendQueued(target: Target, lane: Lane): void {
    while (lane.inFlight < MAX_IN_FLIGHT && lane.queue.length > 0) {
      const p = lane.queue.shift()!;
      if (this.pending.get(p.id) === p && p.target === target) this.send(p, target, lane);
    }
  }

  private send(p: Pending, target: Target, lane: Lane): void {
    const msg: ConnMessage = { cmd: STICKY_CMD, t: 'conn', id: p.id };
    const extras = p.extras;
    if (extras !== undefined) {
      if (extras.data !== undefined && extras.data.length > 0) msg.bytes = extras.data.toString('latin1');
      if (extras.remote !== undefined) msg.remote = extras.remote;
      if (extras.key !== undefined) msg.key = extras.key;
    }
    lane.inFlight++;
    if (target.send(msg, p.socket)) return;
    lane.inFlight--;
    this.pending.delete(p.id);
    (p.excluded ??= new Set()).add(target);
    this.route(p);
  }

  private flushWaiting(): void {
    if (this.waiting.length === 0) return;
    const waiting = this.waiting;
    this.waiting = [];
    for (const p of waiting) this.route(p);
  }

  reject(socket: Connection, reason: string): void {
    this.rejected++;
    if (socket instanceof Socket) socket.on('error', noop);
    release(socket);
    this.options.onReject?.(reason);
  }
}

function release(conn: Connection): void {
  if (conn instanceof Socket) conn.destroy();
  else conn.close();
}
