import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { isAlive, killAll } from '../helpers/processes.js';
import { appMessages, onlinePids, startSupervisor } from '../helpers/supervisor.js';

describe('the control socket stop method', () => {
  afterAll(killAll);

  it('replies once every worker has exited, then the primary removes its socket and exits 0', async () => {
    const sup = await startSupervisor();
    const pids = onlinePids(await sup.status());
    const control = await sup.control();
    const reply = await control.request('stop');
    expect(reply).toMatchObject({ ok: true, result: { stopped: true } });
    for (const pid of pids) expect(isAlive(pid)).toBe(false);
    expect(await sup.proc.exited).toEqual({ code: 0, signal: null });
    expect(existsSync(sup.socketPath)).toBe(false);
    // Every worker heard PM2's shutdown message and the server's sticky:drain event.
    for (const pid of pids) {
      expect(await appMessages(sup, `SHUTDOWN ${pid}`)).toContain(`SHUTDOWN ${pid}`);
      expect(await appMessages(sup, `DRAIN ${pid}`)).toContain(`DRAIN ${pid}`);
    }
  });
});
