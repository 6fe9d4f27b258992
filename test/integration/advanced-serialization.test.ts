import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, loopbackAddresses } from '../helpers/clients.js';
import { killAll, startNode, type Started } from '../helpers/processes.js';

const APP = resolve(__dirname, '../fixtures/broadcast-app.js');
const ADDRESSES = 60;
const REQUESTS_EACH = 4;

// broadcast: 'cluster' switches the cluster channel to serialization: 'advanced' (for
// Buffers in broadcasts); connection hand-off sends handles with keepOpen on that channel.
describe("connection hand-off over the cluster channel with serialization: 'advanced'", () => {
  let app: Started;
  let port: number;

  beforeAll(async () => {
    app = startNode(APP, [], { BROADCAST: 'cluster' });
    port = Number((await app.line(/^LISTENING (\d+)$/))[1]);
  });
  afterAll(killAll);

  it(`${ADDRESSES} addresses x ${REQUESTS_EACH} fresh connections, concurrently: every one answered, each address on one worker`, async () => {
    const failures: string[] = [];
    const pidsByAddress = new Map<string, Set<number>>();
    await Promise.all(loopbackAddresses(ADDRESSES).map(async (addr) => {
      const results = await Promise.allSettled(Array.from({ length: REQUESTS_EACH }, () => get(port, addr)));
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
});
