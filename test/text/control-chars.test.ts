import { describe, expect, it } from 'vitest';
import { stripControls } from '../../src/text/control-chars.js';

describe('stripControls', () => {
  it('leaves ordinary text, tabs and non-ASCII letters alone (the same string when nothing is stripped)', () => {
    const text = 'worker 12 (slot 0): Ünïcödé ✓ 日本\ttabbed';
    expect(stripControls(text)).toBe(text);
  });

  it('drops every C0 control but tab, DEL and every C1 control', () => {
    let all = '';
    for (let c = 0; c <= 0xa0; c++) all += String.fromCharCode(c);
    const printable = all.slice(0x20, 0x7f);
    expect(stripControls(all)).toBe(`\t${printable}\u00a0`);
  });

  it('drops whole CSI sequences, 7-bit and 8-bit, and OSC introducers', () => {
    expect(stripControls('a\u001b[2Jb\u001b[1;31mc\u009b31md')).toBe('abcd');
    expect(stripControls('\u001b]0;pwned\u0007title')).toBe(']0;pwnedtitle');
  });

  it('keeps newlines only when asked, and never carriage returns', () => {
    expect(stripControls('one\ntwo\r\nthree')).toBe('onetwothree');
    expect(stripControls('one\ntwo\r\nthree', { keepNewlines: true })).toBe('one\ntwo\nthree');
  });

  it('replaces instead of dropping when given a replacement', () => {
    expect(stripControls('a\u0007b\u0085c', { replacement: ' ' })).toBe('a b c');
  });
});
