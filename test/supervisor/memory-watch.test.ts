import { afterEach, describe, expect, it } from 'vitest';
import type { SlotWorker } from '../../src/cluster/slot-worker.js';
import type { Slot } from '../../src/cluster/worker-pool.js';
import { MemoryWatch } from '../../src/supervisor/memory-watch.js';

const LIMIT = 100;
const HOUR_MS = 3_600_000;

function slot(index: number, pid: number, state = 'online'): Slot {
  return { index, current: { pid, state } as SlotWorker, incoming: undefined } as Slot;
}

describe('MemoryWatch', () => {
  let watch: MemoryWatch | undefined;
  afterEach(() => watch?.stop());

  it('hands over each online worker above the limit once, and none at or below it', async () => {
    const slots = [slot(0, 10), slot(1, 11), slot(2, 12, 'starting'), slot(3, 13)];
    const rss: Record<number, number> = { 10: LIMIT + 1, 11: LIMIT, 12: LIMIT * 5, 13: LIMIT * 2 };
    const replaced: [number, number, number][] = [];
    watch = new MemoryWatch({ slots }, LIMIT, (s, w, bytes) => {
      replaced.push([s.index, w.pid, bytes]);
      return new Promise(() => undefined);
    }, HOUR_MS, async (pid) => rss[pid]);
    await watch.check();
    expect(replaced).toEqual([[0, 10, LIMIT + 1], [3, 13, LIMIT * 2]]);
    // Still being replaced: not handed over again.
    await watch.check();
    expect(replaced).toHaveLength(2);
  });

  it('skips a slot already starting a replacement and a pid whose RSS cannot be read', async () => {
    const busy = slot(0, 20);
    busy.incoming = { pid: 21 } as SlotWorker;
    const replaced: number[] = [];
    watch = new MemoryWatch({ slots: [busy, slot(1, 22)] }, LIMIT, async (_s, w) => {
      replaced.push(w.pid);
    }, HOUR_MS, async (pid) => (pid === 22 ? undefined : LIMIT * 3));
    await watch.check();
    expect(replaced).toEqual([]);
  });

  it('once the slot has a new worker, the old one is forgotten; the new one is watched', async () => {
    const s = slot(0, 30);
    const rss: Record<number, number> = { 30: LIMIT * 2, 31: LIMIT * 2 };
    const replaced: number[] = [];
    watch = new MemoryWatch({ slots: [s] }, LIMIT, async (x, w) => {
      replaced.push(w.pid);
      x.current = { pid: w.pid + 1, state: 'online' } as SlotWorker;
    }, HOUR_MS, async (pid) => rss[pid]);
    await watch.check();
    await new Promise((r) => setImmediate(r));
    await watch.check();
    expect(replaced).toEqual([30, 31]);
  });
});
