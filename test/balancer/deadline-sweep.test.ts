import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DeadlineSweep } from '../../src/balancer/deadline-sweep.js';
import { waitFor } from '../helpers/wait-for.js';

interface Entry { name: string; deadline: number; addedAt: number }

function entry(name: string): Entry {
  return { name, deadline: 0, addedAt: performance.now() };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('DeadlineSweep', () => {
  it('expires each entry no sooner than its timeout and within the slack after it, in order', async () => {
    const expired: { name: string; after: number }[] = [];
    const sweep = new DeadlineSweep<Entry>(150, (e) => expired.push({ name: e.name, after: performance.now() - e.addedAt }), 40);
    const a = entry('a');
    sweep.add(a);
    await new Promise((resolve) => setTimeout(resolve, 60));
    const b = entry('b');
    sweep.add(b);
    expect(sweep.size).toBe(2);
    await waitFor(() => expired.length === 2, 5000, 'both expired');
    expect(expired.map((e) => e.name)).toEqual(['a', 'b']);
    for (const e of expired) expect(e.after).toBeGreaterThanOrEqual(149);
    expect(sweep.size).toBe(0);
  });

  it('never expires an entry deleted before its deadline', async () => {
    const expired: string[] = [];
    const sweep = new DeadlineSweep<Entry>(50, (e) => expired.push(e.name), 10);
    const gone = entry('gone');
    const kept = entry('kept');
    sweep.add(gone);
    sweep.add(kept);
    expect(sweep.delete(gone)).toBe(true);
    expect(sweep.delete(gone)).toBe(false);
    await waitFor(() => expired.length === 1, 5000, 'the kept entry expired');
    expect(expired).toEqual(['kept']);
  });

  it('runs one timer for any number of entries', async () => {
    const spy = vi.spyOn(globalThis, 'setTimeout');
    let expired = 0;
    const sweep = new DeadlineSweep<Entry>(30, () => expired++, 10);
    for (let i = 0; i < 1000; i++) sweep.add(entry(String(i)));
    expect(spy).toHaveBeenCalledTimes(1);
    await waitFor(() => expired === 1000, 5000, 'every entry expired');
    // One arm per sweep that found entries not due yet; never one per entry.
    expect(spy.mock.calls.length).toBeLessThan(20);
  });

  it('clear forgets every entry and stops the timer', async () => {
    let expired = 0;
    const sweep = new DeadlineSweep<Entry>(20, () => expired++, 5);
    sweep.add(entry('a'));
    sweep.clear();
    expect(sweep.size).toBe(0);
    const later = entry('later');
    const done = new Promise<void>((resolve) => {
      const s2 = new DeadlineSweep<Entry>(60, () => resolve(), 5);
      s2.add(later);
    });
    await done;
    expect(expired).toBe(0);
  });
});
