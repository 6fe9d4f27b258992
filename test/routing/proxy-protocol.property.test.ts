import fc from 'fast-check';
import { SocketAddress } from 'node:net';
import { describe, expect, it } from 'vitest';
import { proxyProtocolDecoder, type Decision } from '../../src/balancer/preamble-reader.js';
import { parseProxyPreamble, V2_SIGNATURE, type ProxyResult } from '../../src/routing/proxy-protocol.js';

interface Source {
  family: 'IPv4' | 'IPv6';
  address: string;
  port: number;
}

const MAX_BYTES = 4096;
const port = fc.integer({ min: 0, max: 65_535 });
const source: fc.Arbitrary<Source> = fc.oneof(
  fc.record({ family: fc.constant('IPv4' as const), address: fc.ipV4(), port }),
  fc.record({ family: fc.constant('IPv6' as const), address: fc.ipV6(), port }),
);

/** The form Node gives a peer address (RFC 5952), from its own inet_ntop. */
function nodeForm(s: Source): string {
  return new SocketAddress({ address: s.address, family: s.family === 'IPv4' ? 'ipv4' : 'ipv6' }).address;
}

function v1(src: Source, dst: Source): Buffer {
  return Buffer.from(`PROXY ${src.family === 'IPv4' ? 'TCP4' : 'TCP6'} ${src.address} ${dst.address} ${src.port} ${dst.port}\r\n`, 'latin1');
}

function addressBytes(s: Source): Buffer {
  if (s.family === 'IPv4') return Buffer.from(s.address.split('.').map(Number));
  // SocketAddress has no byte view; expand the text form group by group.
  const [head, tail = ''] = nodeForm(s).split('::') as [string, string?];
  const groups = (part: string): number[] => (part === '' ? [] : part.split(':').flatMap((g) => {
    if (!g.includes('.')) return [parseInt(g, 16)];
    const [a, b, c, d] = g.split('.').map(Number) as [number, number, number, number];
    return [(a << 8) | b, (c << 8) | d];
  }));
  const h = groups(head);
  const t = nodeForm(s).includes('::') ? groups(tail) : [];
  const all = [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t];
  const out = Buffer.alloc(16);
  all.forEach((g, i) => out.writeUInt16BE(g, i * 2));
  return out;
}

function v2(command: number, src: Source, dst: Source, tlvs: Buffer): Buffer {
  const famProto = src.family === 'IPv4' ? 0x11 : 0x21;
  const ports = Buffer.alloc(4);
  ports.writeUInt16BE(src.port, 0);
  ports.writeUInt16BE(dst.port, 2);
  const body = Buffer.concat([addressBytes(src), addressBytes(dst), ports, tlvs]);
  const head = Buffer.from([0x20 | command, famProto, body.length >> 8, body.length & 0xff]);
  return Buffer.concat([V2_SIGNATURE, head, body]);
}

/** Source and destination of one family, as a proxy writes them. */
const pair = source.chain((src) => source.filter((d) => d.family === src.family).map((dst) => [src, dst] as const));
const tlvs = fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a));
const trailing = fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a));
const preamble = fc.oneof(
  pair.map(([s, d]) => ({ bytes: v1(s, d), source: s as Source | undefined })),
  fc.tuple(pair, tlvs).map(([[s, d], t]) => ({ bytes: v2(1, s, d, t), source: s as Source | undefined })),
  fc.tuple(pair, tlvs).map(([[s, d], t]) => ({ bytes: v2(0, s, d, t), source: undefined })),
  fc.constant({ bytes: Buffer.from('PROXY UNKNOWN\r\n', 'latin1'), source: undefined }),
);

function decide(chunks: Buffer[]): Decision {
  const decoder = proxyProtocolDecoder({}, MAX_BYTES);
  let d: Decision = { kind: 'more' };
  for (const c of chunks) {
    d = decoder.push(c);
    if (d.kind !== 'more') break;
  }
  return d;
}

function splitAt(bytes: Buffer, cuts: number[]): Buffer[] {
  const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const to of [...at, bytes.length]) {
    if (to > from) out.push(bytes.subarray(from, to));
    from = Math.max(from, to);
  }
  return out;
}

