// Several machines behind nginx (templates/nginx-several-hosts.conf: hash $remote_addr
// consistent, X-Forwarded-For): two `sticky start` instances with 2 workers each in header
// mode, a real redis-server carrying socket.io's Redis adapter between all 4 workers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSeveralHosts, type Client, type SeveralHosts } from '../helpers/several-hosts.js';
import { waitFor } from '../helpers/wait-for.js';

const CLIENTS = 24;
const WORKERS = 2;

let setup: SeveralHosts;
let clients: Client[] = [];

beforeAll(async () => {
  setup = await startSeveralHosts('nginx', 'header', WORKERS);
}, 60_000);
afterAll(() => setup?.cleanUp());

describe('two hosts behind nginx, Redis adapter between every worker', () => {
  it(`${CLIENTS} polling clients: no failure, both hosts used, none misrouted; a broadcast reaches all`, async () => {
    clients = setup.connect(CLIENTS);
    await waitFor(() => clients.every((c) => c.who), 20_000, 'every client connected and answered');
    for (const c of clients) expect(c.served).toHaveLength(1);
    expect(new Set(clients.map((c) => c.who!.host)).size).toBe(2);

    await clients[0]!.socket.timeout(5000).emitWithAck('shout', 'first');
    await waitFor(() => clients.every((c) => c.news.includes('first')), 10_000, 'the broadcast on every client');
    const misrouted = await Promise.all(setup.hosts.map(async (h) => (await h.status()).connections.misrouted));
    expect(misrouted).toEqual([0, 0]);
  });

  it("stopping one host: its clients reconnect through nginx to the other, the other's stay put, broadcasts still reach everyone", async () => {
    const [a, b] = setup.hosts;
    const onA = clients.filter((c) => c.who!.host === 'a');
    const onB = new Map(clients.filter((c) => c.who!.host === 'b').map((c) => [c, c.who!.pid]));

    await a.stop();
    await waitFor(() => onA.every((c) => c.who?.host === 'b'), 20_000, "host a's clients served by host b");
    for (const [c, pid] of onB) expect([c.address, c.served.length, c.who?.pid]).toEqual([c.address, 1, pid]);

    await onA[0]!.socket.timeout(5000).emitWithAck('shout', 'after failover');
    await waitFor(() => clients.every((c) => c.news.includes('after failover')), 10_000, 'the broadcast after failover');
    expect((await b.status()).connections.misrouted).toBe(0);
  });
});
