import { afterAll, describe, expect, it } from 'vitest';
import { get, loopbackAddresses } from '../helpers/clients.js';
import { killAll } from '../helpers/processes.js';
import { startLegacyApp } from '../helpers/legacy-app.js';


describe('a worker that crashes at boot', () => {
  afterAll(killAll);

  it('is restarted with backoff, not in a tight loop, while the other slot serves every address', async () => {
    const { app, port } = await startLegacyApp({ APP: 'http', FORM: 'num', WORKERS: '2', CRASH_SLOT: '1' });
    const started = Date.now();
    const pids = new Set<number>();
    for (const addr of loopbackAddresses(30)) {
      const s = await get(port, addr);
      expect(s.slot).toBe('0');
      pids.add(s.pid);
    }
    expect(pids.size).toBe(1);
    await new Promise((r) => setTimeout(r, Math.max(0, 3000 - (Date.now() - started))));
    // 100 + 200 ms, then the 15 s cap once errored: 3 or 4 boots in 3 s, never dozens.
    const crashes = app.stderr.join('').split('crashing on purpose').length - 1;
    expect(crashes).toBeGreaterThanOrEqual(2);
    expect(crashes).toBeLessThanOrEqual(5);
  });
});
