import type { Target } from '../../src/balancer/connection-router.js';
import type { NativeHandle } from '../../src/ipc/handoff.js';
import type { ConnMessage } from '../../src/ipc/messages.js';
import { Rendezvous } from '../../src/routing/hash.js';

/** A connection handle for Dispatcher tests: counts its closes, has no peer. */
export class FakeHandle implements NativeHandle {
  closed = 0;
  close(): void {
    this.closed++;
  }
  getpeername(): number {
    return 0;
  }
}

/** A worker for Dispatcher tests: records what it was sent; refuses while `accepting` is false. */
export class FakeTarget implements Target {
  readonly sent: { msg: ConnMessage; conn: unknown }[] = [];
  accepting = true;
  constructor(readonly slot: number) {}
  send(msg: ConnMessage, conn: unknown): boolean {
    if (!this.accepting) return false;
    this.sent.push({ msg, conn });
    return true;
  }
  get last(): { msg: ConnMessage; conn: unknown } {
    return this.sent.at(-1)!;
  }
}

/** Finds key hashes by their slot ranking over `slots` slots with `seed`. */
export function keyRanker(slots: number, seed: number): (...order: number[]) => number {
  const ranking = new Rendezvous(slots, seed);
  /** A key hash whose slots, best first, start with `order`. */
  return (...order) => {
    for (let h = 1; h < 100_000; h++) {
      const rank = ranking.rank(h);
      if (order.every((slot, i) => rank[i] === slot)) return h;
    }
    throw new Error(`no key ranks ${order.join(', ')} first`);
  };
}
