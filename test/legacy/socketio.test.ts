import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connected, loopbackAddresses, pollingClient, whoami } from '../helpers/clients.js';
import { killAll } from '../helpers/processes.js';
import { startLegacyApp } from '../helpers/legacy-app.js';

const CLIENTS = 50;
const ROUND_TRIPS = 10;

describe.each(['factory', 'num', 'options'])('socket.io polling through sticky(%s form)', (form) => {
  let port: number;

  beforeAll(async () => {
    ({ port } = await startLegacyApp({ APP: 'socketio', FORM: form, WORKERS: '2' }));
  });
  afterAll(killAll);

  it(`${CLIENTS} clients from distinct addresses, ${ROUND_TRIPS} acked emits each: no failure, each address on one worker`, async () => {
    const addresses = loopbackAddresses(CLIENTS);
    const failures: string[] = [];
    const pidsByAddress = new Map<string, Set<number>>();
    await Promise.all(addresses.map(async (addr) => {
      const socket = pollingClient(`http://127.0.0.1:${port}`, addr);
      try {
        await connected(socket);
        for (let i = 0; i < ROUND_TRIPS; i++) {
          const served = await whoami(socket);
          expect(served.remote).toBe(addr);
          const set = pidsByAddress.get(addr) ?? new Set();
          set.add(served.pid);
          pidsByAddress.set(addr, set);
        }
      } catch (err) {
        failures.push(`${addr}: ${String(err)}`);
      } finally {
        socket.close();
      }
    }));
    expect(failures).toEqual([]);
    for (const [addr, pids] of pidsByAddress) expect([addr, pids.size]).toEqual([addr, 1]);
    const workersUsed = new Set([...pidsByAddress.values()].flatMap((s) => [...s]));
    expect(workersUsed.size).toBeGreaterThanOrEqual(2);
  });
});
