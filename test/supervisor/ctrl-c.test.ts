import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { get } from '../helpers/clients.js';
import { isAlive, killAll } from '../helpers/processes.js';
import { onlinePids, startSupervisor } from '../helpers/supervisor.js';
import { waitFor } from '../helpers/wait-for.js';

describe('Ctrl-C in the terminal running the supervisor', () => {
  afterAll(killAll);

  it('(SIGINT to the whole process group) is a graceful stop: workers do not die first, in-flight requests finish', async () => {
    const sup = await startSupervisor({}, { detached: true });
    const pids = onlinePids(await sup.status());
    const inFlight = get(sup.port, '127.0.0.2', { path: '/slow?ms=2500' });
    await waitFor(async () => (await sup.status()).connections.active > 0, 5000, 'the slow request to be adopted');
    process.kill(-sup.proc.pid, 'SIGINT');

    expect(pids).toContain((await inFlight).pid);
    expect(await sup.proc.exited).toEqual({ code: 0, signal: null });
    expect(existsSync(sup.socketPath)).toBe(false);
    for (const pid of pids) expect(isAlive(pid)).toBe(false);
    // Drained, not crashed: no worker was restarted or reported dead of a signal.
    const log = sup.proc.lines.join('\n');
    expect(log).not.toContain('worker-crash');
    expect(log).toContain('exited after draining');
  });
});
