import { describe, expect, it } from 'vitest';
import { TrustedPeers, trustedPeers } from '../../src/routing/trusted-peers.js';
import { isAddressOrCidr } from '../../src/config/schema.js';

const matches = (entries: string[], address: string | undefined): boolean => TrustedPeers.parse(entries).has(address);

describe('trusted peers', () => {
  it('matches single IPv4 addresses exactly', () => {
    expect(matches(['127.0.0.2'], '127.0.0.2')).toBe(true);
    expect(matches(['127.0.0.2'], '127.0.0.3')).toBe(false);
    expect(matches(['127.0.0.2', '10.0.0.1'], '10.0.0.1')).toBe(true);
  });

  it('matches IPv4 CIDR blocks on their prefix bits only', () => {
    expect(matches(['10.0.0.0/8'], '10.255.1.2')).toBe(true);
    expect(matches(['10.0.0.0/8'], '11.0.0.1')).toBe(false);
    expect(matches(['192.168.4.0/22'], '192.168.7.255')).toBe(true);
    expect(matches(['192.168.4.0/22'], '192.168.8.0')).toBe(false);
    // Host bits set in the entry are ignored, as in iptables and nginx set_real_ip_from.
    expect(matches(['172.16.9.9/12'], '172.31.0.1')).toBe(true);
    expect(matches(['0.0.0.0/0'], '203.0.113.7')).toBe(true);
    expect(matches(['127.0.0.2/32'], '127.0.0.2')).toBe(true);
  });

  it('matches IPv4-mapped peers against IPv4 entries', () => {
    expect(matches(['127.0.0.0/30'], '::ffff:127.0.0.2')).toBe(true);
    expect(matches(['127.0.0.0/30'], '::ffff:127.0.0.5')).toBe(false);
    expect(matches(['10.0.0.1'], '::FFFF:10.0.0.1')).toBe(true);
    expect(matches(['10.0.0.1'], '0:0:0:0:0:ffff:a00:1')).toBe(true);
  });

  it('matches IPv4 peers against IPv4-mapped entries', () => {
    expect(matches(['::ffff:10.0.0.0/104'], '10.9.9.9')).toBe(true);
    expect(matches(['::ffff:10.0.0.0/104'], '11.0.0.1')).toBe(false);
    expect(matches(['::ffff:0:0/96'], '1.2.3.4')).toBe(true);
  });

  it('matches IPv6 addresses and blocks in any spelling', () => {
    expect(matches(['2001:db8::/32'], '2001:DB8:ffff::1')).toBe(true);
    expect(matches(['2001:db8::/32'], '2001:db9::1')).toBe(false);
    expect(matches(['fd00::/7'], 'fdff::1')).toBe(true);
    expect(matches(['fd00::/8'], 'fe00::1')).toBe(false);
    expect(matches(['::1'], '0:0:0:0:0:0:0:1')).toBe(true);
    expect(matches(['fe80::/10'], 'fe80::1%eth0')).toBe(true);
    expect(matches(['2001:db8::1/127'], '2001:db8::0')).toBe(true);
    expect(matches(['2001:db8::1/127'], '2001:db8::2')).toBe(false);
  });

  it('keeps IPv4 and IPv6 apart unless an entry covers the mapped range', () => {
    expect(matches(['::1'], '127.0.0.1')).toBe(false);
    expect(matches(['127.0.0.1'], '::1')).toBe(false);
    expect(matches(['0.0.0.0/0'], '2001:db8::1')).toBe(false);
    expect(matches(['::/0'], '127.0.0.1')).toBe(true);
  });

  it('trusts no peer that has no address or an unparsable one', () => {
    expect(matches(['0.0.0.0/0', '::/0'], undefined)).toBe(false);
    expect(matches(['0.0.0.0/0', '::/0'], '')).toBe(false);
    expect(matches(['0.0.0.0/0', '::/0'], 'localhost')).toBe(false);
    expect(matches(['0.0.0.0/0'], '1.2.3')).toBe(false);
  });

  it('refuses entries that are not addresses or blocks, as the config schema does', () => {
    for (const bad of ['', 'localhost', '10.0.0.0/33', '::/129', '10.0.0.0/', '10.0.0.0/a', '1.2.3.4/-1', '10.0.0.0/8/8']) {
      expect(isAddressOrCidr(bad), bad).toBe(false);
      expect(() => TrustedPeers.parse([bad]), bad).toThrow(TypeError);
    }
  });

  it('is undefined (every peer trusted) when the option is unset', () => {
    expect(trustedPeers(undefined)).toBeUndefined();
    expect(trustedPeers(['127.0.0.1'])?.has('127.0.0.1')).toBe(true);
  });
});
