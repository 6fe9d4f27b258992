import { describe, expect, it } from 'vitest';
import { ByteAccumulator } from '../../src/balancer/byte-accumulator.js';

describe('ByteAccumulator', () => {
  it('is empty before any read', () => {
    const a = new ByteAccumulator();
    expect(a.length).toBe(0);
    expect(a.bytes()).toEqual(Buffer.alloc(0));
  });

  it('keeps a single read as it came, without a copy', () => {
    const a = new ByteAccumulator();
    const chunk = Buffer.from('GET / HTTP/1.1\r\n\r\n');
    a.append(chunk);
    expect(a.bytes()).toBe(chunk);
  });

  it('joins reads in order, whatever their sizes', () => {
    const a = new ByteAccumulator();
    const expected: Buffer[] = [];
    for (let i = 0; i < 3000; i++) {
      const chunk = Buffer.alloc(1 + (i % 7), i & 0xff);
      a.append(chunk);
      expected.push(chunk);
    }
    const joined = Buffer.concat(expected);
    expect(a.length).toBe(joined.length);
    expect(a.bytes().equals(joined)).toBe(true);
  });

  it('grows by doubling: a byte-at-a-time client costs O(bytes) of buffer, not a buffer per byte', () => {
    const a = new ByteAccumulator();
    let copies = 0;
    let last: ArrayBufferLike | undefined;
    for (let i = 0; i < 16_384; i++) {
      a.append(Buffer.from([0x61]));
      const buf = a.bytes().buffer;
      if (buf !== last) copies++;
      last = buf;
    }
    expect(a.length).toBe(16_384);
    expect(copies).toBeLessThan(20);
    expect(a.bytes().buffer.byteLength).toBeLessThan(2 * 16_384 + 1024);
  });
});
