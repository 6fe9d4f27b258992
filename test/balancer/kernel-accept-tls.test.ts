// An https server under kernel accept: the workers accept TLS connections from their slot's
// socket themselves, and socket.io clients polling from distinct loopback addresses are all
// served, each address by the worker of the slot the hash names (the primary reads nothing).
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slotOfAddress } from '../../src/balancer/kernel/steer-program.js';
import { connected, loopbackAddresses, pollingClient } from '../helpers/clients.js';
import { selfSignedCert, startFixture, type Fixture } from '../helpers/proxy-harness.js';

const WORKERS = 2;
const tls = selfSignedCert();
let fixture: Fixture;

beforeAll(async () => {
  fixture = await startFixture('routing-server.js', {
    STICKY_WORKERS: String(WORKERS), STICKY_ROUTING: '{"by":"ip"}', STICKY_TLS_KEY: tls.key, STICKY_TLS_CERT: tls.cert,
  });
});
afterAll(async () => {
  await fixture?.stop();
  rmSync(tls.dir, { recursive: true, force: true });
});

describe('https under kernel accept (auto on Linux)', () => {
  it('serves socket.io polling clients from 24 addresses with 0 failures, each address on its slot\'s worker', async () => {
    const status = await fixture.status();
    expect(status.accept).toBe('kernel');
    const pidOfSlot = new Map(status.workers.map((w) => [w.slot, w.pid]));
    const failures: string[] = [];
    const served: [string, number[]][] = [];
    await Promise.all(loopbackAddresses(24).map(async (addr) => {
      const socket = pollingClient(`https://127.0.0.1:${fixture.port}`, addr);
      try {
        await connected(socket);
        const pids: number[] = [];
        for (let i = 0; i < 4; i++) pids.push(((await socket.timeout(10_000).emitWithAck('ping-worker')) as { pid: number }).pid);
        served.push([addr, pids]);
      } catch (err) {
        failures.push(`${addr}: ${String(err)}`);
      } finally {
        socket.close();
      }
    }));
    expect(failures).toEqual([]);
    for (const [addr, pids] of served) {
      const pid = pidOfSlot.get(slotOfAddress(addr, { slots: WORKERS, seed: 0 }));
      expect([addr, pids]).toEqual([addr, [pid, pid, pid, pid]]);
    }
    expect(new Set(served.flatMap(([, p]) => p)).size).toBe(WORKERS);
    // Every connection was accepted by a worker: the primary hands nothing off.
    expect((await fixture.status()).pending).toBe(0);
  });
});
