import { afterAll, describe, expect, it } from 'vitest';
import { io, type Socket as ClientSocket } from 'socket.io-client';
import { get, loopbackAddresses, pollingClient } from '../helpers/clients.js';
import { killAll } from '../helpers/processes.js';
import { onlinePids, startSupervisor } from '../helpers/supervisor.js';
import { waitFor } from '../helpers/wait-for.js';

const RELOADS = 5;
const RECONNECT_LIMIT_MS = 10_000;

interface Tracked {
  socket: ClientSocket;
  downSince: number | null;
  maxDownMs: number;
  acks: number;
}

function track(socket: ClientSocket): Tracked {
  const t: Tracked = { socket, downSince: null, maxDownMs: 0, acks: 0 };
  socket.on('disconnect', () => {
    t.downSince ??= Date.now();
  });
  socket.on('connect', () => {
    if (t.downSince !== null) t.maxDownMs = Math.max(t.maxDownMs, Date.now() - t.downSince);
    t.downSince = null;
  });
  return t;
}

describe('rolling reloads under load', () => {
  afterAll(killAll);

  it('replaces every worker five times with 0 failed HTTP requests, and every socket.io client back within 10 s', async () => {
    const sup = await startSupervisor({ workers: 2, reload: { drainTimeoutMs: 1500 } });
    const url = `http://127.0.0.1:${sup.port}`;

    let running = true;
    let httpOk = 0;
    const httpErrors: string[] = [];
    const senders = loopbackAddresses(10).map(async (addr) => {
      while (running) {
        try {
          await get(sup.port, addr);
          httpOk++;
        } catch (err) {
          httpErrors.push(`${addr}: ${String(err)}`);
        }
      }
    });

    const clients: Tracked[] = [
      ...loopbackAddresses(30, 10).map((addr) => track(pollingClient(url, addr, { reconnection: true }))),
      ...loopbackAddresses(20, 40).map((addr) => track(io(url, {
        transports: ['websocket'],
        localAddress: addr,
        forceNew: true,
      } as Parameters<typeof io>[1]))),
    ];
    const emitter = setInterval(() => {
      for (const c of clients) if (c.socket.connected) c.socket.emit('whoami', () => c.acks++);
    }, 100);
    const allConnected = (): boolean => clients.every((c) => c.socket.connected);

    try {
      await waitFor(allConnected, RECONNECT_LIMIT_MS, 'every socket.io client to connect');
      for (let i = 0; i < RELOADS; i++) {
        const before = onlinePids(await sup.status());
        const { reply, progress } = await sup.reload();
        expect(reply, `reload ${i + 1}`).toMatchObject({ ok: true });
        const after = onlinePids(await sup.status());
        expect(after).toHaveLength(2);
        expect(after.filter((pid) => before.includes(pid)), `reload ${i + 1}: pids ${before} -> ${after}`).toEqual([]);
        expect(progress.filter((p) => (p as { phase: string }).phase === 'drained')).toHaveLength(2);
        await waitFor(allConnected, RECONNECT_LIMIT_MS, `every socket.io client to reconnect after reload ${i + 1}`);
      }
      const acksBefore = clients.map((c) => c.acks);
      await waitFor(() => clients.every((c, i) => c.acks > acksBefore[i]!), 5000, 'every client to be answered after the last reload');
    } finally {
      running = false;
      clearInterval(emitter);
      await Promise.all(senders);
      for (const c of clients) c.socket.close();
    }

    expect(httpErrors).toEqual([]);
    expect(httpOk).toBeGreaterThan(100);
    for (const c of clients) expect(c.maxDownMs).toBeLessThan(RECONNECT_LIMIT_MS);
  });
});
