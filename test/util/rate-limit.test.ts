import { describe, expect, it } from 'vitest';
import { RateLimit } from '../../src/util/rate-limit.js';

describe('RateLimit', () => {
  it('lets `max` through per interval and counts what it held back', () => {
    let now = 1000;
    const limit = new RateLimit(2, 100, () => now);
    expect([limit.allow(), limit.allow(), limit.allow(), limit.allow()]).toEqual([true, true, false, false]);
    now += 100;
    expect(limit.allow()).toBe(true);
    expect(limit.takeSuppressed()).toBe(2);
    expect(limit.takeSuppressed()).toBe(0);
  });
});
