import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Socket as ClientSocket } from 'socket.io-client';
import { connected, loopbackAddresses, pollingClient, whoami } from '../helpers/clients.js';
import { startInstance, type Instance } from '../helpers/sticky-instance.js';
import { waitFor } from '../helpers/wait-for.js';

const APP = resolve(__dirname, '../fixtures/broadcast-app.js');
const CLIENTS = 16;

interface News {
  text: string;
  from: number;
  bytes: unknown;
}

async function connectAll(port: number, start: number): Promise<{ socket: ClientSocket; pid: number; news: News[] }[]> {
  return Promise.all(loopbackAddresses(CLIENTS, start).map(async (addr) => {
    const socket = pollingClient(`http://127.0.0.1:${port}`, addr);
    const news: News[] = [];
    socket.on('news', (n: News) => news.push(n));
    await connected(socket);
    const { pid } = await whoami(socket);
    return { socket, pid, news };
  }));
}

describe.each([
  { broadcast: 'cluster', reach: 'every client on every worker' },
  { broadcast: 'off', reach: "only the emitting worker's clients" },
])('io.emit with broadcast $broadcast', ({ broadcast }) => {
  let app: Instance;
  let clients: Awaited<ReturnType<typeof connectAll>>;

  beforeAll(async () => {
    const on = broadcast === 'cluster';
    app = await startInstance({
      name: `broadcast-${broadcast}`, script: APP, broadcast: on ? 'cluster' : false, env: on ? { BROADCAST: 'cluster' } : {},
    }, 2);
    // The default accept path on Linux: each worker accepts from its slot's socket.
    expect(app.online.accept).toBe('kernel');
    clients = await connectAll(app.port, on ? 0 : 100);
  }, 30_000);
  afterAll(async () => {
    for (const c of clients ?? []) c.socket.close();
    await app?.cleanUp();
  });

  it(broadcast === 'cluster' ? 'reaches every client on both workers, Buffers intact' : "reaches only the emitting worker's clients", async () => {
    const pids = new Set(clients.map((c) => c.pid));
    expect(pids.size).toBe(2);
    const sender = clients[0]!;
    await sender.socket.timeout(5000).emitWithAck('shout', 'hello everyone');
    const expected = broadcast === 'cluster' ? clients : clients.filter((c) => c.pid === sender.pid);
    await waitFor(() => expected.every((c) => c.news.length === 1), 10_000, 'the broadcast on every expected client');
    for (const c of expected) {
      const [n] = c.news;
      expect(n!.text).toBe('hello everyone');
      expect(n!.from).toBe(sender.pid);
      expect(Buffer.isBuffer(n!.bytes)).toBe(true);
      expect([...(n!.bytes as Buffer)]).toEqual([0, 1, 2, 253, 254, 255]);
    }
    if (broadcast !== 'cluster') {
      // A second shout from the other worker proves the first one had time to arrive anywhere.
      const other = clients.find((c) => c.pid !== sender.pid)!;
      await other.socket.timeout(5000).emitWithAck('shout', 'second');
      const others = clients.filter((c) => c.pid !== sender.pid);
      await waitFor(() => others.every((c) => c.news.length === 1), 10_000, 'the second broadcast');
      expect(clients.filter((c) => c.pid === sender.pid).every((c) => c.news.length === 1)).toBe(true);
      expect(others.every((c) => c.news.map((n) => n.text).join() === 'second')).toBe(true);
    }
  });

  if (broadcast === 'cluster') {
    it('ignores malformed adapter messages from a worker and keeps relaying', async () => {
      const [a, b] = [clients[0]!, clients.find((c) => c.pid !== clients[0]!.pid)!];
      await a.socket.timeout(5000).emitWithAck('junk');
      await b.socket.timeout(5000).emitWithAck('shout', 'still here');
      await waitFor(() => clients.every((c) => c.news.some((n) => n.text === 'still here')), 10_000, 'the broadcast after junk');
      expect(app.primary.child.exitCode).toBe(null);
    });

    it("fetchSockets() counts every worker's clients, and after a worker dies answers without waiting for its heartbeat timeout", async () => {
      const [a] = clients;
      const count = await a!.socket.timeout(5000).emitWithAck('count');
      expect(count).toEqual({ ok: CLIENTS });

      const victim = clients.find((c) => c.pid !== a!.pid)!;
      victim.socket.emit('die');
      const victims = clients.filter((c) => c.pid === victim.pid);
      await waitFor(() => victims.every((c) => !c.socket.connected), 10_000, "the dead worker's clients to drop");
      // The adapter would wait for the dead node's answer until its 5 s request timeout and
      // reject; the relay's ADAPTER_CLOSE on exit makes it answer with the survivors.
      const after = await a!.socket.timeout(10_000).emitWithAck('count');
      expect(after).toEqual({ ok: CLIENTS - victims.length });
    });
  }
});
