import type { ConnectionRouter } from '../balancer/connection-router.js';
import type { WorkerPool } from '../cluster/worker-pool.js';

/**
 * Tells `router` what the pool's slots can take, as Node's cluster tells a listening handle
 * add(worker)/remove(worker): the pool and the router never see each other, so the accept
 * path can be swapped without touching the pool.
 */
export function routePool(pool: WorkerPool, router: ConnectionRouter): void {
  pool.on('booting', (slot) => router.markBooting(slot));
  pool.on('bootEnded', (slot) => router.stopBooting(slot));
  pool.on('routable', (w) => router.setTarget(w));
  pool.on('unroutable', (w) => router.removeTarget(w));
  pool.on('ack', (w, id, ok) => router.acknowledge(w, id, ok));
  pool.on('resize', (count) => router.resize(count));
}
