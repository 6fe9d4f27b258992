import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { connected, get, loopbackAddresses, pollingClient, whoami } from '../helpers/clients.js';
import { killAll } from '../helpers/processes.js';
import { startLegacyApp } from '../helpers/legacy-app.js';
import { selfSignedCert } from '../helpers/tls.js';


describe('an https server adopting handed-off plain sockets', () => {
  let port: number;
  const tls = selfSignedCert();

  beforeAll(async () => {
    ({ port } = await startLegacyApp({ APP: 'https', SOCKETIO: '1', FORM: 'num', WORKERS: '2', TLS_KEY: tls.key, TLS_CERT: tls.cert }));
  });
  afterAll(async () => {
    await killAll();
    rmSync(tls.dir, { recursive: true, force: true });
  });

  it('serves HTTPS requests, each address on one worker', async () => {
    const seen = new Map<string, Set<number>>();
    await Promise.all(loopbackAddresses(20).map(async (addr) => {
      for (let i = 0; i < 3; i++) {
        const served = await get(port, addr, { tls: true });
        seen.set(addr, (seen.get(addr) ?? new Set()).add(served.pid));
      }
    }));
    for (const pids of seen.values()) expect(pids.size).toBe(1);
  });

  it('socket.io polling over TLS from 30 addresses: 0 failures', async () => {
    const failures: string[] = [];
    const pids = new Set<number>();
    await Promise.all(loopbackAddresses(30, 40).map(async (addr) => {
      const socket = pollingClient(`https://127.0.0.1:${port}`, addr);
      try {
        await connected(socket);
        for (let i = 0; i < 5; i++) pids.add((await whoami(socket)).pid);
      } catch (err) {
        failures.push(`${addr}: ${String(err)}`);
      } finally {
        socket.close();
      }
    }));
    expect(failures).toEqual([]);
    expect(pids.size).toBe(2);
  });
});
