import { Socket } from 'node:net';
import { Rendezvous } from '../routing/hash.js';
import type { Connection } from '../ipc/handoff.js';
import { STICKY_CMD, type ConnMessage } from '../ipc/messages.js';
import type { ConnectionRouter, Target } from './connection-router.js';
import { noop } from '../util/noop.js';
import { DEFAULTS } from '../config/schema.js';

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
  /** The hand-off sent and not yet answered, and when it was sent. */
  sent: Pending | null;
  sentAt: number;
  /** Its hand-off is past `handoffTimeoutMs` (seen on one sweep; re-routed on the next). */
  expiring: boolean;
  /**
   * Its worker let a hand-off time out: it gets nothing more until it answers that one
   * (late, and so refusing it) or is removed. Its keys go to their next slot meanwhile.
   */
  stalled: Pending | null;
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
  /** performance.now() at the last send, read only while `onHandoff` is set. */
  sentAt: number;
}

export interface DispatcherOptions {
  slotCount: number;
  seed: number;
  /** Connections accepted but not yet adopted by a worker; beyond it new ones are closed. */
  maxPending: number;
  /** `detail` says why for a person; without it the reason is maxPending. */
  onReject?: (reason: string, detail?: string) => void;
  /** A hand-off not acknowledged this long goes to the key's next slot (health.handoffTimeoutMs). */
  handoffTimeoutMs?: number;
}

/**
 * Routes accepted connections to slot targets and keeps the primary's copy of each handle
 * until the worker acknowledges it: a worker that dies or refuses before its ack gets the
 * connection re-routed to the key's next slot, so nothing accepted is dropped.
 */
export class Dispatcher implements ConnectionRouter {
  private hash: Rendezvous;
  private readonly targets: (Target | undefined)[];
  private readonly pending = new Map<number, Pending>();
  private readonly lanes = new Map<Target, Lane>();
  private waiting: Pending[] = [];
  /** Slots whose first worker is still booting: their keys wait instead of falling over. */
  private readonly booting: boolean[];
  /** Slots whose target takes nothing now (stalled, or its share of maxPending is waiting). */
  private readonly blocked: boolean[];
  /** How many connections one slot may have waiting: a share of maxPending. */
  private readonly slotCap: number;
  /** health.handoffTimeoutMs; a config reload may change it (the sweep's period follows when it next starts). */
  handoffTimeoutMs: number;
  private sweeper: NodeJS.Timeout | undefined;
  private nextId = 1;
  rejected = 0;
  /**
   * While no slot has a worker (and none is booting), close new connections at once rather
   * than hold them: a front balancer then fails over to another host. Off until the
   * supervisor's first start has succeeded; before that connections wait.
   */
  closeWhenNoWorker = false;
  /** A worker answered a hand-off after it had gone elsewhere (`ok`: it said it took it). */
  onLateAck: ((slot: number, ok: boolean) => void) | undefined;
  /** Hand-offs that went to another slot because their worker did not answer in time. */
  timedOut = 0;
  /** `rejected` split by reason (maxPending, timeout, not-http, ...): a handful of keys. */
  readonly rejectedByReason = new Map<string, number>();
  /**
   * Told each acknowledged hand-off's send-to-ack time in ms (metrics). Unset, the hot path
   * reads no clock.
   */
  onHandoff: ((ms: number) => void) | undefined;

  /** Made once: a closure per connection was measurable in the primary's CPU per connection. */
  private readonly isUpOrBooting = (i: number): boolean => (this.targets[i] !== undefined && !this.blocked[i]) || this.booting[i]!;

  constructor(private readonly options: DispatcherOptions) {
    this.hash = new Rendezvous(options.slotCount, options.seed);
    this.targets = new Array(options.slotCount).fill(undefined);
    this.booting = new Array(options.slotCount).fill(false);
    this.blocked = new Array(options.slotCount).fill(false);
    this.slotCap = Math.max(1, Math.ceil(options.maxPending / options.slotCount));
    this.handoffTimeoutMs = options.handoffTimeoutMs ?? DEFAULTS.health.handoffTimeoutMs;
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
    const lane = this.lanes.get(target);
    this.blocked[target.slot] = lane !== undefined && this.isBlocked(lane);
    this.flushWaiting();
  }

  /** Stops routing to `target`; connections it has not acknowledged yet are re-routed. */
  removeTarget(target: Target): void {
    if (this.targets[target.slot] === target) {
      this.targets[target.slot] = undefined;
      this.blocked[target.slot] = false;
    }
    // Queued and in-flight connections alike are in `pending`: all are re-routed below.
    this.lanes.delete(target);
    for (const p of this.pending.values()) {
      if (p.target !== target) continue;
      this.pending.delete(p.id);
      (p.excluded ??= new Set()).add(target);
      this.route(p);
    }
  }

  /**
   * Rendezvous scores of slots 0..n-1 do not depend on n, so growing moves only the keys a
   * new slot wins (~1/n) and shrinking only the removed slots' keys.
   */
  resize(slotCount: number): void {
    const before = this.targets.length;
    this.hash = new Rendezvous(slotCount, this.options.seed);
    for (let slot = slotCount; slot < before; slot++) {
      const target = this.targets[slot];
      if (target !== undefined) this.removeTarget(target);
    }
    this.targets.length = slotCount;
    this.booting.length = slotCount;
    this.targets.fill(undefined, before);
    this.booting.fill(false, before);
    this.flushWaiting();
  }

  dispatch(socket: Connection, keyHash: number, extras?: HandoffExtras): void {
    if (this.pendingCount >= this.options.maxPending) {
      this.reject(socket, 'maxPending');
      return;
    }
    if (socket instanceof Socket) socket.on('error', noop);
    this.route({ id: this.nextId++, socket, keyHash, extras, target: null, excluded: null, sentAt: 0 });
  }

