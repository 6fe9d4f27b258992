// Kernel accept and a worker that stops (SIGSTOP: alive, holding its slot's socket, accepting
// nothing). There is no hand-off to time out: the kernel queues the slot's connections on
// the socket. Once the worker has answered no heartbeat for health.timeoutMs, the pool takes
// it off its slot and the primary accepts from that socket itself, handing the queued and
// the new connections to the next slot; the other slot is served throughout, and the slot
// comes back with a new worker.
import { afterEach, describe, expect, it } from 'vitest';
import { slotOfAddress } from '../../src/balancer/kernel/steer-program.js';
import { askAllAlong, get, loopbackAddresses, type Served } from '../helpers/clients.js';
import { isAlive } from '../helpers/processes.js';
import { startInstance, type Instance } from '../helpers/sticky-instance.js';
import { APP } from '../helpers/supervisor.js';
import { waitFor } from '../helpers/wait-for.js';

const HEARTBEAT_MS = 200;
const TIMEOUT_MS = 2000;
/** Overdue on one heartbeat tick, killed on the next; then a loaded machine's scheduling. */
const TAKE_OVER_MS = TIMEOUT_MS + 2 * HEARTBEAT_MS + 3000;

describe('a stopped worker under kernel accept', () => {
  let instance: Instance | undefined;
  afterEach(async () => {
    await instance?.cleanUp();
    instance = undefined;
  });

  it('has its slot socket taken over by the primary after health.timeoutMs: its clients are answered by the other worker, the healthy slot throughout', async () => {
    instance = await startInstance({ script: APP, health: { heartbeatMs: HEARTBEAT_MS, timeoutMs: TIMEOUT_MS, handoffTimeoutMs: 1000 } }, 2);
    expect(instance.online.accept).toBe('kernel');
    const { port } = instance;
    const slotOf = (addr: string): number => slotOfAddress(addr, { slots: 2, seed: 0 });
    const addrs = loopbackAddresses(40);
    const stuckAddrs = addrs.filter((a) => slotOf(a) === 0);
    const healthyAddrs = addrs.filter((a) => slotOf(a) === 1);
    expect(stuckAddrs.length).toBeGreaterThan(4);
    const stuckPid = instance.online.workers.find((w) => w.slot === 0)!.pid;
    const healthyPid = instance.online.workers.find((w) => w.slot === 1)!.pid;
    expect((await get(port, stuckAddrs[0]!)).pid).toBe(stuckPid);

    const healthy = askAllAlong(port, healthyAddrs);

    const stoppedAt = Date.now();
    process.kill(stuckPid, 'SIGSTOP');
    try {
      // Clients of the stopped slot keep arriving for a while: the first wait in its socket's
      // queue, the later ones arrive after the primary took the socket over.
      const asked: Promise<{ served: Served; at: number }>[] = [];
      for (let i = 0; i < 12; i++) {
        asked.push(get(port, stuckAddrs[i % stuckAddrs.length]!).then((served) => ({ served, at: Date.now() })));
        await new Promise((r) => setTimeout(r, 250));
      }
      const answers = await Promise.all(asked);
      for (const a of answers) {
        // The other slot's worker, or (on a loaded machine the last few can be answered after
        // the kill) slot 0's replacement: never the stopped worker.
        expect(a.served.pid).not.toBe(stuckPid);
        if (a.served.pid !== healthyPid) expect(a.served.slot).toBe('0');
        expect(a.at - stoppedAt).toBeLessThan(TAKE_OVER_MS);
      }
      const event = await waitFor(async () => (await instance!.status()).events?.find((e) => e.kind === 'worker-unresponsive' && e.pid === stuckPid), 15_000, 'the unresponsive event');
      expect(event.slot).toBe(0);
      await waitFor(() => !isAlive(stuckPid), 5000, 'the stopped worker to be killed');
    } finally {
      if (isAlive(stuckPid)) process.kill(stuckPid, 'SIGKILL');
    }
    const back = await waitFor(async () => {
      const w = (await instance!.status()).workers.find((x) => x.slot === 0 && x.state === 'online');
      return w && w.pid !== stuckPid ? w : undefined;
    }, 15_000, 'slot 0 to come back');
    await waitFor(async () => (await get(port, stuckAddrs[1]!)).pid === back.pid, 10_000, 'the slot\'s clients to return to it');

    const { served: healthyServed, errors: healthyErrors } = await healthy.stop();
    expect(healthyErrors).toEqual([]);
    expect(healthyServed).toBeGreaterThan(10);
  }, 90_000);
});
