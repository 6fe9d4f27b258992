import { afterAll, describe, expect, it } from 'vitest';
import type { StatusSnapshot, SupervisorEvent } from '../../src/control/protocol.js';
import { killAll } from '../helpers/processes.js';
import { startSupervisor } from '../helpers/supervisor.js';
import { waitFor } from '../helpers/wait-for.js';

describe('subscribe on the control socket', () => {
  afterAll(killAll);

  it('pushes a status snapshot about once a second and every supervisor event as it happens', async () => {
    const sup = await startSupervisor({ workers: 1 });
    const c = await sup.control();
    expect(await c.request('subscribe')).toEqual({ v: 1, id: 1, ok: true, result: null });
    const statuses = (): StatusSnapshot[] => c.events.filter((e) => e.event === 'status').map((e) => e.data as StatusSnapshot);
    await waitFor(() => statuses().length >= 3, 5000, 'three status pushes');
    const [a, b, third] = statuses();
    expect(b!.uptimeMs - a!.uptimeMs).toBeGreaterThan(500);
    expect(third!.uptimeMs - b!.uptimeMs).toBeLessThan(2500);

    // A reload requested elsewhere shows up here as log events.
    expect((await sup.reload()).reply.ok).toBe(true);
    // Another connection: its events may arrive after that reply.
    const kinds = (): string[] => c.events.filter((e) => e.event === 'log').map((e) => (e.data as SupervisorEvent).kind);
    await waitFor(() => kinds().includes('reload-done'), 5000, 'the reload-done event');
    expect(kinds()).toEqual(expect.arrayContaining(['reload', 'worker-online', 'reload-step', 'worker-exit', 'reload-done']));
    c.close();
  });
});
