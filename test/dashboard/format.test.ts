import { describe, expect, it } from 'vitest';
import {
  ASCII_GLYPHS,
  UNICODE_GLYPHS,
  bar,
  escapeTags,
  fit,
  formatBytes,
  formatDuration,
  formatRate,
  printable,
  rule,
} from '../../src/dashboard/format';

describe('dashboard formatting', () => {
  it('shows durations in at most two units', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(59_999)).toBe('59s');
    expect(formatDuration(4 * 60_000 + 5_000)).toBe('4m05s');
    expect(formatDuration(2 * 3_600_000 + 7 * 60_000)).toBe('2h07m');
    expect(formatDuration(3 * 86_400_000 + 4 * 3_600_000)).toBe('3d04h');
    expect(formatDuration(-1)).toBe('-');
    expect(formatDuration(Number.NaN)).toBe('-');
  });

  it('shows memory in binary units within five characters', () => {
    expect(formatBytes(512)).toBe('512B');
    expect(formatBytes(51_200_000)).toBe('48.8M');
    expect(formatBytes(123 * 1024 * 1024)).toBe('123M');
    expect(formatBytes(1.25 * 1024 ** 3)).toBe('1.3G');
    for (const n of [0, 1023, 1024, 99.99 * 1024 ** 2, 1023.9 * 1024 ** 3]) expect(formatBytes(n).length).toBeLessThanOrEqual(6);
  });

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