describe('PROXY preamble properties', () => {
  it('reads a proxy\'s preamble to the same source Node would report, whatever follows it', () => {
    fc.assert(fc.property(preamble, trailing, ({ bytes, source: s }, rest) => {
      const r = parseProxyPreamble(Buffer.concat([bytes, rest]), MAX_BYTES);
      const expected = s && { address: nodeForm(s), port: s.port, family: s.family };
      expect(r).toEqual({ state: 'done', length: bytes.length, source: expected });
    }), { numRuns: 1000 });
  });

  it('answers more on every proper prefix of a valid preamble', () => {
    fc.assert(fc.property(preamble, fc.nat(), ({ bytes }, n) => {
      expect(parseProxyPreamble(bytes.subarray(0, n % bytes.length), MAX_BYTES)).toEqual({ state: 'more' });
    }), { numRuns: 1000 });
  });

  it('gives the v1 and the v2 form of the same addresses the same source', () => {
    fc.assert(fc.property(pair, ([s, d]) => {
      const [a, b] = [parseProxyPreamble(v1(s, d)), parseProxyPreamble(v2(1, s, d, Buffer.alloc(0)))];
      expect(a.state === 'done' && b.state === 'done' && a.source).toEqual(b.state === 'done' && b.source);
    }), { numRuns: 500 });
  });

  it('never throws, and an answer other than more is final: more bytes never change it', () => {
    const anyStart = fc.oneof(
      fc.uint8Array({ maxLength: 120 }).map((a) => Buffer.from(a)),
      fc.tuple(preamble, fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 8 })).map(([{ bytes }, at, noise]) => {
        const b = Buffer.from(bytes);
        b.set(noise.subarray(0, b.length - (at % b.length)), at % b.length);
        return b;
      }),
    );
    fc.assert(fc.property(anyStart, trailing, (bytes, rest) => {
      const r: ProxyResult = parseProxyPreamble(bytes, MAX_BYTES);
      if (r.state === 'more') return;
      expect(parseProxyPreamble(Buffer.concat([bytes, rest]), MAX_BYTES)).toEqual(r);
    }), { numRuns: 2000 });
  });

  it('makes the same routing decision for every split of the same bytes', () => {
    const bytes = fc.oneof(
      fc.tuple(preamble, trailing).map(([p, t]) => Buffer.concat([p.bytes, t])),
      fc.uint8Array({ maxLength: 120 }).map((a) => Buffer.from(a)),
    );
    fc.assert(fc.property(bytes, fc.array(fc.nat(), { maxLength: 10 }), (b, cuts) => {
      expect(decide(splitAt(b, cuts))).toEqual(decide([b]));
    }), { numRuns: 1000 });
  });
});

describe('PROXY preamble regressions found by the properties', () => {
  it('reports an IPv4-compatible IPv6 source as Node does: ::0.1.0.0, not ::1:0', () => {
    const r = parseProxyPreamble(Buffer.from('PROXY TCP6 ::1:0 ::1 80 443\r\n', 'latin1'));
    expect(r).toMatchObject({ state: 'done', source: { address: '::0.1.0.0' } });
    expect(r.state === 'done' && r.source!.address).toBe(new SocketAddress({ address: '::1:0', family: 'ipv6' }).address);
    expect(parseProxyPreamble(Buffer.from('PROXY TCP6 ::2 ::1 80 443\r\n', 'latin1'))).toMatchObject({ source: { address: '::2' } });
  });

  it('gives a bad v1 line one reason however its bytes arrive', () => {
    const bytes = Buffer.from('PROXY UN\x00KNOWN\n', 'latin1');
    const whole = parseProxyPreamble(bytes);
    expect(whole).toEqual({ state: 'error', reason: 'v1 line has a control byte' });
    for (let n = 9; n < bytes.length; n++) expect(parseProxyPreamble(bytes.subarray(0, n))).toEqual(whole);
  });

  it('fails a v2 preamble at its bad command byte, before the rest of its header arrives', () => {
    const bytes = Buffer.concat([V2_SIGNATURE, Buffer.from([0x23])]);
    expect(parseProxyPreamble(bytes)).toEqual({ state: 'error', reason: 'v2 command 3 is neither LOCAL nor PROXY' });
    expect(parseProxyPreamble(Buffer.concat([V2_SIGNATURE, Buffer.from([0x21, 0x41])]))).toMatchObject({ state: 'error' });
  });
});
