import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, loopbackAddresses, type Served } from '../helpers/clients.js';
import { isAlive, killAll, tryKill } from '../helpers/processes.js';
import { startLegacyApp } from '../helpers/legacy-app.js';
import { startFixture } from '../helpers/proxy-harness.js';
import { waitFor } from '../helpers/wait-for.js';

/**
 * Both accept paths: the original API (accept 'auto', the primary's hand-off), and kernel
 * accept, where the primary must accept from the dead slot's socket and hand those
 * connections to the key's next slot until the slot's worker is back.
 */
const starts: [string, () => Promise<number>][] = [
  ['primary accept (the original API)', async () => (await startLegacyApp({ APP: 'http', FORM: 'num', WORKERS: '2' })).port],
  ['kernel accept', async () => {
    const f = await startFixture('routing-server.js', { STICKY_WORKERS: '2', STICKY_ROUTING: '{"by":"ip","accept":"kernel"}' });
    expect((await f.status()).accept).toBe('kernel');
    return f.port;
  }],
];

describe.each(starts)('kill -9 of a worker under traffic, %s', (_name, start) => {
  let port: number;

  beforeAll(async () => {
    port = await start();
  });
  afterAll(killAll);

  it('refuses or resets no connection, falls the dead slot over, and brings its addresses back', async () => {
    const addresses = loopbackAddresses(20);
    const home = new Map<string, Served>();
    for (const addr of addresses) home.set(addr, await get(port, addr));
    const victim = home.get(addresses[0]!)!;
    const victimAddresses = addresses.filter((a) => home.get(a)!.slot === victim.slot);
    expect(victimAddresses.length).toBeGreaterThan(0);

    // A request the victim had already taken when it died dies with it (its connection was
    // the worker's); what the contract promises is that no connection made after is lost.
    const errors: { addr: string; startedAt: number; error: string }[] = [];
    let deadAt = Infinity;
    const servedBy = new Map<string, Served[]>();
    let running = true;
    const senders = addresses.map(async (addr) => {
      while (running) {
        const startedAt = Date.now();
        try {
          const s = await get(port, addr);
          servedBy.set(addr, [...(servedBy.get(addr) ?? []), s]);
        } catch (err) {
          errors.push({ addr, startedAt, error: String(err) });
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    });

    await waitFor(() => servedBy.size === addresses.length, 10_000, 'traffic from every address');
    expect(tryKill(victim.pid, 'SIGKILL')).toBe(true);
    await waitFor(() => !isAlive(victim.pid), 5000, 'the victim to die');
    deadAt = Date.now();

    // While the slot is down its addresses are served by the other worker.
    const sawFallback = () => victimAddresses.some((a) => (servedBy.get(a) ?? []).some((s) => s.slot !== victim.slot));
    // Then the slot comes back with a new pid and its addresses return to it.
    const returned = () => victimAddresses.every((a) => {
      const last = (servedBy.get(a) ?? []).at(-1);
      return last && last.slot === victim.slot && last.pid !== victim.pid;
    });
    await waitFor(returned, 15_000, 'the dead slot to return with a new pid');
    running = false;
    await Promise.all(senders);

    const afterDeath = errors.filter((e) => e.startedAt >= deadAt);
    expect(afterDeath).toEqual([]);
    // At most the one request each of the victim's addresses had in flight.
    for (const e of errors) expect(victimAddresses).toContain(e.addr);
    expect(errors.length).toBeLessThanOrEqual(victimAddresses.length);
    expect(sawFallback()).toBe(true);
    // Addresses of the surviving slot never moved.
    for (const a of addresses.filter((x) => !victimAddresses.includes(x))) {
      expect(new Set((servedBy.get(a) ?? []).map((s) => s.pid)).size).toBe(1);
    }
  });
});
