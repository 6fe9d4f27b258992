import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { ConnectionRouter, Target } from '../../src/balancer/connection-router.js';
import type { SlotWorker } from '../../src/cluster/slot-worker.js';
import type { PoolEvents, WorkerPool } from '../../src/cluster/worker-pool.js';
import { routePool } from '../../src/primary/route-pool.js';

describe('routePool', () => {
  it('turns each of the pool\'s routing events into the router call that says the same', () => {
    const pool = new EventEmitter<PoolEvents>();
    const calls: unknown[][] = [];
    const router: ConnectionRouter = {
      markBooting: (slot) => calls.push(['markBooting', slot]),
      stopBooting: (slot) => calls.push(['stopBooting', slot]),
      setTarget: (t: Target) => calls.push(['setTarget', t]),
      removeTarget: (t: Target) => calls.push(['removeTarget', t]),
      acknowledge: (t: Target, id, ok) => calls.push(['acknowledge', t, id, ok]),
    };
    routePool(pool as unknown as WorkerPool, router);
    const w = { slot: 1, send: () => true } as unknown as SlotWorker;
    pool.emit('booting', 1);
    pool.emit('routable', w);
    pool.emit('ack', w, 9, false);
    pool.emit('unroutable', w);
    pool.emit('bootEnded', 2);
    expect(calls).toEqual([
      ['markBooting', 1], ['setTarget', w], ['acknowledge', w, 9, false], ['removeTarget', w], ['stopBooting', 2],
    ]);
  });
});
