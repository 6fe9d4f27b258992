/**
 * Kernel accept's connection router. The kernel queues each connection on its slot's socket
 * and the slot's worker accepts it itself; the primary accepts only from the socket of a slot
 * that has no worker (crashed, backing off, failed to boot) and hands those connections to
 * the key's next slot through the Dispatcher, until the slot has a worker again. While a
 * slot's first worker boots, its connections wait in the kernel's queue, as the Dispatcher
 * makes them wait for a booting slot.
 *
 * `sticky scale` resizes the group live: growing appends sockets and swaps in a program over
 * the new count (the primary accepts for a new slot until its worker is routable); shrinking
 * swaps the program first, accepts from the removed slots' sockets for a grace period (their
 * queues and handshakes under way), then takes them out of the group from the last one down.
 */
import type { Dispatcher } from '../dispatcher.js';
import type { ConnectionRouter, Target } from '../connection-router.js';
import type { NativeHandle } from '../../ipc/handoff.js';
import { hashKey } from '../../routing/hash.js';
import { peerKey, type PrefixOptions } from '../../routing/address.js';
import type { ReuseportGroup } from './reuseport-group.js';
import { openTcpHandle, type TcpHandle } from './tcp-handle.js';

export interface KernelRouterOptions {
  slotCount: number;
  seed: number;
  prefix: PrefixOptions;
  backlog: number;
  /** Sends a worker its slot's listening socket; false when it cannot take it now. */
  giveSocket(target: Target, socket: TcpHandle): boolean;
  /** A slot's socket the primary could not accept from (it stays queued for its worker). */
  onError?(slot: number, err: Error): void;
  /**
   * After a shrink, how long the primary keeps accepting from the removed slots' sockets
   * before it takes them out of the group: connections whose handshake began before the
   * program swap still complete into them. Default RETIRE_GRACE_MS.
   */
  retireGraceMs?: number;
}

/** A SYN-ACK lost once is sent again after 1 s (TCP's initial RTO): cover that handshake too. */
export const RETIRE_GRACE_MS = 3_000;

export class KernelRouter implements ConnectionRouter {
  private group: ReuseportGroup | undefined;
  private readonly targets: (Target | undefined)[];
  private readonly booting: boolean[];
  /**
   * Per socket of the group, the primary's close-on-exec duplicate it accepts from while the
   * slot has no worker, and always for a removed slot's socket until it leaves the group.
   */
  private readonly acceptors: (TcpHandle | undefined)[];
  private retireTimer: NodeJS.Timeout | undefined;
  private readonly given = new WeakSet<Target>();
  private readonly peer: { address?: string } = {};
  /** Slots the pool has now (`sticky scale` changes it); the group may hold more sockets while removed ones leave. */
  private slotCount: number;

  constructor(private readonly dispatcher: Dispatcher, private readonly options: KernelRouterOptions) {
    this.slotCount = options.slotCount;
    this.targets = new Array(options.slotCount).fill(undefined);
    this.booting = new Array(options.slotCount).fill(false);
    this.acceptors = new Array(options.slotCount).fill(undefined);
  }

  /** Slots the primary accepts for now (no worker). */
  get primaryAccepting(): number[] {
    return this.acceptors.flatMap((a, slot) => (a ? [slot] : []));
  }

  /** Starts steering with `group` (until then it only forwards to the Dispatcher). */
  activate(group: ReuseportGroup): void {
    this.group = group;
    for (let slot = 0; slot < this.slotCount; slot++) this.sync(slot);
  }

  markBooting(slot: number): void {
    this.dispatcher.markBooting(slot);
    if (slot >= this.slotCount) return;
    this.booting[slot] = true;
    this.sync(slot);
  }

  stopBooting(slot: number): void {
    this.dispatcher.stopBooting(slot);
    if (slot >= this.slotCount) return;
    this.booting[slot] = false;
    this.sync(slot);
  }

  setTarget(target: Target): void {
    this.dispatcher.setTarget(target);
    // A removed slot's socket is only the primary's to accept from, until it leaves the group.
    if (target.slot >= this.slotCount) return;
    // A slot's first target ends its boot (as the Dispatcher does; the pool emits no
    // bootEnded then): left set, the slot's socket had no acceptor once that worker died.
    this.booting[target.slot] = false;
    this.targets[target.slot] = target;
    this.sync(target.slot);
  }

  removeTarget(target: Target): void {
    this.dispatcher.removeTarget(target);
    if (this.targets[target.slot] !== target) return;
    this.targets[target.slot] = undefined;
    this.sync(target.slot);
  }