  /** The worker's answer for connection `id`: taken (ok) or refused. */
  acknowledge(target: Target, id: number, ok: boolean): void {
    const p = this.pending.get(id);
    const lane = this.lanes.get(target);
    if (!p || p.target !== target || lane === undefined || lane.sent !== p) {
      if (lane?.stalled?.id === id) this.lateAnswer(target, lane, ok);
      return;
    }
    this.pending.delete(id);
    lane.inFlight--;
    lane.sent = null;
    lane.expiring = false;
    this.sendQueued(target, lane);
    this.updateBlocked(target, lane);
    if (ok) {
      if (this.onHandoff !== undefined && p.sentAt !== 0) this.onHandoff(performance.now() - p.sentAt);
      // The worker holds its own descriptor now; closing ours sends nothing to the peer.
      release(p.socket);
      return;
    }
    (p.excluded ??= new Set()).add(target);
    this.route(p);
  }

  /** Closes every connection not yet handed off (used when the balancer stops). */
  closeAll(): void {
    clearInterval(this.sweeper);
    this.sweeper = undefined;
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
      : this.hash.pick(p.keyHash, (i) => this.targets[i] !== undefined && !this.blocked[i] && !excluded.has(this.targets[i]!));
    if (slot === -1 && this.closeWhenNoWorker && this.noWorkerAtAll()) {
      this.reject(p.socket, 'no-worker', 'no worker is online: closed at once so a front balancer can fail over');
      return;
    }
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
    if (lane === undefined) this.lanes.set(target, lane = { inFlight: 0, queue: [], sent: null, sentAt: 0, expiring: false, stalled: null });
    if (lane.inFlight >= MAX_IN_FLIGHT) {
      lane.queue.push(p);
      if (lane.queue.length + lane.inFlight >= this.slotCap) this.updateBlocked(target, lane);
      return;
    }
    this.send(p, target, lane);
  }

  private isBlocked(lane: Lane): boolean {
    return lane.stalled !== null || lane.queue.length + lane.inFlight >= this.slotCap;
  }

  /** Keeps `blocked` in step with the slot's current target; what waited for room goes out. */
  private updateBlocked(target: Target, lane: Lane): void {
    if (this.targets[target.slot] !== target) return;
    const was = this.blocked[target.slot];
    const now = this.isBlocked(lane);
    this.blocked[target.slot] = now;
    if (was && !now) this.flushWaiting();
  }

  /**
   * One timer for every lane (never one per connection). A hand-off past the timeout is
   * marked on one sweep and re-routed on the next: in between the poll phase has read any
   * ack already in the channel, even after the primary itself stalled. A worker that reads a
   * hand-off past its `by` refuses it, so the two never both take a connection.
   */
  private sweep(): void {
    const now = Date.now();
    let busy = false;
    for (const [target, lane] of this.lanes) {
      if (lane.sent === null) continue;
      busy = true;
      if (now - lane.sentAt <= this.handoffTimeoutMs) continue;
      if (!lane.expiring) {
        lane.expiring = true;
        continue;
      }
      this.stall(target, lane);
    }
    if (!busy) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }

  /** `target` let hand-off `lane.sent` time out: it and everything queued behind it go elsewhere. */
  private stall(target: Target, lane: Lane): void {
    const p = lane.sent!;
    this.timedOut++;
    lane.stalled = p;
    lane.sent = null;
    lane.expiring = false;
    lane.inFlight--;
    this.updateBlocked(target, lane);
    const queued = lane.queue;
    lane.queue = [];
    this.pending.delete(p.id);
    (p.excluded ??= new Set()).add(target);
    this.route(p);
    for (const q of queued) {
      if (this.pending.get(q.id) !== q || q.target !== target) continue;
      this.pending.delete(q.id);
      this.route(q);
    }
  }

  /** The stalled worker answered at last: its answer is refused, and it may take connections again. */
  private lateAnswer(target: Target, lane: Lane, ok: boolean): void {
    lane.stalled = null;
    this.updateBlocked(target, lane);
    this.onLateAck?.(target.slot, ok);
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
    const now = Date.now();
    msg.by = now + this.handoffTimeoutMs;
    lane.inFlight++;
    if (this.onHandoff !== undefined) p.sentAt = performance.now();
    if (target.send(msg, p.socket)) {
      lane.sent = p;
      lane.sentAt = now;
      if (this.sweeper === undefined) {
        this.sweeper = setInterval(() => this.sweep(), Math.max(10, Math.min(250, this.handoffTimeoutMs / 4)));
        this.sweeper.unref();
      }
      return;
    }
    lane.inFlight--;
    this.pending.delete(p.id);
    (p.excluded ??= new Set()).add(target);
    this.route(p);
  }

  private noWorkerAtAll(): boolean {
    for (let i = 0; i < this.targets.length; i++) if (this.targets[i] !== undefined || this.booting[i]) return false;
    return true;
  }

  private flushWaiting(): void {
    if (this.waiting.length === 0) return;
    const waiting = this.waiting;
    this.waiting = [];
    for (const p of waiting) this.route(p);
  }

  reject(socket: Connection, reason: string, detail?: string): void {
    this.countReject(reason);
    if (socket instanceof Socket) socket.on('error', noop);
    release(socket);
    this.options.onReject?.(reason, detail);
  }

  /** Counts a connection closed by the primary (here or while reading its preamble). */
  countReject(reason: string): void {
    this.rejected++;
    this.rejectedByReason.set(reason, (this.rejectedByReason.get(reason) ?? 0) + 1);
  }
}

function release(conn: Connection): void {
  if (conn instanceof Socket) conn.destroy();
  else conn.close();
}
