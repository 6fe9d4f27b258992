import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { get } from '../helpers/clients.js';
import { isAlive, killAll } from '../helpers/processes.js';
import { onlinePids, startSupervisor } from '../helpers/supervisor.js';
import { waitFor } from '../helpers/wait-for.js';

describe('SIGTERM and SIGINT to the primary', () => {
  afterAll(killAll);

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal}: lets in-flight requests finish, drains every worker, removes the control socket and exits 0`, async () => {
      // The drain must outlast the slow request whenever the signal comes: with the test
      // config's 2 s, a signal sent soon after adoption (the worker reports active connections
      // each second) cut the 2.5 s request at the drain timeout ('socket hang up').
      const sup = await startSupervisor({ reload: { drainTimeoutMs: 10_000 } });
      const pids = onlinePids(await sup.status());
      expect(existsSync(sup.socketPath)).toBe(true);
      const inFlight = get(sup.port, '127.0.0.2', { path: '/slow?ms=2500' });
      await waitFor(async () => (await sup.status()).connections.active > 0, 5000, 'the slow request to be adopted');
      process.kill(sup.proc.pid, signal);

      expect(await inFlight).toMatchObject({ slot: expect.any(String) });
      expect(await sup.proc.exited).toEqual({ code: 0, signal: null });
      expect(existsSync(sup.socketPath)).toBe(false);
      for (const pid of pids) expect(isAlive(pid)).toBe(false);
      expect(sup.proc.lines.join('\n')).toContain('"kind":"stopped"');
    });
  }
});
