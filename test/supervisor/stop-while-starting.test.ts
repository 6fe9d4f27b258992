import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { descendants, isAlive, killAll } from '../helpers/processes.js';
import { startSupervisor, writeScript } from '../helpers/supervisor.js';
import { waitFor } from '../helpers/wait-for.js';

const BOOT_MS = 1500;
const DRAIN_TIMEOUT_MS = 20_000;

describe('a stop while a new worker is still starting', () => {
  afterAll(killAll);

  it('drains it once it is up instead of leaving it running, interrupts the reload, and exits 0 long before the drain timeout', async () => {
    const script = writeScript('app.js', `
      const http = require('node:http');
      module.exports = async () => {
        await new Promise((r) => setTimeout(r, ${BOOT_MS}));
        return http.createServer((req, res) => res.end('ok'));
      };
    `);
    const sup = await startSupervisor({ script, workers: 1, reload: { drainTimeoutMs: DRAIN_TIMEOUT_MS } });
    const reloading = sup.reload();
    const starting = await waitFor(async () => (await sup.status()).workers.find((w) => w.state === 'starting'), 5000, 'the new worker to be starting');
    const stoppedAt = Date.now();
    process.kill(sup.proc.pid, 'SIGTERM');

    const { reply } = await reloading;
    expect(reply).toMatchObject({ ok: false, error: { code: 'STICKY_RELOAD', message: 'reload interrupted: the supervisor is stopping' } });
    expect(await sup.proc.exited).toEqual({ code: 0, signal: null });
    expect(Date.now() - stoppedAt).toBeLessThan(DRAIN_TIMEOUT_MS / 2);
    expect(isAlive(starting.pid)).toBe(false);
    expect(descendants(sup.proc.pid)).toEqual([]);
    expect(existsSync(sup.socketPath)).toBe(false);
    expect(sup.proc.lines.join('\n')).toContain(`worker ${starting.pid} (slot 0) exited after draining`);
  });
});
