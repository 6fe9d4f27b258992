import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { get } from '../helpers/clients.js';
import { isAlive, killAll } from '../helpers/processes.js';
import { onlinePids, startSupervisor } from '../helpers/supervisor.js';
import { waitFor } from '../helpers/wait-for.js';

describe('a control socket left behind by a killed primary', () => {
  afterAll(killAll);

  it('is detected as stale and replaced by the next start of the same name', async () => {
    const first = await startSupervisor();
    const pids = onlinePids(await first.status());
    process.kill(first.proc.pid, 'SIGKILL');
    await first.proc.exited;
    await waitFor(() => pids.every((pid) => !isAlive(pid)), 2000, 'the old workers to exit');
    expect(existsSync(first.socketPath)).toBe(true);

    const second = await startSupervisor({ name: first.config.name }, { runtime: first.runtimeDir });
    expect(second.socketPath).toBe(first.socketPath);
    const status = await second.status();
    expect(status.pid).toBe(second.proc.pid);
    expect(onlinePids(status)).toHaveLength(2);
    expect((await get(second.port, '127.0.0.2')).pid).toBeOneOf(onlinePids(status));
  });
});
