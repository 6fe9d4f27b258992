/**
 * Kernel accept's connection router. The kernel queues each connection on its slot's socket
 * and the slot's worker accepts it itself; the primary accepts only from the socket of a slot
 * that has no worker (crashed, backing off, failed to boot) and hands those connections to
 * the key's next slot through the Dispatcher, until the slot has a worker again. While a
 * slot's first worker boots, its connections wait in the kernel's queue, as the Dispatcher
 * makes them wait for a booting slot.
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
}

export class KernelRouter implements ConnectionRouter {
  private group: ReuseportGroup | undefined;
  private readonly targets: (Target | undefined)[];
  private readonly booting: boolean[];
  /** Per slot, the primary's close-on-exec duplicate it accepts from while the slot has no worker. */
  private readonly acceptors: (TcpHandle | undefined)[];
  private readonly given = new WeakSet<Target>();
  private readonly peer: { address?: string } = {};

  constructor(private readonly dispatcher: Dispatcher, private readonly options: KernelRouterOptions) {
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
    for (let slot = 0; slot < this.options.slotCount; slot++) this.sync(slot);
  }

  markBooting(slot: number): void {
    this.dispatcher.markBooting(slot);
    this.booting[slot] = true;
    this.sync(slot);
  }

  stopBooting(slot: number): void {
    this.dispatcher.stopBooting(slot);
    this.booting[slot] = false;
    this.sync(slot);
  }

  setTarget(target: Target): void {
    this.dispatcher.setTarget(target);
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

  /** The socket group and its program are sized at listen(); the supervisor refuses `scale` first. */
  resize(slotCount: number): void {
    if (slotCount !== this.options.slotCount) throw new Error(`kernel accept cannot change its slot count (${this.options.slotCount} -> ${slotCount}) while listening`);
  }

  /** Stops the primary's accepting and closes its copies of the sockets. */
  close(): void {
    for (let slot = 0; slot < this.acceptors.length; slot++) this.stopAccepting(slot);
    this.group?.close();
    this.group = undefined;
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
      const handle = client as NativeHandle;
      this.peer.address = undefined;
      handle.getpeername(this.peer);
      this.dispatcher.dispatch(handle, hashKey(peerKey(this.peer.address, this.options.prefix) ?? '', this.options.seed));
    };
    const err = acceptor.listen(this.options.backlog);
    if (err !== 0) {
      acceptor.close();
      this.options.onError?.(slot, new Error(`slot ${slot}'s socket could not listen (uv error ${err})`));
      return;
    }
    this.acceptors[slot] = acceptor;
  }

  private stopAccepting(slot: number): void {
    this.acceptors[slot]?.close();
    this.acceptors[slot] = undefined;
  }
}
