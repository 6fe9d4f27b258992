// Neither the listening socket nor the control socket had an 'error' listener after listen():
// an accept that failed (EMFILE, under load) was an uncaught 'error' event that ended the
// primary and every connection with it. Both now log and keep listening. The container cannot
// make libuv report EMFILE on demand (its EMFILE trick swallows it), so a preload emits the
// same error on every listening server of the primary.
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isAlive, killAll } from '../helpers/processes.js';
import { request } from '../helpers/proxy-harness.js';
import { startSupervisor } from '../helpers/supervisor.js';

const PRELOAD = path.resolve(__dirname, '../fixtures/emit-server-errors.cjs');

describe('errors of the primary\'s listening sockets', () => {
  afterAll(killAll);

  it('are logged, and the port and the control socket keep serving', async () => {
    const sup = await startSupervisor({ workers: 1 }, { env: { NODE_OPTIONS: `--require ${PRELOAD}` } });
    const pid = sup.proc.pid;
    process.kill(pid, 'SIGUSR2');
    await sup.proc.line(/^EMITTED 2$/);
    await sup.proc.line(/listening socket: accept EMFILE; still listening/);
    await sup.proc.line(/control socket: accept EMFILE; still listening/);
    expect(isAlive(pid)).toBe(true);
    expect((await request(sup.port)).status).toBe(200);
    expect((await sup.status()).workers[0]!.state).toBe('online');
  });
});
