import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { killAll } from '../helpers/processes.js';
import { spawnSupervisor, startSupervisor } from '../helpers/supervisor.js';

describe('a second start with the same name', () => {
  afterAll(killAll);

  it('is refused with exit 2 naming the running pid, and the first instance is not disturbed', async () => {
    const first = await startSupervisor();
    const second = spawnSupervisor({ name: first.config.name }, { runtime: first.runtimeDir });
    expect(await second.proc.exited).toEqual({ code: 2, signal: null });
    const err = second.proc.stderr.join('');
    expect(err).toContain(`START_FAILED STICKY_ALREADY_RUNNING: "${first.config.name}" is already running (pid ${first.proc.pid})`);
    // It forked nothing and took nothing.
    expect(second.proc.lines.join('\n')).not.toContain('worker-online');
    expect(existsSync(first.socketPath)).toBe(true);
    expect((await first.status()).pid).toBe(first.proc.pid);
  });
});
