import { describe, expect, it } from 'vitest';
import { RateTracker } from '../../src/dashboard/rates';

describe('connection rate from successive totals', () => {
  it('needs two samples, then divides the growth by the time between them', () => {
    const rates = new RateTracker(5_000);
    expect(rates.record('w', 1_000, 10)).toBeUndefined();
    expect(rates.record('w', 2_000, 13)).toBe(3);
    expect(rates.record('w', 3_000, 19)).toBe(4.5);
  });

  it('uses the process clock of the samples, not when they arrived', () => {
    const rates = new RateTracker(5_000);
    rates.record('w', 10_000, 0);
    // Two snapshots delivered together still span the second between them.
    expect(rates.record('w', 11_000, 100)).toBe(100);
  });

  it('forgets samples older than the window', () => {
    const rates = new RateTracker(2_000);
    rates.record('w', 0, 0);
    rates.record('w', 1_000, 1_000);
    rates.record('w', 2_000, 1_000);
    rates.record('w', 3_000, 1_000);
    expect(rates.record('w', 4_000, 1_000)).toBe(0);
  });

  it('starts again when the clock goes back or the total falls (a new process)', () => {
    const rates = new RateTracker();
    rates.record('w', 5_000, 500);
    rates.record('w', 6_000, 600);
    expect(rates.record('w', 100, 0)).toBeUndefined();
    expect(rates.record('w', 1_100, 2)).toBe(2);
    expect(rates.record('w', 2_100, 1)).toBeUndefined();
  });

  it('replaces a sample taken at the same instant instead of dividing by zero', () => {
    const rates = new RateTracker();
    rates.record('w', 1_000, 1);
    expect(rates.record('w', 1_000, 5)).toBeUndefined();
    expect(rates.record('w', 2_000, 7)).toBe(2);
  });

  it('drops processes that are gone', () => {
    const rates = new RateTracker();
    rates.record('a', 0, 0);
    rates.record('a', 1_000, 5);
    rates.retain(new Set(['b']));
    expect(rates.rate('a')).toBeUndefined();
  });
});