  acknowledge(target: Target, id: number, ok: boolean): void {
    this.dispatcher.acknowledge(target, id, ok);
  }

  /**
   * The pool now has `slotCount` slots. The group resizes first and throws having changed
   * nothing when it cannot (too many slots for one program, no descriptors left): the pool
   * emits `resize` before it changes, so a refused grow leaves everything as it was.
   */
  resize(slotCount: number): void {
    const from = this.slotCount;
    if (slotCount === from) return;
    if (this.group && slotCount > from) this.group.resize(slotCount);
    let retire = true;
    if (this.group && slotCount < from) {
      try {
        this.group.resize(slotCount);
      } catch (err) {
        // Still steered to, the removed slots' sockets stay in the group, the primary
        // accepting from them for the key's slot under the new count: nothing is refused.
        retire = false;
        this.options.onError?.(slotCount, new Error(`the program over ${slotCount} slots was not attached (${(err as Error).message}); the primary keeps accepting for slots ${slotCount} to ${from - 1}`));
      }
    }
    this.slotCount = slotCount;
    this.dispatcher.resize(slotCount);
    this.targets.length = this.booting.length = slotCount;
    this.targets.fill(undefined, from);
    this.booting.fill(false, from);
    if (!this.group) return;
    this.acceptors.length = Math.max(this.acceptors.length, this.group.size);
    for (let slot = 0; slot < slotCount; slot++) this.sync(slot);
    for (let slot = slotCount; slot < this.group.size; slot++) if (!this.acceptors[slot]) this.startAccepting(slot);
    clearTimeout(this.retireTimer);
    this.retireTimer = undefined;
    if (retire && this.group.size > slotCount) {
      this.retireTimer = setTimeout(() => this.retire(), this.options.retireGraceMs ?? RETIRE_GRACE_MS);
      this.retireTimer.unref();
    }
  }

  /** Stops the primary's accepting and closes its copies of the sockets. */
  close(): void {
    clearTimeout(this.retireTimer);
    this.retireTimer = undefined;
    for (let slot = 0; slot < this.acceptors.length; slot++) this.stopAccepting(slot);
    this.group?.close();
    this.group = undefined;
  }

  /** Takes the removed slots' sockets out of the group, the last first; what they still queued goes to its key's slot. */
  private retire(): void {
    this.retireTimer = undefined;
    const group = this.group;
    if (!group) return;
    while (group.size > this.slotCount && group.size > group.steered) {
      const slot = group.size - 1;
      this.stopAccepting(slot);
      for (const connection of group.removeLast()) this.route(connection as unknown as NativeHandle);
    }
    this.acceptors.length = group.size;
  }

  private sync(slot: number): void {
    if (!this.group) return;
    const target = this.targets[slot];
    if (target && !this.given.has(target) && this.options.giveSocket(target, this.group.handle(slot))) this.given.add(target);
    // A worker given the socket accepts from it; connections the primary accepted before
    // that go to it by hand-off, so stopping at once loses nothing.
    const primaryAccepts = !this.booting[slot] && !(target && this.given.has(target));
    if (primaryAccepts && !this.acceptors[slot]) this.startAccepting(slot);
    else if (!primaryAccepts && this.acceptors[slot]) this.stopAccepting(slot);
  }

  private startAccepting(slot: number): void {
    let acceptor: TcpHandle | number;
    try {
      acceptor = openTcpHandle(this.group!.duplicate(slot));
    } catch (err) {
      this.options.onError?.(slot, err as Error);
      return;
    }
    if (typeof acceptor === 'number') {
      this.options.onError?.(slot, new Error(`slot ${slot}'s socket could not be opened (uv error ${acceptor})`));
      return;
    }
    acceptor.onconnection = (err, client) => {
      if (err || !client) return;
      this.route(client as NativeHandle);
    };
    const err = acceptor.listen(this.options.backlog);
    if (err !== 0) {
      acceptor.close();
      this.options.onError?.(slot, new Error(`slot ${slot}'s socket could not listen (uv error ${err})`));
      return;
    }
    this.acceptors[slot] = acceptor;
  }

  private route(handle: NativeHandle): void {
    this.peer.address = undefined;
    handle.getpeername(this.peer);
    this.dispatcher.dispatch(handle, hashKey(peerKey(this.peer.address, this.options.prefix) ?? '', this.options.seed));
  }

  private stopAccepting(slot: number): void {
    this.acceptors[slot]?.close();
    this.acceptors[slot] = undefined;
  }
}
