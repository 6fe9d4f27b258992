import { afterAll, describe, expect, it } from 'vitest';
import { io } from 'socket.io-client';
import { connected, get } from '../helpers/clients.js';
import { killAll } from '../helpers/processes.js';
import { appMessages, onlinePids, startSupervisor } from '../helpers/supervisor.js';
import { waitFor } from '../helpers/wait-for.js';

const DRAIN_TIMEOUT_MS = 3000;

describe('draining the old worker during a reload', () => {
  afterAll(killAll);

  it('finishes its in-flight request, shows it draining beside its replacement, tells the app, and cuts what is left at drainTimeoutMs', async () => {
    const sup = await startSupervisor({ workers: 1, reload: { drainTimeoutMs: DRAIN_TIMEOUT_MS } });
    const [old] = onlinePids(await sup.status());
    const ws = io(`http://127.0.0.1:${sup.port}`, { transports: ['websocket'], reconnection: false, forceNew: true });
    let wsClosedAt = 0;
    ws.on('disconnect', () => (wsClosedAt = Date.now()));
    await connected(ws);
    const slow = get(sup.port, '127.0.0.3', { path: '/slow?ms=2000' });
    await waitFor(async () => (await sup.status()).connections.active >= 2, 5000, 'both connections to be counted');

    const reloadStarted = Date.now();
    const reloading = sup.reload();
    const fresh = await waitFor(async () => {
      const rows = (await sup.status()).workers;
      const next = rows.find((w) => w.state === 'online' && w.pid !== old);
      return rows.some((w) => w.slot === 0 && w.state === 'draining' && w.pid === old) && next ? next : null;
    }, 15_000, 'the old worker to show draining beside its replacement');
    // New connections already go to the replacement.
    expect((await get(sup.port, '127.0.0.4')).pid).toBe(fresh.pid);
    expect((await slow).pid).toBe(old);

    const { reply } = await reloading;
    expect(reply).toMatchObject({ ok: true });
    // The websocket stayed open until the drain deadline, then went with the process. The
    // reply (sent once the primary saw the exit) can reach us before the client has handled
    // the socket's close, so wait for that before reading when it happened.
    await waitFor(() => wsClosedAt, 5000, 'the websocket to close with the old worker');
    expect(wsClosedAt).toBeGreaterThanOrEqual(reloadStarted + DRAIN_TIMEOUT_MS - 500);
    expect(await appMessages(sup, `SHUTDOWN ${old}`)).toContain(`SHUTDOWN ${old}`);
    expect(await appMessages(sup, `DRAIN ${old}`)).toContain(`DRAIN ${old}`);
    expect((await sup.status()).workers).toMatchObject([{ slot: 0, pid: fresh.pid, state: 'online' }]);
    ws.close();
  });
});
