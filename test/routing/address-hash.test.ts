import { describe, expect, it } from 'vitest';
import { Rendezvous, hashKey, hashString, hashWords } from '../../src/routing/hash.js';
import { addressKey, addressWords, formatIPv4, formatIPv6 } from '../../src/routing/address.js';
import { prng } from '../helpers/prng.js';

describe('address keys hash by their words (what the kernel program can read)', () => {
  it('reads IPv4 as one word and IPv6 as four big-endian words', () => {
    expect(addressWords('1.2.3.4')).toEqual([0x01020304]);
    expect(addressWords('2001:db8::ff:1')).toEqual([0x20010db8, 0, 0, 0x00ff0001]);
    expect(hashKey('1.2.3.4', 9)).toBe(hashWords([0x01020304], 9));
  });

  it('hashes every text form of one address alike, and IPv4-mapped IPv6 as its IPv4', () => {
    expect(hashKey('2001:DB8:0:0:0:0:0:1', 0)).toBe(hashKey('2001:db8::1', 0));
    for (const mapped of ['::ffff:1.2.3.4', '::FFFF:1.2.3.4', '0:0:0:0:0:ffff:102:304']) {
      expect([mapped, hashKey(mapped, 5)]).toEqual([mapped, hashKey('1.2.3.4', 5)]);
    }
    // ::1.2.3.4 (IPv4-compatible, not mapped) is an IPv6 address of its own.
    expect(hashKey('::1.2.3.4', 5)).not.toBe(hashKey('1.2.3.4', 5));
  });

  it('masks grouped keys by their prefix', () => {
    expect(addressWords('10.1.2.0/24')).toEqual([0x0a010200]);
    expect(addressWords('10.1.2.77/24')).toEqual([0x0a010200]);
    expect(addressWords('2001:db8:aaaa:bbbb:1:2:3:4/56')).toEqual([0x20010db8, 0xaaaabb00, 0, 0]);
    expect(addressWords('2001:db8::/0')).toEqual([0, 0, 0, 0]);
    expect(hashKey(addressKey('10.1.2.200', { ipv4Prefix: 24 })!, 0)).toBe(hashKey(addressKey('10.1.2.3', { ipv4Prefix: 24 })!, 0));
  });

  it('hashes keys that are not addresses as strings, as before', () => {
    for (const key of ['', 'user-42', '1.2.3', '1.2.3.4/33', '1.2.3.4/', '1.2.3.4/x', '::1/129', 'fe80::1::2', '256.1.1.1']) {
      expect([key, addressWords(key)]).toEqual([key, null]);
      expect([key, hashKey(key, 3)]).toEqual([key, hashString(key, 3)]);
    }
  });

  it('separates IPv4 from IPv6 words of the same value', () => {
    expect(hashWords([7], 0)).not.toBe(hashWords([0, 0, 0, 7], 0));
  });

  for (const [family, keyOf] of [
    ['IPv4 /24 groups', (r: () => number) => addressKey(formatIPv4(r()), { ipv4Prefix: 24 })!],
    ['IPv6 /64 groups', (r: () => number) => addressKey(formatIPv6(Array.from({ length: 8 }, () => r() & 0xffff)), { ipv6Prefix: 64 })!],
  ] as const) {
    it(`spreads 10,000 ${family} over 8 slots with max/mean <= 1.10`, () => {
      const r = prng(11);
      const ring = new Rendezvous(8, 0);
      const counts = new Array<number>(8).fill(0);
      for (let i = 0; i < 10_000; i++) counts[ring.pick(hashKey(keyOf(r), 0), () => true)]!++;
      expect(Math.max(...counts) / (10_000 / 8)).toBeLessThanOrEqual(1.1);
    });
  }
});
