import { Socket } from 'node:net';
import type { Connection } from '../ipc/handoff.js';

/** getpeername's out-parameter, reused: one object per connection was measurable. */
const peerOut: { address?: string } = {};

/** The TCP peer address of an accepted connection ('' when the kernel no longer knows it). */
export function connectionPeer(conn: Connection): string {
  if (conn instanceof Socket) return conn.remoteAddress ?? '';
  peerOut.address = undefined;
  conn.getpeername(peerOut);
  return peerOut.address ?? '';
}

/** A connection being read, as PeerShares counts it. */
export interface PeerEntry {
  readonly conn: Connection;
  /** Its peer address once asked for (or given by whoever accepted it). */
  peer: string | undefined;
  /** Whether it is in the counts now. */
  counted: boolean;
}

/**
 * Connections per peer address among those being read, at most `max` each: a slowloris from
 * one address must not hold every place maxPending leaves. A peer can only have `max` once
 * `max` connections are held in all, so below that nothing is counted and no peer address
 * is asked for (getpeername per connection was ~5k instructions of the primary's cost in
 * header and PROXY modes, where the key comes from the bytes). Counting starts once `max`
 * are held, with every held one counted then, and stops when fewer than half of `max` are.
 */
export class PeerShares {
  private readonly byPeer = new Map<string, number>();
  private counting = false;

  constructor(private readonly max: number, private readonly peerOf: (conn: Connection) => string = connectionPeer) {}

  /**
   * Counts `entry` in, unless its peer already has `max`: then the count it has. `held` are
   * the entries being read (not `entry`), `heldCount` how many.
   */
  admit(entry: PeerEntry, held: () => Iterable<PeerEntry>, heldCount: number): number | undefined {
    if (!this.counting) {
      if (heldCount < this.max) return undefined;
      this.counting = true;
      for (const e of held()) this.count(e);
    }
    const peer = entry.peer ??= this.peerOf(entry.conn);
    const n = this.byPeer.get(peer) ?? 0;
    if (n >= this.max) return n;
    this.count(entry);
    return undefined;
  }

  /** `entry` left `held` (routed, rejected, timed out or gone). */
  release(entry: PeerEntry, held: () => Iterable<PeerEntry>, heldCount: number): void {
    if (!entry.counted) return;
    entry.counted = false;
    const n = this.byPeer.get(entry.peer!)!;
    if (n <= 1) this.byPeer.delete(entry.peer!);
    else this.byPeer.set(entry.peer!, n - 1);
    if (heldCount >= this.max / 2) return;
    this.counting = false;
    this.byPeer.clear();
    for (const e of held()) e.counted = false;
  }

  private count(e: PeerEntry): void {
    const peer = e.peer ??= this.peerOf(e.conn);
    this.byPeer.set(peer, (this.byPeer.get(peer) ?? 0) + 1);
    e.counted = true;
  }
}
