import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import { loopbackAddresses } from '../helpers/clients.js';
import { killAll } from '../helpers/processes.js';
import { startLegacyApp } from '../helpers/legacy-app.js';


function ask(port: number, localAddress: string): Promise<{ pid: number; remote: string }> {
  return new Promise((resolvePromise, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1', localAddress });
    let body = '';
    socket.setEncoding('utf8');
    socket.on('data', (d) => (body += d));
    socket.on('end', () => resolvePromise(JSON.parse(body)));
    socket.on('error', reject);
    socket.setTimeout(10_000, () => socket.destroy(new Error('timeout')));
  });
}

describe('a bare net.Server', () => {
  let port: number;

  beforeAll(async () => {
    ({ port } = await startLegacyApp({ APP: 'net', FORM: 'num', WORKERS: '2' }));
  });
  afterAll(killAll);

  it('gets handed-off sockets with the real peer address, sticky per address', async () => {
    const seen = new Map<string, Set<number>>();
    await Promise.all(loopbackAddresses(20).map(async (addr) => {
      for (let i = 0; i < 3; i++) {
        const r = await ask(port, addr);
        expect(r.remote).toBe(addr);
        seen.set(addr, (seen.get(addr) ?? new Set()).add(r.pid));
      }
    }));
    for (const pids of seen.values()) expect(pids.size).toBe(1);
    expect(new Set([...seen.values()].flatMap((s) => [...s])).size).toBe(2);
  });
});
