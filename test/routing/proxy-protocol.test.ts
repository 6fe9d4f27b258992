import { describe, expect, it } from 'vitest';
import { parseProxyPreamble, V2_SIGNATURE } from '../../src/routing/proxy-protocol.js';

const v1 = (s: string): Buffer => Buffer.from(s, 'latin1');

function v2(command: number, famProto: number, addresses: Buffer, tlv = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(4);
  head[0] = 0x20 | command;
  head[1] = famProto;
  head.writeUInt16BE(addresses.length + tlv.length, 2);
  return Buffer.concat([V2_SIGNATURE, head, addresses, tlv]);
}

function tcp4(src: number[], dst: number[], sport: number, dport: number): Buffer {
  const b = Buffer.alloc(12);
  b.set(src, 0);
  b.set(dst, 4);
  b.writeUInt16BE(sport, 8);
  b.writeUInt16BE(dport, 10);
  return b;
}

describe('PROXY protocol v1', () => {
  it('reads TCP4 and TCP6 sources', () => {
    expect(parseProxyPreamble(v1('PROXY TCP4 192.0.2.1 198.51.100.2 56324 443\r\nGET /'))).toEqual({
      state: 'done', length: 45, source: { address: '192.0.2.1', port: 56324, family: 'IPv4' },
    });
    expect(parseProxyPreamble(v1('PROXY TCP6 2001:DB8:0:0:0:0:0:1 ::1 65535 80\r\n'))).toMatchObject({
      state: 'done', source: { address: '2001:db8::1', port: 65535, family: 'IPv6' },
    });
  });

  it('routes UNKNOWN by the peer', () => {
    expect(parseProxyPreamble(v1('PROXY UNKNOWN\r\n'))).toEqual({ state: 'done', length: 15, source: undefined });
    expect(parseProxyPreamble(v1('PROXY UNKNOWN ffff::1 ::1 1 2\r\n'))).toMatchObject({ state: 'done', source: undefined });
  });

  it('waits for more while the bytes are a valid prefix, one byte at a time', () => {
    const line = v1('PROXY TCP4 10.0.0.1 10.0.0.2 1 2\r\n');
    for (let i = 1; i < line.length; i++) expect(parseProxyPreamble(line.subarray(0, i))).toEqual({ state: 'more' });
    expect(parseProxyPreamble(line)).toMatchObject({ state: 'done', length: line.length });
  });

  it.each([
    ['HTTP', 'GET / HTTP/1.1\r\n'],
    ['a lower-case keyword', 'proxy TCP4 1.1.1.1 1.1.1.1 1 1\r\n'],
    ['a missing port', 'PROXY TCP4 1.1.1.1 1.1.1.1 1\r\n'],
    ['an extra field', 'PROXY TCP4 1.1.1.1 1.1.1.1 1 1 1\r\n'],
    ['a port over 65535', 'PROXY TCP4 1.1.1.1 1.1.1.1 65536 1\r\n'],
    ['a port with a leading zero', 'PROXY TCP4 1.1.1.1 1.1.1.1 01 1\r\n'],
    ['an IPv6 address in TCP4', 'PROXY TCP4 ::1 ::1 1 1\r\n'],
    ['an IPv4 address in TCP6', 'PROXY TCP6 1.1.1.1 1.1.1.1 1 1\r\n'],
    ['an octet over 255', 'PROXY TCP4 1.1.1.256 1.1.1.1 1 1\r\n'],
    ['a bare LF', 'PROXY TCP4 1.1.1.1 1.1.1.1 1 1\n'],
    ['a double space', 'PROXY TCP4  1.1.1.1 1.1.1.1 1 1\r\n'],
    ['UDP', 'PROXY UDP4 1.1.1.1 1.1.1.1 1 1\r\n'],
    ['a NUL byte', 'PROXY TCP4 1.1.1.1\0'],
    ['a line over 107 bytes', `PROXY UNKNOWN ${'x'.repeat(100)}`],
  ])('refuses %s', (_name, input) => {
    expect(parseProxyPreamble(v1(input))).toMatchObject({ state: 'error' });
  });
});

