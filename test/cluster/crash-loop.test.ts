import { afterAll, describe, expect, it } from 'vitest';
import { get, loopbackAddresses } from '../helpers/clients.js';
import { startLegacyApp } from '../helpers/legacy-app.js';
import { killAll } from '../helpers/processes.js';
import { waitFor } from '../helpers/wait-for.js';

const CRASH = /crashing on purpose in slot 1 \(started (\d+), exiting (\d+)\)/g;

describe('a worker that crashes at boot', () => {
  afterAll(killAll);

  it('is restarted with backoff, not in a tight loop, while the other slot serves every address', async () => {
    const { app, port } = await startLegacyApp({ APP: 'http', FORM: 'num', WORKERS: '2', CRASH_SLOT: '1' });
    const pids = new Set<number>();
    for (const addr of loopbackAddresses(30)) {
      const s = await get(port, addr);
      expect(s.slot).toBe('0');
      pids.add(s.pid);
    }
    expect(pids.size).toBe(1);
    const crashes = (): { started: number; exited: number }[] => [...app.stderr.join('').matchAll(CRASH)]
      .map((m) => ({ started: Number(m[1]), exited: Number(m[2]) }));
    const [first, second, third] = await waitFor(() => {
      const seen = crashes();
      return seen.length >= 3 ? seen : undefined;
    }, 20_000, 'three crashes of slot 1');
    // Each restart waits out the backoff (100 ms, then 200 ms) between one worker's death and
    // the next one's birth; a tight loop would fork at once. The third death makes the slot
    // errored and the next delay the 15 s cap (test/cluster/backoff.test.ts).
    expect(second!.started - first!.exited).toBeGreaterThanOrEqual(100 - 1);
    expect(third!.started - second!.exited).toBeGreaterThanOrEqual(200 - 1);
  });
});
