import { describe, expect, it } from 'vitest';
import { PeerShares, type PeerEntry } from '../../src/balancer/peer-shares.js';
import type { Connection } from '../../src/ipc/handoff.js';

/** Entries whose peer is looked up through `peerOf`, which counts the look-ups. */
function setup(max: number) {
  const asked: string[] = [];
  const address = new Map<object, string>();
  const shares = new PeerShares(max, (conn) => {
    const a = address.get(conn as object)!;
    asked.push(a);
    return a;
  });
  const held: PeerEntry[] = [];
  const entry = (peer: string): PeerEntry => {
    const conn = {} as Connection;
    address.set(conn as object, peer);
    return { conn, peer: undefined, counted: false };
  };
  const add = (e: PeerEntry): number | undefined => {
    const n = shares.admit(e, () => held, held.length);
    if (n === undefined) held.push(e);
    return n;
  };
  const remove = (e: PeerEntry): void => {
    held.splice(held.indexOf(e), 1);
    shares.release(e, () => held, held.length);
  };
  return { asked, entry, add, remove };
}

describe('PeerShares', () => {
  it('asks for no peer address while fewer than max connections are held', () => {
    const s = setup(3);
    for (let i = 0; i < 3; i++) expect(s.add(s.entry('a'))).toBeUndefined();
    expect(s.asked).toEqual([]);
  });

  it('from max held on, counts every held connection and refuses a peer at its share', () => {
    const s = setup(3);
    for (let i = 0; i < 3; i++) s.add(s.entry('a'));
    expect(s.add(s.entry('a'))).toBe(3);
    expect(s.add(s.entry('b'))).toBeUndefined();
    expect(s.asked).toEqual(['a', 'a', 'a', 'a', 'b']);
  });

  it('gives a place back when a connection leaves, and stops counting below half of max', () => {
    const s = setup(4);
    const a = [s.entry('a'), s.entry('a'), s.entry('a'), s.entry('a')];
    for (const e of a) s.add(e);
    expect(s.add(s.entry('a'))).toBe(4);
    s.remove(a[0]!);
    const again = s.entry('a');
    expect(s.add(again)).toBeUndefined();
    s.remove(a[1]!);
    s.remove(a[2]!);
    s.remove(a[3]!);
    // One held (under half of 4): counting stopped; a new one is admitted without a look-up.
    const before = s.asked.length;
    expect(s.add(s.entry('a'))).toBeUndefined();
    expect(s.asked.length).toBe(before);
    // Counting restarts at max held, with the held ones counted again (their peers known).
    s.add(s.entry('a'));
    s.add(s.entry('a'));
    expect(s.add(s.entry('a'))).toBe(4);
  });
});
