import { describe, expect, it } from 'vitest';
import { SocketAddress } from 'node:net';
import { addressKey, formatIPv6, formatPeerIPv6, parseIPv4, parseIPv6 } from '../../src/routing/address.js';

describe('address keys', () => {
  it('folds IPv4-mapped IPv6 to IPv4 in every spelling', () => {
    expect(addressKey('::ffff:1.2.3.4')).toBe('1.2.3.4');
    expect(addressKey('::FFFF:1.2.3.4')).toBe('1.2.3.4');
    expect(addressKey('0:0:0:0:0:ffff:102:304')).toBe('1.2.3.4');
    expect(addressKey('1.2.3.4')).toBe('1.2.3.4');
  });

  it('gives IPv6 its canonical RFC 5952 form', () => {
    expect(addressKey('2001:DB8:0:0:0:0:0:1')).toBe('2001:db8::1');
    expect(addressKey('2001:db8::0001')).toBe('2001:db8::1');
    expect(addressKey('::1')).toBe('::1');
    expect(addressKey('fe80::1%eth0')).toBe('fe80::1');
  });

  it('groups by prefix when asked, never colliding with a single address', () => {
    expect(addressKey('10.1.2.3', { ipv4Prefix: 24 })).toBe('10.1.2.0/24');
    expect(addressKey('10.1.2.200', { ipv4Prefix: 24 })).toBe('10.1.2.0/24');
    expect(addressKey('::ffff:10.1.2.3', { ipv4Prefix: 16 })).toBe('10.1.0.0/16');
    expect(addressKey('2001:db8:aaaa:bbbb:1:2:3:4', { ipv6Prefix: 64 })).toBe('2001:db8:aaaa:bbbb::/64');
    expect(addressKey('2001:db8:aaaa:bbbb:ffff::9', { ipv6Prefix: 64 })).toBe('2001:db8:aaaa:bbbb::/64');
    expect(addressKey('2001:db8:aaaa:bbbb::1', { ipv6Prefix: 56 })).toBe('2001:db8:aaaa:bb00::/56');
  });

  it('rejects what is not an address', () => {
    for (const bad of ['', 'localhost', '1.2.3', '1.2.3.4.5', '256.1.1.1', '1.2.3.x', ':::', '1::2::3', 'g::1', '12345::1', '::ffff:999.1.1.1']) {
      expect([bad, addressKey(bad)]).toEqual([bad, null]);
    }
    expect(addressKey(undefined)).toBeNull();
  });

  it('parses and formats round trip', () => {
    expect(parseIPv4('255.255.255.255')).toBe(0xffffffff);
    expect(parseIPv6('::')).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(formatIPv6(parseIPv6('1:0:0:1:0:0:0:1')!)).toBe('1:0:0:1::1');
    expect(formatIPv6(parseIPv6('1:2:3:4:5:6:7:8')!)).toBe('1:2:3:4:5:6:7:8');
  });
});

describe('formatPeerIPv6', () => {
  it('writes what Node reports for a peer: IPv4-mapped with a dotted tail, the rest RFC 5952', () => {
    expect(formatPeerIPv6(parseIPv6('::ffff:c000:209')!)).toBe('::ffff:192.0.2.9');
    expect(formatPeerIPv6(parseIPv6('2001:DB8:0:0:0:0:0:1')!)).toBe('2001:db8::1');
    // libuv's inet_ntop (what Node reports) dots the deprecated IPv4-compatible form too, but not ::2.
    for (const a of ['::c000:209', '::1:0', '::2', '::1', '::']) {
      expect(formatPeerIPv6(parseIPv6(a)!)).toBe(new SocketAddress({ address: a, family: 'ipv6' }).address);
    }
    expect(formatPeerIPv6(parseIPv6('::c000:209')!)).toBe('::192.0.2.9');
  });
});
