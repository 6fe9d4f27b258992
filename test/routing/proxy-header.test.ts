import { describe, expect, it } from 'vitest';
import { clientAddress, forwardedFor, HeadParser, headerKey, type HeadResult } from '../../src/routing/proxy-header.js';

function feed(parser: HeadParser, input: string | Buffer, step = Infinity): HeadResult {
  const buf = typeof input === 'string' ? Buffer.from(input, 'latin1') : input;
  let r: HeadResult = { state: 'more' };
  for (let i = 0; i < buf.length && r.state === 'more'; i += step) r = parser.push(buf.subarray(i, Math.min(buf.length, i + step)));
  return r;
}

const parse = (input: string | Buffer, header = 'x-forwarded-for', step = Infinity, max = 16_384): HeadResult =>
  feed(new HeadParser(header, max), input, step);

describe('HeadParser', () => {
  it('collects the header across one-byte segments, case-insensitively', () => {
    const head = 'GET /a HTTP/1.1\r\nHost: x\r\nX-FORWARDED-FOR: 1.2.3.4\r\n\r\n';
    expect(parse(head, 'x-forwarded-for', 1)).toEqual({ state: 'done', values: ['1.2.3.4'] });
    expect(parse(head, 'X-Forwarded-For', 7)).toEqual({ state: 'done', values: ['1.2.3.4'] });
  });

  it('keeps every line of a repeated header, in order', () => {
    const head = 'GET / HTTP/1.1\r\nx-forwarded-for: 1.1.1.1\r\nA: b\r\nx-forwarded-for:2.2.2.2 , 3.3.3.3\r\n\r\n';
    expect(parse(head)).toEqual({ state: 'done', values: ['1.1.1.1', '2.2.2.2 , 3.3.3.3'] });
  });

  it('says more until the blank line, even after the header was seen', () => {
    expect(parse('GET / HTTP/1.1\r\nx-forwarded-for: 1.1.1.1\r\n')).toEqual({ state: 'more' });
    expect(parse('GET / HTTP/1.1\r\nx-forwarded-for: 1.1.1.1\r\n\r')).toEqual({ state: 'more' });
  });

  it('ignores the name inside the URL, in other header names and in the body', () => {
    const head = 'POST /x-forwarded-for:6.6.6.6 HTTP/1.1\r\nX-Original-X-Forwarded-For: 7.7.7.7\r\n' +
      'x-forwarded-fo: 8.8.8.8\r\nContent-Length: 27\r\n\r\nx-forwarded-for: 9.9.9.9\r\n\r\n';
    expect(parse(head)).toEqual({ state: 'done', values: [] });
  });

  it('skips leading empty lines but refuses bare LF line ends, as Node does', () => {
    expect(parse('\r\n\nGET / HTTP/1.0\r\nx-forwarded-for: 1.1.1.1\r\n\r\n')).toEqual({ state: 'done', values: ['1.1.1.1'] });
    expect(parse('\r\nGET / HTTP/1.0\nx-forwarded-for: 1.1.1.1\n\n')).toMatchObject({ state: 'error', status: 400 });
  });

  it('answers 431 once the head passes maxHeaderBytes', () => {
    const head = `GET / HTTP/1.1\r\nCookie: ${'a'.repeat(2000)}\r\n\r\n`;
    expect(parse(head, 'x-forwarded-for', 100, 1024)).toMatchObject({ state: 'error', status: 431 });
    expect(parse(head, 'x-forwarded-for', 100, 4096)).toMatchObject({ state: 'done' });
  });

  it('collects a header value as large as maxHeaderBytes allows', () => {
    const value = `${'9.9.9.9, '.repeat(60_000)}1.2.3.4`;
    const r = parse(`GET / HTTP/1.1\r\nX-Forwarded-For: ${value}\r\n\r\n`, 'x-forwarded-for', 65_536, 1_048_576);
    expect(r).toEqual({ state: 'done', values: [value] });
  });

  it.each([
    ['a TLS ClientHello', Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01])],
    ['a PROXY v2 preamble', Buffer.from('0d0a0d0a000d0a515549540a', 'hex')],
    ['SSH', 'SSH-2.0-OpenSSH_9.2\r\n'],
    ['a space in the method', 'G T / HTTP/1.1\r\n\r\n'],
    ['a control byte in the target', 'GET /\x01 HTTP/1.1\r\n\r\n'],
    ['a wrong version', 'GET / HTTX/1.1\r\n\r\n'],
    ['a long version', 'GET / HTTP/1.1.1.1.1\r\n\r\n'],
    ['a CR without LF', 'GET / HTTP/1.1\rX'],
    ['a folded header line', 'GET / HTTP/1.1\r\nA: b\r\n c\r\n\r\n'],
    ['a space before the colon', 'GET / HTTP/1.1\r\nx-forwarded-for : 1.1.1.1\r\n\r\n'],
    ['a NUL in a value', 'GET / HTTP/1.1\r\nA: b\x00c\r\n\r\n'],
    ['a bad head end', 'GET / HTTP/1.1\r\n\rX'],
  ])('answers 400 to %s at the first bad byte', (_name, input) => {
    expect(parse(input)).toMatchObject({ state: 'error', status: 400 });
  });

  it('never throws and never waits past maxHeaderBytes on random bytes', () => {
    let seed = 12345;
    const rand = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 16;
    const prefixes = ['', 'GET / HTTP/1.1\r\n', 'GET / HTTP/1.1\r\nx-forwarded-for: '];
    for (let i = 0; i < 3000; i++) {
      const prefix = prefixes[i % prefixes.length]!;
      const noise = Buffer.alloc(rand() % 300);
      for (let j = 0; j < noise.length; j++) noise[j] = rand() & 0xff;
      const input = Buffer.concat([Buffer.from(prefix, 'latin1'), noise]);
      const step = 1 + (rand() % 40);
      const parser = new HeadParser('x-forwarded-for', 256);
      const r = feed(parser, input, step);
      if (r.state === 'more') expect(input.length).toBeLessThanOrEqual(256);
      else if (r.state === 'error') expect([400, 431]).toContain(r.status);
      // The same input in one piece gives the same answer: segmentation never matters.
      expect(feed(new HeadParser('x-forwarded-for', 256), input)).toEqual(r);
    }
  });
});

