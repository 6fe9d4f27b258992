import { afterAll, describe, expect, it } from 'vitest';
import { get, loopbackAddresses } from '../helpers/clients.js';
import { killAll } from '../helpers/processes.js';
import { startSupervisor } from '../helpers/supervisor.js';
import { waitFor } from '../helpers/wait-for.js';

describe('status over the control socket', () => {
  afterAll(killAll);

  it('answers the DESIGN.md schema with the real port, live counters and process figures', async () => {
    const sup = await startSupervisor({ workers: 2 });
    // The first sample of a worker covers its whole life, boot included: some CPU.
    for (const w of (await sup.status()).workers) expect(w.cpuPercent, `worker ${w.slot}`).toBeGreaterThan(0);
    for (const addr of loopbackAddresses(10)) await get(sup.port, addr);
    const status = await waitFor(async () => {
      const s = await sup.status();
      return s.connections.total >= 10 ? s : null;
    }, 5000, 'the 10 connections to be counted');

    expect(status).toMatchObject({
      name: sup.config.name,
      pid: sup.proc.pid,
      host: '127.0.0.1',
      port: sup.port,
      routing: 'ip',
      connections: { active: 0, total: 10, rejected: 0, misrouted: 0 },
    });
    expect(status.port).toBeGreaterThan(0);
    expect(status.uptimeMs).toBeGreaterThan(0);
    expect(status.workers).toHaveLength(2);
    for (const [slot, w] of status.workers.entries()) {
      expect(w).toEqual({
        slot,
        pid: expect.any(Number),
        state: 'online',
        active: 0,
        total: expect.any(Number),
        restarts: 0,
        uptimeMs: expect.any(Number),
        rssBytes: expect.any(Number),
        cpuPercent: expect.any(Number),
      });
      expect(w.rssBytes).toBeGreaterThan(10 * 1024 * 1024);
    }
    expect(status.workers[0]!.total + status.workers[1]!.total).toBe(10);
    // The real port is in the logs too.
    expect(sup.proc.lines.join('\n')).toContain(`listening on 127.0.0.1:${sup.port}`);
  });
});
