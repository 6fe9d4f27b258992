// A rolling reload under load on the kernel accept path: the old and the new worker of a slot
// both hold the slot's socket for a while, and the old one, drained, closes only its own
// descriptor (closing the group's socket would let the kernel move another socket into its
// index and reset its queue). So no request from any address fails, and every address is
// served by the same slot before and after.
import { afterAll, describe, expect, it } from 'vitest';
import { slotOfAddress } from '../../src/balancer/kernel/steer-program.js';
import { get, loopbackAddresses, type Served } from '../helpers/clients.js';
import { killAll } from '../helpers/processes.js';
import { onlinePids, startSupervisor } from '../helpers/supervisor.js';
import { waitFor } from '../helpers/wait-for.js';

const RELOADS = 2;
const WORKERS = 2;

describe('rolling reload under load with routing.accept "kernel"', () => {
  afterAll(killAll);

  it('fails no request from 16 addresses during the reloads, and each address keeps its slot', async () => {
    const sup = await startSupervisor({
      workers: WORKERS,
      routing: { by: 'ip', seed: 0, ipv4Prefix: 32, ipv6Prefix: 128, maxPending: 10_000, accept: 'kernel' },
      reload: { drainTimeoutMs: 1500 },
    });
    expect((await sup.status()).accept).toBe('kernel');

    const addresses = loopbackAddresses(16);
    const served = new Map<string, Served[]>();
    const errors: string[] = [];
    let running = true;
    const senders = addresses.map(async (addr) => {
      while (running) {
        try {
          const s = await get(sup.port, addr);
          served.set(addr, [...(served.get(addr) ?? []), s]);
        } catch (err) {
          errors.push(`${addr}: ${String(err)}`);
        }
      }
    });
    const count = (): number => [...served.values()].reduce((n, s) => n + s.length, 0);

    try {
      await waitFor(() => served.size === addresses.length, 10_000, 'traffic from every address');
      for (let i = 0; i < RELOADS; i++) {
        const before = onlinePids(await sup.status());
        const { reply } = await sup.reload();
        expect(reply, `reload ${i + 1}`).toMatchObject({ ok: true });
        const after = onlinePids(await sup.status());
        expect(after).toHaveLength(WORKERS);
        expect(after.filter((pid) => before.includes(pid)), `reload ${i + 1}: pids ${before} -> ${after}`).toEqual([]);
      }
      // Traffic after the last reload, served by the new workers.
      const finalPids = onlinePids(await sup.status());
      const atEnd = count();
      await waitFor(() => count() > atEnd + 4 * addresses.length
        && addresses.every((a) => finalPids.includes(served.get(a)!.at(-1)!.pid)), 20_000, 'load on the new workers');
    } finally {
      running = false;
      await Promise.all(senders);
    }

    expect(errors).toEqual([]);
    expect((await sup.status()).accept).toBe('kernel');
    // Sticky throughout: every answer to an address came from the slot its hash names.
    for (const addr of addresses) {
      const slots = new Set(served.get(addr)!.map((s) => Number(s.slot)));
      expect([addr, [...slots]]).toEqual([addr, [slotOfAddress(addr, { slots: WORKERS, seed: 0 })]]);
    }
  });
});
