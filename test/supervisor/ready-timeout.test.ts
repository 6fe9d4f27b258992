import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { get, loopbackAddresses } from '../helpers/clients.js';
import { killAll } from '../helpers/processes.js';
import { APP, onlinePids, startSupervisor, writeScript } from '../helpers/supervisor.js';

describe('a new worker that never registers a server', () => {
  afterAll(killAll);

  it('is killed at reload.readyTimeoutMs and the reload fails saying what was expected; the old workers serve on', async () => {
    const good = `module.exports = require(${JSON.stringify(APP)});\n`;
    const script = writeScript('app.js', good);
    const sup = await startSupervisor({ script });
    const before = onlinePids(await sup.status());

    // Loads fine, exports nothing and never calls sticky(): it would wait forever. The
    // reload re-reads the config, so the short timeout applies to the new worker only.
    writeFileSync(script, 'setInterval(() => {}, 1000);\n');
    sup.writeConfig({ reload: { readyTimeoutMs: 1500 } });
    const started = Date.now();
    const { reply } = await sup.reload();
    expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
    expect(reply.ok).toBe(false);
    const { message } = (reply as { error: { message: string } }).error;
    expect(message).toMatch(/killed by SIGKILL: not online within 1500 ms/);
    expect(message).toContain('default-export a function returning it, or call sticky()');

    expect(onlinePids(await sup.status())).toEqual(before);
    for (const addr of loopbackAddresses(5)) expect(before).toContain((await get(sup.port, addr)).pid);
  });
});
