import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, loopbackAddresses } from '../helpers/clients.js';
import { killAll } from '../helpers/processes.js';
import { startLegacyApp } from '../helpers/legacy-app.js';


describe.each(['server', 'factory', 'num', 'options'])('plain HTTP through sticky(%s form)', (form) => {
  let port: number;

  beforeAll(async () => {
    ({ port } = await startLegacyApp({ APP: 'http', FORM: form, WORKERS: '2' }));
  });
  afterAll(killAll);

  it('50 addresses x 4 requests on fresh connections: every request served, each address on one worker', async () => {
    const byAddress = new Map<string, Set<number>>();
    await Promise.all(loopbackAddresses(50).map(async (addr) => {
      for (let i = 0; i < 4; i++) {
        const served = await get(port, addr);
        expect(served.remote).toBe(addr);
        expect(served.workerId).toMatch(/^\d+$/);
        byAddress.set(addr, (byAddress.get(addr) ?? new Set()).add(served.pid));
      }
    }));
    for (const pids of byAddress.values()) expect(pids.size).toBe(1);
    expect(new Set([...byAddress.values()].flatMap((s) => [...s])).size).toBe(2);
  });
});
