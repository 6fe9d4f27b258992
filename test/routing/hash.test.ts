import { describe, expect, it } from 'vitest';
import { hashKey, Rendezvous } from '../../src/routing/hash.js';
import { formatIPv4, formatIPv6 } from '../../src/routing/address.js';
import { prng } from '../helpers/prng.js';

function ipv4Keys(n: number): string[] {
  const r = prng(1);
  return Array.from({ length: n }, () => formatIPv4(r()));
}

function ipv6Keys(n: number): string[] {
  const r = prng(2);
  return Array.from({ length: n }, () => formatIPv6(Array.from({ length: 8 }, () => r() & 0xffff)));
}

const all = () => true;

function loads(keys: string[], slots: number, seed = 0): number[] {
  const h = new Rendezvous(slots, seed);
  const counts = new Array<number>(slots).fill(0);
  for (const k of keys) counts[h.pick(hashKey(k, seed), all)]!++;
  return counts;
}

describe('rendezvous hashing', () => {
  for (const [family, keys] of [['IPv4', ipv4Keys(10_000)], ['IPv6', ipv6Keys(10_000)]] as const) {
    for (const slots of [2, 4, 8, 16]) {
      it(`spreads 10,000 ${family} keys over ${slots} slots with max/mean <= 1.10`, () => {
        const counts = loads(keys, slots);
        const mean = keys.length / slots;
        expect(Math.max(...counts) / mean).toBeLessThanOrEqual(1.1);
      });
    }
  }

  it('taking 1 of 8 slots down moves only that slot keys, each to its second choice', () => {
    const h = new Rendezvous(8, 0);
    const keys = ipv4Keys(10_000);
    const down = 3;
    let moved = 0;
    for (const k of keys) {
      const kh = hashKey(k, 0);
      const before = h.pick(kh, all);
      const after = h.pick(kh, (s) => s !== down);
      if (before !== down) expect(after).toBe(before);
      else {
        moved++;
        expect(after).toBe(h.rank(kh)[1]);
      }
    }
    expect(moved).toBeGreaterThan(0);
  });

  it('adding a 9th slot moves about 1/9 of keys, all of them to the new slot', () => {
    const keys = ipv4Keys(10_000);
    const eight = new Rendezvous(8, 0);
    const nine = new Rendezvous(9, 0);
    let moved = 0;
    for (const k of keys) {
      const kh = hashKey(k, 0);
      const a = eight.pick(kh, all);
      const b = nine.pick(kh, all);
      if (a !== b) {
        moved++;
        expect(b).toBe(8);
      }
    }
    expect(moved / keys.length).toBeGreaterThan(1 / 9 - 0.02);
    expect(moved / keys.length).toBeLessThan(1 / 9 + 0.02);
  });

  it('a different seed reshuffles keys; the same seed is stable', () => {
    const keys = ipv4Keys(1000);
    expect(loads(keys, 4, 7)).toEqual(loads(keys, 4, 7));
    const a = new Rendezvous(4, 0);
    const b = new Rendezvous(4, 99);
    const same = keys.filter((k) => a.pick(hashKey(k, 0), all) === b.pick(hashKey(k, 99), all)).length;
    expect(same / keys.length).toBeLessThan(0.4);
  });

  it('returns -1 when no slot is usable', () => {
    expect(new Rendezvous(4).pick(hashKey('1.2.3.4', 0), () => false)).toBe(-1);
  });
});
