import { describe, expect, it } from 'vitest';
import { formatBytes, formatClock, formatDuration, formatPercent } from '../../src/text/units.js';

const DAY_MS = 86_400_000;

describe('formatDuration', () => {
  it('long: milliseconds, tenths of seconds, then two units', () => {
    expect([0, 950, 4_900, 59_999, 303_000, 7_500_000, 3 * DAY_MS + 3_600_000].map((ms) => formatDuration(ms)))
      .toEqual(['0ms', '950ms', '4.9s', '59.9s', '5m 3s', '2h 5m', '3d 1h']);
  });

  it('compact: whole seconds, then two units with the smaller one on two digits', () => {
    expect([0, 950, 59_999, 4 * 60_000 + 5_000, 2 * 3_600_000 + 7 * 60_000, 3 * DAY_MS + 4 * 3_600_000].map((ms) => formatDuration(ms, 'compact')))
      .toEqual(['0s', '0s', '59s', '4m05s', '2h07m', '3d04h']);
  });

  it('both presets cut at the same unit boundaries', () => {
    for (const ms of [59_999, 60_000, 3_599_999, 3_600_000, DAY_MS - 1, DAY_MS]) {
      expect(formatDuration(ms).replace(/[\d. ]/g, '').slice(0, 1)).toBe(formatDuration(ms, 'compact').replace(/\d/g, '').slice(0, 1));
    }
  });

  it('shows "-" for what is not a duration', () => {
    for (const preset of ['long', 'compact'] as const) {
      expect([-1, Number.NaN, Number.POSITIVE_INFINITY].map((ms) => formatDuration(ms, preset))).toEqual(['-', '-', '-']);
    }
  });
});

describe('formatBytes', () => {
  it('long: binary units with their names', () => {
    expect([0, 1023, 1024, 51_200_000, 3 * 1024 ** 4].map((n) => formatBytes(n))).toEqual(['0 B', '1023 B', '1.0 KiB', '48.8 MiB', '3.0 TiB']);
  });

  it('compact: one letter, within six characters', () => {
    expect([512, 51_200_000, 123 * 1024 * 1024, 1.25 * 1024 ** 3].map((n) => formatBytes(n, 'compact'))).toEqual(['512B', '48.8M', '123M', '1.3G']);
    for (const n of [0, 1023, 1024, 99.99 * 1024 ** 2, 1023.9 * 1024 ** 3]) expect(formatBytes(n, 'compact').length).toBeLessThanOrEqual(6);
  });

  it('shows "-" for what is not a size', () => {
    expect([formatBytes(-1), formatBytes(Number.NaN, 'compact')]).toEqual(['-', '-']);
  });
});

describe('formatClock', () => {
  it('is UTC whatever the local time zone', () => {
    const time = Date.UTC(2025, 0, 1, 23, 4, 5, 67);
    expect(formatClock(time)).toBe('23:04:05');
    expect(formatClock(time, true)).toBe('23:04:05.067');
  });
});

describe('formatPercent', () => {
  it('shows one decimal, "-" for what is not a number', () => {
    expect([0, 3.14, 100, Number.NaN].map(formatPercent)).toEqual(['0.0', '3.1', '100.0', '-']);
  });
});
