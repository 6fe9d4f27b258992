import { afterAll, describe, expect, it } from 'vitest';
import type { SupervisorEvent } from '../../src/control/protocol.js';
import { get, loopbackAddresses } from '../helpers/clients.js';
import { killAll } from '../helpers/processes.js';
import { startSupervisor } from '../helpers/supervisor.js';
import { waitUntil } from '../helpers/wait-for.js';

const CAP_MS = 1500;

describe('a slot whose worker crashes at boot', () => {
  afterAll(killAll);

  it('is shown errored and retried at the backoff cap, not in a tight loop, while the other slot serves everyone', async () => {
    // Each failing boot takes longer than minUptimeMs: it still never came online, so it
    // counts as a failure (regression: a slow boot once reset the backoff as if healthy).
    const sup = await startSupervisor({
      workers: 2,
      env: { CRASH_SLOT: '1', CRASH_DELAY_MS: '400' },
      restart: { minUptimeMs: 200, maxBackoffMs: CAP_MS },
    });
    const deaths = (events: SupervisorEvent[]): number[] => events
      .filter((e) => e.slot === 1 && (e.kind === 'worker-crash' || e.kind === 'worker-errored'))
      .map((e) => e.time);

    const status = await waitUntil(async () => {
      // Whatever slot 1 is doing, every address is served by slot 0, at every look.
      for (const addr of loopbackAddresses(30)) expect((await get(sup.port, addr)).slot).toBe('0');
      const s = await sup.status();
      return deaths(s.events!).length >= 4 ? s : null;
    }, 20_000, 'four deaths of slot 1');

    expect(status.workers.find((w) => w.slot === 1)!.state).toBe('errored');
    expect(status.workers.find((w) => w.slot === 0)).toMatchObject({ state: 'online', restarts: 0 });
    // Each gap is the backoff plus a boot: 100 ms, 200 ms, then errored and the cap.
    const [t0, t1, t2, t3] = deaths(status.events!);
    expect(t1! - t0!).toBeGreaterThanOrEqual(100);
    expect(t2! - t1!).toBeGreaterThanOrEqual(200);
    expect(t3! - t2!).toBeGreaterThanOrEqual(CAP_MS);
    // So a few restarts in 5 s, never a tight loop.
    expect(deaths(status.events!).filter((t) => t - t0! < 5000).length).toBeLessThanOrEqual(5);
    expect(status.events!.find((e) => e.kind === 'worker-error')?.message).toContain('crashing on purpose in slot 1');
  });
});
