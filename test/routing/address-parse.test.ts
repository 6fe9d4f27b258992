import { describe, expect, it } from 'vitest';
import { isIPv4, isIPv6 } from 'node:net';
import { formatIPv4, parseIPv4, parseIPv6 } from '../../src/routing/address.js';
import { prng } from '../helpers/prng.js';

/** One spelling of `groups`: any case, optional leading zeros, a compressed zero run, an IPv4 tail. */
function spell(groups: number[], r: () => number): string {
  const tail = r() % 4 === 0;
  const hex = groups.slice(0, tail ? 6 : 8).map((g) => {
    const h = g.toString(16).padStart(1 + (r() % 4), '0');
    return r() % 2 ? h.toUpperCase() : h;
  });
  let text: string;
  const zeroAt = hex.findIndex((h) => /^0+$/.test(h));
  if (zeroAt !== -1 && r() % 2) {
    let end = zeroAt;
    while (end < hex.length && /^0+$/.test(hex[end]!)) end++;
    text = `${hex.slice(0, zeroAt).join(':')}::${hex.slice(end).join(':')}`;
    if (tail) text += text.endsWith(':') ? '' : ':';
  } else {
    text = hex.join(':') + (tail ? ':' : '');
  }
  if (tail) text += formatIPv4(((groups[6]! << 16) | groups[7]!) >>> 0);
  return text;
}

describe('address parsing by char codes', () => {
  it('parses 5,000 random IPv6 spellings into their groups', () => {
    const r = prng(21);
    const wrong: string[] = [];
    for (let i = 0; i < 5000; i++) {
      const groups = Array.from({ length: 8 }, () => (r() % 3 === 0 ? 0 : r() & 0xffff));
      const text = spell(groups, r);
      if (JSON.stringify(parseIPv6(text)) !== JSON.stringify(groups) || !isIPv6(text)) wrong.push(text);
    }
    expect(wrong).toEqual([]);
  });

  it('accepts exactly what node:net accepts, over 20,000 mutated spellings', () => {
    const r = prng(22);
    const alphabet = ':::0123456789abcdefABCDEF..g ';
    const wrong: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      let text = spell(Array.from({ length: 8 }, () => (r() % 2 ? 0 : r() & 0xffff)), r);
      for (let m = 1 + (r() % 2); m > 0; m--) {
        const at = r() % (text.length + 1);
        const c = alphabet[r() % alphabet.length]!;
        text = r() % 2 ? text.slice(0, at) + c + text.slice(at) : text.slice(0, at) + text.slice(at + 1);
      }
      // node:net refuses leading zeros in an IPv4 tail; ours, like inet_aton's decimal form, reads them.
      if (/[:.]0\d[^:]*$/.test(text) && text.includes('.')) continue;
      if ((parseIPv6(text) !== null) !== isIPv6(text)) wrong.push(text);
    }
    expect(wrong).toEqual([]);
  });

  it('keeps the zone out of the address and bounds the length', () => {
    expect(parseIPv6('fe80::1%eth0')).toEqual([0xfe80, 0, 0, 0, 0, 0, 0, 1]);
    expect(parseIPv6('ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255')).toEqual(new Array(8).fill(0xffff));
    expect(parseIPv6('0ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255')).toBeNull();
    expect(parseIPv6('%eth0')).toBeNull();
  });

  it('parses IPv4 as node:net does, over 20,000 mutated dotted quads', () => {
    const r = prng(23);
    const wrong: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      let text = formatIPv4(r());
      const at = r() % (text.length + 1);
      const c = '0123456789..a:'[r() % 14]!;
      text = r() % 2 ? text.slice(0, at) + c + text.slice(at) : text.slice(0, at) + text.slice(at + 1);
      if (/(^|\.)0\d/.test(text)) continue;
      const parsed = parseIPv4(text);
      if ((parsed !== null) !== isIPv4(text) || (parsed !== null && formatIPv4(parsed) !== text)) wrong.push(text);
    }
    expect(wrong).toEqual([]);
  });
});
