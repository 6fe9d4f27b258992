import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, loopbackAddresses } from '../helpers/clients.js';
import { startInstance, type Instance } from '../helpers/sticky-instance.js';

const APP = resolve(__dirname, '../fixtures/broadcast-app.js');
const ADDRESSES = 60;
const REQUESTS_EACH = 4;
const BODY_BYTES = 256 * 1024;

interface Echo {
  pid: number;
  length: number;
  sha256: string;
}

function post(port: number, localAddress: string, forwardedFor: string, body: Buffer): Promise<Echo> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1', port, method: 'POST', path: '/echo', localAddress, agent: false, timeout: 10_000,
      headers: { 'x-forwarded-for': forwardedFor, 'content-length': body.length },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve(JSON.parse(text) as Echo));
    });
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    // Head and body in one write, so the primary's first read holds body bytes it must pass on.
    req.end(body);
  });
}

// broadcast: 'cluster' switches the cluster channel to serialization: 'advanced' (for
// Buffers in broadcasts); connection hand-off sends handles with keepOpen on that channel, and
// kernel accept sends each worker its slot's listening socket on it.
describe("connection hand-off over the cluster channel with serialization: 'advanced'", () => {
  let apps: Instance[] = [];
  const ipPorts = new Map<string, number>();
  let headerPort: number;

  beforeAll(async () => {
    const routings = [{ by: 'ip', accept: 'primary' }, { by: 'ip', accept: 'kernel' }, { by: 'header' }];
    apps = await Promise.all(routings.map((routing) => startInstance({
      name: `advanced-${routing.by}-${routing.accept ?? ''}`, script: APP, broadcast: 'cluster', env: { BROADCAST: 'cluster' }, routing,
    }, 2)));
    for (const [i, accept] of (['primary', 'kernel'] as const).entries()) {
      expect(apps[i]!.online.accept).toBe(accept);
      ipPorts.set(accept, apps[i]!.port);
    }
    headerPort = apps[2]!.port;
    // Three instances of two workers each start at once.
  }, 45_000);
  afterAll(() => Promise.all(apps.map((a) => a.cleanUp())));

  it.each(['primary', 'kernel'])(`ip mode, %s accept: ${ADDRESSES} addresses x ${REQUESTS_EACH} fresh connections, concurrently: every one answered, each address on one worker`, async (accept) => {
    const ipPort = ipPorts.get(accept)!;
    const failures: string[] = [];
    const pidsByAddress = new Map<string, Set<number>>();
    await Promise.all(loopbackAddresses(ADDRESSES).map(async (addr) => {
      const results = await Promise.allSettled(Array.from({ length: REQUESTS_EACH }, () => get(ipPort, addr)));
      for (const r of results) {
        if (r.status === 'rejected') {
          failures.push(`${addr}: ${String(r.reason)}`);
          continue;
        }
        expect(r.value.remote).toBe(addr);
        const set = pidsByAddress.get(addr) ?? new Set();
        set.add(r.value.pid);
        pidsByAddress.set(addr, set);
      }
    }));
    expect(failures).toEqual([]);
    for (const [addr, pids] of pidsByAddress) expect([addr, pids.size]).toEqual([addr, 1]);
    expect(new Set([...pidsByAddress.values()].flatMap((s) => [...s])).size).toBe(2);
  });

  it('header mode: the bytes the primary read reach the worker byte-exact (binary bodies, 20 clients)', async () => {
    const bodies = Array.from({ length: 20 }, () => randomBytes(BODY_BYTES));
    const echoes = await Promise.all(bodies.map((body, i) => post(headerPort, '127.0.0.1', `203.0.113.${i + 1}`, body)));
    for (const [i, echo] of echoes.entries()) {
      expect(echo.length).toBe(BODY_BYTES);
      expect(echo.sha256).toBe(createHash('sha256').update(bodies[i]!).digest('hex'));
    }
    expect(new Set(echoes.map((e) => e.pid)).size).toBe(2);
  });
});
