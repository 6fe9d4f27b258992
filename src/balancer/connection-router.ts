import type { Connection } from '../ipc/handoff.js';
import type { ConnMessage } from '../ipc/messages.js';

/** A worker that can take connections: one process in a fixed slot (the pool's SlotWorker). */
export interface Target {
  readonly slot: number;
  /**
   * Sends the connection; false when the worker cannot take it now. A send that fails later
   * needs no callback: the worker's channel closes, and removeTarget re-routes what it held.
   */
  send(msg: ConnMessage, conn: Connection): boolean;
}

/**
 * How accepted connections reach the workers, told by the worker pool's events which slot
 * targets exist (src/primary/route-pool.ts does the telling), as Node's cluster tells a
 * listening handle add(worker)/remove(worker). The pool never sees the router, so another
 * accept path (kernel SO_REUSEPORT) can take the Dispatcher's place without touching it.
 * Every call may come for a target or slot in any state: each is a no-op when there is
 * nothing to do (removeTarget of a target never set, stopBooting of a slot not booting).
 */
export interface ConnectionRouter {
  /**
   * `slot`'s first worker is starting: until it is set as a target or `stopBooting(slot)`,
   * connections whose key maps to the slot wait for it instead of going to another slot, so
   * stickiness holds from the first request.
   */
  markBooting(slot: number): void;
  /** The slot's first start is over without a target (its worker died, or the boot wait ran out). */
  stopBooting(slot: number): void;
  /** `target` now takes its slot's new connections, in place of the slot's previous one. */
  setTarget(target: Target): void;
  /** Send `target` nothing more; what it has not acknowledged goes to the key's next slot. */
  removeTarget(target: Target): void;
  /** The worker's answer for hand-off `id`: taken (ok) or refused (route it elsewhere). */
  acknowledge(target: Target, id: number, ok: boolean): void;
  /**
   * The pool now has `slotCount` slots (`sticky scale`). Keys hash over the new count at once;
   * a new slot without a target yet is skipped, so its keys stay on their previous slot until
   * its worker is routable. Removed slots' targets have been removed before. A router that
   * cannot take the new count (kernel accept: no descriptors, too many slots for one program)
   * throws having changed nothing; on a grow the pool has not changed either.
   */
  resize(slotCount: number): void;
}
