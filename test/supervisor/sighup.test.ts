import { afterAll, describe, expect, it } from 'vitest';
import { killAll } from '../helpers/processes.js';
import { onlinePids, startSupervisor } from '../helpers/supervisor.js';
import { waitFor } from '../helpers/wait-for.js';

describe('SIGHUP to the primary', () => {
  afterAll(killAll);

  it('rolls every worker over, like sticky reload', async () => {
    const sup = await startSupervisor();
    const before = onlinePids(await sup.status());
    process.kill(sup.proc.pid, 'SIGHUP');
    const status = await waitFor(async () => {
      const s = await sup.status();
      return s.events!.some((e) => e.kind === 'reload-done') ? s : null;
    }, 20_000, 'the reload to finish');
    const after = onlinePids(status);
    expect(after).toHaveLength(2);
    expect(after.filter((pid) => before.includes(pid))).toEqual([]);
    expect(status.events!.find((e) => e.kind === 'reload')?.message).toMatch(/^reload \(SIGHUP\)/);
    expect(sup.proc.child.exitCode).toBeNull();
  });
});