describe('clientAddress', () => {
  const xff = { header: 'x-forwarded-for', trustedHops: 1 };

  it('takes the entry trustedHops from the right: a spoofed left entry is ignored', () => {
    expect(clientAddress(['6.6.6.6, 1.2.3.4'], xff)).toBe('1.2.3.4');
    expect(clientAddress(['6.6.6.6, 1.2.3.4, 10.0.0.1'], { ...xff, trustedHops: 2 })).toBe('1.2.3.4');
    expect(clientAddress(['6.6.6.6', '1.2.3.4'], xff)).toBe('1.2.3.4');
  });

  it('takes the leftmost when the list is shorter than trustedHops', () => {
    expect(clientAddress(['1.2.3.4, 10.0.0.1'], { ...xff, trustedHops: 5 })).toBe('1.2.3.4');
  });

  it('strips ports and brackets', () => {
    expect(clientAddress(['1.2.3.4:5678'], xff)).toBe('1.2.3.4');
    expect(clientAddress(['[2001:db8::1]:443'], xff)).toBe('2001:db8::1');
    expect(clientAddress(['2001:db8::1'], xff)).toBe('2001:db8::1');
  });

  it('is null for a missing, empty or non-address entry', () => {
    expect(clientAddress([], xff)).toBeNull();
    expect(clientAddress([' , '], xff)).toBeNull();
    expect(headerKey(['unknown'], xff)).toBeNull();
    expect(headerKey(['1.2.3.4, 999.1.1.1'], xff)).toBeNull();
  });

  it('reads single-value headers', () => {
    expect(headerKey(['203.0.113.9'], { header: 'x-real-ip', trustedHops: 1 })).toBe('203.0.113.9');
    expect(headerKey(['::ffff:203.0.113.9'], { header: 'cf-connecting-ip', trustedHops: 1 })).toBe('203.0.113.9');
  });

  it('reads RFC 7239 Forwarded: for=, quoted, bracketed IPv6 and ports', () => {
    const fwd = { header: 'Forwarded', trustedHops: 1 };
    expect(clientAddress(['for=192.0.2.60;proto=http;by=203.0.113.43'], fwd)).toBe('192.0.2.60');
    expect(clientAddress(['For="[2001:db8:cafe::17]:4711"'], fwd)).toBe('2001:db8:cafe::17');
    expect(clientAddress(['for=192.0.2.43, for=198.51.100.17'], fwd)).toBe('198.51.100.17');
    expect(clientAddress(['for=192.0.2.43', 'for="198.51.100.17:80";by=x'], { ...fwd, trustedHops: 2 })).toBe('192.0.2.43');
    expect(headerKey(['for=_hidden'], fwd)).toBeNull();
    expect(headerKey(['for=unknown'], fwd)).toBeNull();
    expect(clientAddress(['proto=https'], fwd)).toBeNull();
  });

  it('keeps commas and semicolons inside quotes', () => {
    expect(forwardedFor(['for="a,b";by="c;d", for=1.1.1.1'])).toEqual(['a,b', '1.1.1.1']);
  });

  it('makes the same key as ip mode would for the same address, prefixes included', () => {
    expect(headerKey(['::FFFF:10.1.2.3'], xff)).toBe('10.1.2.3');
    expect(headerKey(['10.1.2.3'], { ...xff, ipv4Prefix: 24 })).toBe('10.1.2.0/24');
    expect(headerKey(['2001:db8:0:0:1::1'], { ...xff, ipv6Prefix: 48 })).toBe('2001:db8::/48');
  });
});
