/**
 * Rendezvous (highest random weight) hashing over fixed slots. A key's slots are
 * ranked by a per-slot score; the best slot that is up wins. Taking a slot down moves
 * only its own keys (to their second choice) and adding a slot moves ~1/n of keys.
 * Address keys hash by their 32-bit words, with only the 32-bit operations classic BPF
 * has, so the kernel's reuseport program (balancer/kernel) picks the slot the primary
 * would. Pure: no I/O.
 */
import { addressWords } from './address.js';

/** Multiplier of the slot score; the kernel program repeats every constant here. */
export const GOLDEN = 0x9e3779b1;
/** mix32's multipliers. */
export const MIX_MUL1 = 0x85ebca6b;
export const MIX_MUL2 = 0xc2b2ae35;
/** Shift of the key hash folded into each slot score. */
export const SCORE_SHIFT = 7;
/** Starting words of an IPv4 and an IPv6 address hash (before the seed): the families differ. */
export const V4_BASIS = 0x2f6b3a91;
export const V6_BASIS = 0x6a09e667;

/** murmur3's 32-bit finaliser: full avalanche, bijective. */
export function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, MIX_MUL1);
  h ^= h >>> 13;
  h = Math.imul(h, MIX_MUL2);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Hash of a routing key. An address key (what addressKey returns: IPv4, IPv6, either with
 * a /prefix) hashes as its address words; any other key as a string.
 */
export function hashKey(key: string, seed: number): number {
  const words = addressWords(key);
  return words === null ? hashString(key, seed) : hashWords(words, seed);
}

/**
 * Hash of an address's big-endian 32-bit words: one for IPv4 (IPv4-mapped IPv6 included),
 * four for IPv6. Each word is folded in with mix32, as the kernel program does.
 */
export function hashWords(words: ArrayLike<number>, seed: number): number {
  let h = ((words.length === 1 ? V4_BASIS : V6_BASIS) ^ seed) >>> 0;
  for (let i = 0; i < words.length; i++) h = mix32(h ^ words[i]!);
  return h;
}

/** FNV-1a over the key's UTF-16 code units, then seeded and mixed. */
export function hashString(key: string, seed: number): number {
  let h = 0x811c9dc5 ^ seed;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mix32(h);
}

/** The per-slot salt of the rendezvous score. */
export function slotSalt(slot: number, seed: number): number {
  return mix32(Math.imul(slot + 1, GOLDEN) ^ seed);
}

export class Rendezvous {
  private readonly salts: Uint32Array;

  constructor(readonly slotCount: number, readonly seed = 0) {
    this.salts = new Uint32Array(slotCount);
    for (let i = 0; i < slotCount; i++) this.salts[i] = slotSalt(i, seed);
  }

  score(keyHash: number, slot: number): number {
    return mix32(Math.imul(keyHash ^ this.salts[slot]!, GOLDEN) ^ (keyHash >>> SCORE_SHIFT));
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
