import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { killAll } from '../helpers/processes.js';
import { runtimeDir, startSupervisor } from '../helpers/supervisor.js';

describe('the control socket file', () => {
  afterAll(killAll);

  it('is a socket readable by its owner only (0600) in an owner-only folder (0700), even if the folder was wider', async () => {
    const rt = runtimeDir();
    mkdirSync(join(rt, 'sticky'));
    chmodSync(join(rt, 'sticky'), 0o755);
    const sup = await startSupervisor({}, { runtime: rt });
    const socket = statSync(sup.socketPath);
    expect(socket.isSocket()).toBe(true);
    expect(socket.mode & 0o777).toBe(0o600);
    expect(socket.uid).toBe(process.getuid!());
    expect(statSync(join(rt, 'sticky')).mode & 0o777).toBe(0o700);
  });
});
