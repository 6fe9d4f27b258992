import { describe, expect, it } from 'vitest';
import { Backoff } from '../../src/cluster/backoff.js';

describe('restart backoff', () => {
  const opts = { minUptimeMs: 1000, maxBackoffMs: 15_000 };

  it('doubles from 100 ms while workers die young, then holds the cap once errored', () => {
    const b = new Backoff(opts);
    expect([b.next(10), b.next(10)]).toEqual([100, 200]);
    expect(b.errored).toBe(false);
    expect(b.next(10)).toBe(15_000);
    expect(b.errored).toBe(true);
    expect(b.next(10)).toBe(15_000);
  });

  it('never exceeds the cap', () => {
    const b = new Backoff({ ...opts, maxBackoffMs: 150, erroredAfter: 100 });
    expect([b.next(0), b.next(0), b.next(0)]).toEqual([100, 150, 150]);
  });

  it('resets after a healthy stretch', () => {
    const b = new Backoff(opts);
    b.next(10);
    b.next(10);
    expect(b.next(5000)).toBe(100);
    expect(b.errored).toBe(false);
    expect(b.consecutiveFailures).toBe(0);
  });
});
