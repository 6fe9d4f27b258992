// Several machines, played by two `sticky start` instances on their own ports: HAProxy in
// front (templates/haproxy-several-hosts.cfg: balance source, hash-type consistent,
// send-proxy-v2), each instance with 2 workers in proxy-protocol mode, and a real redis-server
// carrying socket.io's Redis adapter between all 4 workers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSeveralHosts, type Client, type SeveralHosts } from '../helpers/several-hosts.js';
import { waitFor } from '../helpers/wait-for.js';

const CLIENTS = 40;
const WORKERS = 2;

let setup: SeveralHosts;
let clients: Client[] = [];

beforeAll(async () => {
  setup = await startSeveralHosts('haproxy', 'proxy-protocol', WORKERS);
}, 60_000);
afterAll(() => setup?.cleanUp());

describe('two hosts behind HAProxy, Redis adapter between every worker', () => {
  it(`${CLIENTS} polling clients from distinct addresses: no failure, all 4 workers used, each sees its client's own address`, async () => {
    clients = setup.connect(CLIENTS);
    await waitFor(() => clients.every((c) => c.who), 20_000, 'every client connected and answered');
    for (const c of clients) {
      expect(c.served).toHaveLength(1);
      expect(c.who!.address).toBe(c.address);
    }
    const workers = new Set(clients.map((c) => `${c.who!.host}/${c.who!.pid}`));
    expect(workers.size).toBe(2 * WORKERS);
  });

  it('one io.emit reaches all of them, across both hosts', async () => {
    await clients[0]!.socket.timeout(5000).emitWithAck('shout', 'first');
    await waitFor(() => clients.every((c) => c.news.includes('first')), 10_000, 'the broadcast on every client');
    expect(clients.map((c) => c.news)).toEqual(clients.map(() => ['first']));
  });

  it("stopping one host: its clients reconnect through HAProxy to the other, the other's stay put, broadcasts still reach everyone", async () => {
    const [a, b] = setup.hosts;
    const onA = clients.filter((c) => c.who!.host === 'a');
    const onB = new Map(clients.filter((c) => c.who!.host === 'b').map((c) => [c, c.who!.pid]));
    expect(onA.length).toBeGreaterThan(0);
    expect(onB.size).toBeGreaterThan(0);

    await a.stop();
    await waitFor(() => onA.every((c) => c.who?.host === 'b'), 20_000, "host a's clients served by host b");
    for (const c of onA) expect(c.who!.address).toBe(c.address);
    for (const [c, pid] of onB) expect([c.address, c.served.length, c.who?.pid]).toEqual([c.address, 1, pid]);

    await onA[0]!.socket.timeout(5000).emitWithAck('shout', 'after failover');
    await waitFor(() => clients.every((c) => c.news.includes('after failover')), 10_000, 'the broadcast after failover');
    // HAProxy's health checks speak the PROXY protocol too: none counts as a bad connection.
    expect((await b.status()).connections.rejected).toBe(0);
  });
});
