import { describe, expect, it } from 'vitest';
import {
  ASCII_GLYPHS,
  UNICODE_GLYPHS,
  bar,
  escapeTags,
  fit,
  formatRate,
  printable,
  rule,
} from '../../src/dashboard/format';

describe('dashboard formatting', () => {
  it('shows rates with a decimal only while small', () => {
    expect(formatRate(undefined)).toBe('-');
    expect(formatRate(0)).toBe('0.0');
    expect(formatRate(3.25)).toBe('3.3');
    expect(formatRate(250.4)).toBe('250');
    expect(formatRate(48_000)).toBe('48k');
  });

  it('pads and truncates to an exact width', () => {
    expect(fit('abc', 5)).toBe('abc  ');
    expect(fit('abc', 5, 'right')).toBe('  abc');
    expect(fit('abcdef', 4)).toBe('abc…');
    expect(fit('abcdef', 1)).toBe('a');
    expect(fit('abc', 0)).toBe('');
  });

  it('fills bars in eighths and clamps the share', () => {
    expect(bar(0, 4, UNICODE_GLYPHS)).toBe('····');
    expect(bar(1, 4, UNICODE_GLYPHS)).toBe('████');
    expect(bar(0.5, 4, UNICODE_GLYPHS)).toBe('██··');
    expect(bar(0.5 + 1 / 32, 4, UNICODE_GLYPHS)).toBe('██▏·');
    expect(bar(7, 3, UNICODE_GLYPHS)).toBe('███');
    expect(bar(Number.NaN, 3, UNICODE_GLYPHS)).toBe('···');
    expect(bar(0.5, 4, ASCII_GLYPHS)).toBe('##..');
    for (let share = 0; share <= 1; share += 0.01) expect([...bar(share, 7, UNICODE_GLYPHS)]).toHaveLength(7);
  });

  it('makes user text inert for blessed tags and the terminal', () => {
    expect(escapeTags('{red-fg}x{/}')).toBe('{open}red-fg{close}x{open}/{close}');
    expect(printable('a\x1b[2Jb\x07c\nd')).toBe('ab c d');
  });

  it('draws section rules across the width', () => {
    expect(rule('events', 12, UNICODE_GLYPHS)).toBe('─ events ───');
    expect(rule('events', 5, ASCII_GLYPHS)).toBe('- ev~');
  });
});
