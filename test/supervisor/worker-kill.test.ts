import { afterAll, describe, expect, it } from 'vitest';
import { get, loopbackAddresses, type Served } from '../helpers/clients.js';
import { isAlive, killAll, tryKill } from '../helpers/processes.js';
import { startSupervisor } from '../helpers/supervisor.js';
import { waitFor } from '../helpers/wait-for.js';

describe('kill -9 of a worker under the supervisor', () => {
  afterAll(killAll);

  it('restarts it in its slot after the backoff while the other slot serves its addresses', async () => {
    const sup = await startSupervisor({ workers: 2 });
    const addresses = loopbackAddresses(20);
    const home = new Map<string, Served>();
    for (const addr of addresses) home.set(addr, await get(sup.port, addr));
    const victim = home.get(addresses[0]!)!;
    const victimAddresses = addresses.filter((a) => home.get(a)!.slot === victim.slot);

    // A request the victim had already adopted dies with it (kill -9 takes its sockets);
    // no request started after the kill may fail.
    // Whether a request began after the kill is a flag read when it begins: a millisecond
    // clock would count a request begun in the kill's millisecond, just before it, as after.
    const errors: { addr: string; afterKill: boolean; err: string }[] = [];
    let killed = false;
    const servedBy = new Map<string, Served[]>();
    let running = true;
    const senders = addresses.map(async (addr) => {
      while (running) {
        const afterKill = killed;
        try {
          const s = await get(sup.port, addr);
          servedBy.set(addr, [...(servedBy.get(addr) ?? []), s]);
        } catch (err) {
          errors.push({ addr, afterKill, err: String(err) });
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    });
    try {
      await waitFor(() => servedBy.size === addresses.length, 10_000, 'traffic from every address');
      expect(tryKill(victim.pid, 'SIGKILL')).toBe(true);
      killed = true;
      await waitFor(() => !isAlive(victim.pid), 5000, 'the victim to die');
      const back = await waitFor(async () => {
        const w = (await sup.status()).workers.find((x) => x.slot === Number(victim.slot));
        return w && w.state === 'online' && w.pid !== victim.pid ? w : null;
      }, 10_000, 'the slot to be online again with a new pid');
      expect(back.restarts).toBe(1);
      await waitFor(() => victimAddresses.every((a) => servedBy.get(a)!.at(-1)!.pid === back.pid), 10_000, 'its addresses to return');
    } finally {
      running = false;
      await Promise.all(senders);
    }

    expect(errors.filter((e) => e.afterKill)).toEqual([]);
    expect(errors.filter((e) => !victimAddresses.includes(e.addr))).toEqual([]);
    expect(victimAddresses.some((a) => servedBy.get(a)!.some((s) => s.slot !== victim.slot))).toBe(true);
    const crash = (await sup.status()).events!.find((e) => e.kind === 'worker-crash');
    expect(crash?.message).toMatch(new RegExp(`worker ${victim.pid} \\(slot ${victim.slot}\\) was killed by SIGKILL; restarting in 100 ms`));
  });
});