describe('PROXY protocol v2', () => {
  it('reads a TCP4 source and keeps bytes behind the preamble out of its length', () => {
    const pre = v2(1, 0x11, tcp4([203, 0, 113, 7], [10, 0, 0, 1], 40000, 443));
    const r = parseProxyPreamble(Buffer.concat([pre, Buffer.from([0x16, 0x03, 0x01])]));
    expect(r).toEqual({ state: 'done', length: 28, source: { address: '203.0.113.7', port: 40000, family: 'IPv4' } });
  });

  it('reads a TCP6 source, IPv4-mapped included, and skips TLVs', () => {
    const a = Buffer.alloc(36);
    a.writeUInt16BE(0x2001, 0);
    a.writeUInt16BE(0x0db8, 2);
    a.writeUInt16BE(7, 14);
    a.writeUInt16BE(1234, 32);
    const tlv = Buffer.from([0x04, 0x00, 0x03, 0x61, 0x62, 0x63]);
    expect(parseProxyPreamble(v2(1, 0x21, a, tlv))).toEqual({
      state: 'done', length: 16 + 36 + 6, source: { address: '2001:db8::7', port: 1234, family: 'IPv6' },
    });
    const m = Buffer.alloc(36);
    m.writeUInt16BE(0xffff, 10);
    m.set([192, 0, 2, 9], 12);
    expect(parseProxyPreamble(v2(1, 0x21, m))).toMatchObject({ source: { address: '::ffff:192.0.2.9' } });
  });

  it('routes LOCAL, UNSPEC and AF_UNIX by the peer', () => {
    expect(parseProxyPreamble(v2(0, 0x11, tcp4([1, 1, 1, 1], [2, 2, 2, 2], 1, 2)))).toMatchObject({ state: 'done', source: undefined });
    expect(parseProxyPreamble(v2(1, 0x00, Buffer.alloc(0)))).toEqual({ state: 'done', length: 16, source: undefined });
    expect(parseProxyPreamble(v2(1, 0x31, Buffer.alloc(216)))).toMatchObject({ state: 'done', source: undefined });
  });

  it('waits for more while incomplete, one byte at a time', () => {
    const pre = v2(1, 0x11, tcp4([1, 2, 3, 4], [5, 6, 7, 8], 9, 10));
    for (let i = 1; i < pre.length; i++) expect(parseProxyPreamble(pre.subarray(0, i))).toEqual({ state: 'more' });
  });

  it.each([
    ['a wrong signature byte', Buffer.concat([V2_SIGNATURE.subarray(0, 11), Buffer.from([0x0b])])],
    ['version 1 in the binary header', Buffer.concat([V2_SIGNATURE, Buffer.from([0x11, 0x11, 0, 12])])],
    ['command 2', Buffer.concat([V2_SIGNATURE, Buffer.from([0x22, 0x11, 0, 12])])],
    ['UDP over IPv4', v2(1, 0x12, Buffer.alloc(12))],
    ['an unknown family', v2(1, 0x41, Buffer.alloc(12))],
    ['a length too short for TCP4', v2(1, 0x11, Buffer.alloc(8))],
    ['a length too short for TCP6', v2(1, 0x21, Buffer.alloc(20))],
  ])('refuses %s', (_name, input) => {
    expect(parseProxyPreamble(input)).toMatchObject({ state: 'error' });
  });

  it('refuses a preamble over maxBytes before reading it all', () => {
    const head = Buffer.concat([V2_SIGNATURE, Buffer.from([0x21, 0x11, 0xff, 0xff])]);
    expect(parseProxyPreamble(head, 4096)).toMatchObject({ state: 'error' });
  });

  it('never throws on random bytes behind either signature', () => {
    let seed = 99;
    const rand = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 16;
    const prefixes = [Buffer.alloc(0), V2_SIGNATURE, v1('PROXY '), v1('PROXY TCP4 ')];
    for (let i = 0; i < 5000; i++) {
      const noise = Buffer.alloc(rand() % 120);
      for (let j = 0; j < noise.length; j++) noise[j] = rand() & 0xff;
      const input = Buffer.concat([prefixes[i % prefixes.length]!, noise]);
      const r = parseProxyPreamble(input, 4096);
      expect(['more', 'done', 'error']).toContain(r.state);
      if (r.state === 'done') expect(r.length).toBeLessThanOrEqual(input.length);
    }
  });
});
