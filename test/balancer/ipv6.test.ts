import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, loopbackAddresses } from '../helpers/clients.js';
import { killAll } from '../helpers/processes.js';
import { startLegacyApp } from '../helpers/legacy-app.js';
import { hashKey, Rendezvous } from '../../src/routing/hash.js';


/** The slot the balancer must pick for a key (seed 0, 2 slots, all up). */
function expectedSlot(key: string): string {
  return String(new Rendezvous(2, 0).pick(hashKey(key, 0), () => true));
}

describe('IPv6 and IPv4-mapped clients', () => {
  let port: number;

  beforeAll(async () => {
    // '::' is dual-stack: IPv4 clients arrive as ::ffff:a.b.c.d and must hash like a.b.c.d.
    ({ port } = await startLegacyApp({ APP: 'http', FORM: 'num', WORKERS: '2', HOST: '::' }));
  });
  afterAll(killAll);

  it('serves ::1 and routes it to the slot its key hashes to, every time', async () => {
    for (let i = 0; i < 5; i++) {
      const served = await get(port, '::1', { host: '::1' });
      expect(served.remote).toBe('::1');
      expect(served.slot).toBe(expectedSlot('::1'));
    }
  });

  it('routes IPv4-mapped peers by their IPv4 address', async () => {
    const addresses = loopbackAddresses(20);
    const slots = new Set<string>();
    for (const addr of addresses) {
      for (let i = 0; i < 2; i++) {
        const served = await get(port, addr, { host: '127.0.0.1' });
        expect(served.remote).toBe(`::ffff:${addr}`);
        expect([addr, served.slot]).toEqual([addr, expectedSlot(addr)]);
        slots.add(served.slot);
      }
    }
    expect(slots.size).toBe(2);
  });
});
