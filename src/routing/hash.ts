/**
 * Rendezvous (highest random weight) hashing over fixed slots. A key's slots are
 * ranked by a per-slot score; the best slot that is up wins. Taking a slot down moves
 * only its own keys (to their second choice) and adding a slot moves ~1/n of keys.
 * Pure: no I/O.
 */

const GOLDEN = 0x9e3779b1;

/** murmur3's 32-bit finaliser: full avalanche, bijective. */
export function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** FNV-1a over the key's UTF-16 code units, then seeded and mixed. */
export function hashKey(key: string, seed: number): number {
  let h = 0x811c9dc5 ^ seed;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mix32(h);
}

export class Rendezvous {
  private readonly salts: Uint32Array;

  constructor(readonly slotCount: number, readonly seed = 0) {
    this.salts = new Uint32Array(slotCount);
    for (let i = 0; i < slotCount; i++) this.salts[i] = mix32(Math.imul(i + 1, GOLDEN) ^ seed);
  }

  score(keyHash: number, slot: number): number {
    return mix32(Math.imul(keyHash ^ this.salts[slot]!, GOLDEN) ^ (keyHash >>> 7));
  }

  /** Best slot for which `usable(slot)` holds, or -1 when none does. */
  pick(keyHash: number, usable: (slot: number) => boolean): number {
    let best = -1;
    let bestScore = -1;
    for (let i = 0; i < this.slotCount; i++) {
      if (!usable(i)) continue;
      const s = this.score(keyHash, i);
      if (s > bestScore) { best = i; bestScore = s; }
    }
    return best;
  }

  /** Every slot, best first: the order in which a key falls over. */
  rank(keyHash: number): number[] {
    const order = Array.from({ length: this.slotCount }, (_, i) => i);
    const scores = order.map((i) => this.score(keyHash, i));
    return order.sort((a, b) => scores[b]! - scores[a]!);
  }
}
