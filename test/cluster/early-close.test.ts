// A worker whose app closes its server soon after boot was re-forked at once, every time
// (16 forks in 5 s, logged as normal drains). Closing before restart.minUptimeMs now counts as
// dying young: the slot's replacements wait 100, 200, 400 ms... and the slot shows errored.
// And each closed worker stayed, idle, for good (nothing ended it): now it is drained and exits.
import { afterAll, describe, expect, it } from 'vitest';
import type { SupervisorEvent } from '../../src/control/protocol.js';
import { isAlive, killAll } from '../helpers/processes.js';
import { startSupervisor, writeScript } from '../helpers/supervisor.js';
import { waitFor } from '../helpers/wait-for.js';

const CLOSING_APP = `
const http = require('node:http');
module.exports = () => {
  const server = http.createServer((req, res) => res.end('bye'));
  setTimeout(() => server.close(), 50);
  return server;
};
`;

describe('a worker that closes its server right after boot', () => {
  afterAll(killAll);

  it('is replaced with backoff, the delays doubling, and its slot shows errored', async () => {
    const script = writeScript('closing-app.js', CLOSING_APP);
    const sup = await startSupervisor({ workers: 1, script, restart: { minUptimeMs: 2_000, maxBackoffMs: 15_000 } });
    const closes = (events: SupervisorEvent[] | undefined): SupervisorEvent[] => (events ?? []).filter((e) => e.kind === 'worker-closed-early');
    // The first status holding the third close must show the slot errored: a status used to
    // read its events after the workers' /proc figures, and under load showed the third close
    // beside rows from before it ([online, draining, draining]); see test/supervisor/status.test.ts.
    const status = await waitFor(async () => {
      const s = await sup.status();
      return closes(s.events).length >= 3 && s;
    }, 30_000, 'three early closes');
    const delays = closes(status.events).map((e) => Number(/replacing it in (\d+) ms/.exec(e.message)?.[1]));
    expect(delays.slice(0, 3)).toEqual([100, 200, 15_000]);
    expect(closes(status.events)[2]!.message).toMatch(/errored/);
    expect(status.workers.filter((w) => w.slot === 0).map((w) => w.state)).toContain('errored');
    // The wait is real: no new worker came online after the third close.
    const third = closes(status.events)[2]!.time;
    const onlineAfter = (status.events ?? []).filter((e) => e.kind === 'worker-online' && e.time > third);
    expect(onlineAfter).toEqual([]);
    // The closed workers are drained and exit (each used to stay, idle, for good): before the
    // 15 s backoff ends, the slot has no process left.
    const closedPids = closes(status.events).map((e) => e.pid!);
    const empty = await waitFor(async () => {
      const s = await sup.status();
      return s.workers.filter((w) => w.slot === 0).length === 1 && s;
    }, 10_000, 'the closed workers exited');
    expect(empty.workers.filter((w) => w.slot === 0).map((w) => [w.pid, w.state])).toEqual([[0, 'errored']]);
    expect(closedPids.filter(isAlive)).toEqual([]);
    expect((empty.events ?? []).filter((e) => e.kind === 'worker-online' && e.time > third)).toEqual([]);
  }, 45_000);
});
