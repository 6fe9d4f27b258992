import { afterAll, describe, expect, it } from 'vitest';
import { descendants, isAlive, killAll } from '../helpers/processes.js';
import { onlinePids, startSupervisor } from '../helpers/supervisor.js';
import { waitFor } from '../helpers/wait-for.js';

describe('kill -9 of the primary', () => {
  afterAll(killAll);

  it('leaves no worker process behind: every one exits within 2 s', async () => {
    const sup = await startSupervisor({ workers: 3 });
    const pids = onlinePids(await sup.status());
    expect(pids).toHaveLength(3);
    expect(descendants(sup.proc.pid).sort()).toEqual([...pids].sort());
    process.kill(sup.proc.pid, 'SIGKILL');
    await sup.proc.exited;
    await waitFor(() => pids.every((pid) => !isAlive(pid)), 2000, 'every worker to exit');
  });
});
