import { describe, expect, it } from 'vitest';
import { LineSplitter } from '../../src/control/line-splitter.js';

function split(chunks: Buffer[], maxLineBytes = 1024): { lines: string[]; tooLong: number } {
  const lines: string[] = [];
  let tooLong = 0;
  const splitter = new LineSplitter(maxLineBytes, (line) => lines.push(line), () => tooLong++);
  for (const chunk of chunks) splitter.push(chunk);
  return { lines, tooLong };
}

describe('LineSplitter', () => {
  it('gives the same lines for every split of the same bytes, multi-byte characters included', () => {
    const bytes = Buffer.from('{"a":1}\n\n  \n{"é":"ü€𝄞"}\r\n{"b":2}\npartial');
    const whole = split([bytes]).lines;
    expect(whole).toEqual(['{"a":1}', '{"é":"ü€𝄞"}\r', '{"b":2}']);
    for (let i = 0; i <= bytes.length; i++) {
      for (let j = i; j <= bytes.length; j++) {
        expect(split([bytes.subarray(0, i), bytes.subarray(i, j), bytes.subarray(j)]).lines).toEqual(whole);
      }
    }
  });

  it('accepts a line of exactly the limit and refuses one byte more, whole or in pieces', () => {
    expect(split([Buffer.from(`${'x'.repeat(8)}\n`)], 8)).toEqual({ lines: ['x'.repeat(8)], tooLong: 0 });
    expect(split([Buffer.from(`${'x'.repeat(9)}\n`)], 8)).toEqual({ lines: [], tooLong: 1 });
    expect(split([Buffer.from('xxxxx'), Buffer.from('xxxx\n')], 8)).toEqual({ lines: [], tooLong: 1 });
    // Over the limit before any newline arrives: refused at once, not when the line ends.
    expect(split([Buffer.from('x'.repeat(9))], 8)).toEqual({ lines: [], tooLong: 1 });
  });

  it('drops everything after a line over the limit and reports it once', () => {
    expect(split([Buffer.from('ok\nxxxxxxxxxx'), Buffer.from('xx\nlater\n'), Buffer.from('more\n')], 8)).toEqual({ lines: ['ok'], tooLong: 1 });
  });

  it('splits a long line in small chunks in linear time', () => {
    const size = 8 * 1024 * 1024;
    const chunk = Buffer.alloc(4096, 'x');
    const lines: string[] = [];
    const splitter = new LineSplitter(size, (line) => lines.push(line), () => lines.push('too long'));
    const started = performance.now();
    for (let sent = 0; sent < size; sent += chunk.length) splitter.push(chunk);
    splitter.push(Buffer.from('\n'));
    expect(lines.map((l) => l.length)).toEqual([size]);
    // 2048 chunks: rescanning what is buffered would read ~8 GiB; a linear pass reads 8 MiB twice.
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
