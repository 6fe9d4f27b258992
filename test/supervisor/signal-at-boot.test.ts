// SIGTERM, SIGINT or SIGHUP before the first workers were online got Node's default action:
// the primary died by the signal (exit 143) and left its control socket behind. The handlers
// are now installed before the control socket is taken and before the first fork.
import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { descendants, killAll } from '../helpers/processes.js';
import { spawnSupervisor, writeScript } from '../helpers/supervisor.js';
import { waitFor } from '../helpers/wait-for.js';

const SLOW_BOOT = `
const http = require('node:http');
module.exports = async () => {
  await new Promise((r) => setTimeout(r, 5000));
  return http.createServer((req, res) => res.end('ok'));
};
`;

describe('a signal while the first workers are starting', () => {
  afterAll(killAll);

  it.each([['SIGTERM'], ['SIGINT']] as const)('%s stops cleanly: exit 0, no stale socket, no worker left', async (signal) => {
    const sup = spawnSupervisor({ script: writeScript('slow-boot.js', SLOW_BOOT), workers: 2 });
    // The control socket is up and the workers are being forked: nothing is online yet.
    await waitFor(() => existsSync(sup.socketPath) && descendants(sup.proc.pid).length > 0, 20_000, 'the control socket and the first forks');
    process.kill(sup.proc.pid, signal);
    expect(await sup.proc.exited).toEqual({ code: 0, signal: null });
    expect(existsSync(sup.socketPath)).toBe(false);
    expect(descendants(sup.proc.pid)).toEqual([]);
    expect(sup.proc.lines.join('\n')).toMatch(/"kind":"stopped"/);
  });

  it('SIGHUP does not kill it: it comes up and serves', async () => {
    const sup = spawnSupervisor({ script: writeScript('slow-boot.js', SLOW_BOOT), workers: 1 });
    await waitFor(() => existsSync(sup.socketPath) && descendants(sup.proc.pid).length > 0, 20_000, 'the control socket and the first fork');
    process.kill(sup.proc.pid, 'SIGHUP');
    await sup.proc.line(/^STARTED \d+$/, 30_000);
    expect(sup.proc.child.exitCode).toBe(null);
    await waitFor(async () => (await sup.status()).workers.some((w) => w.state === 'online'), 30_000, 'a worker online');
  });
});
