import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SupervisorEvent } from '../../src/control/protocol.js';
import { runCli } from '../helpers/cli.js';
import { get, loopbackAddresses } from '../helpers/clients.js';
import { ControlClient } from '../helpers/control-client.js';
import { isAlive } from '../helpers/processes.js';
import { startInstance, type Instance } from '../helpers/sticky-instance.js';
import { APP } from '../helpers/supervisor.js';
import { waitFor } from '../helpers/wait-for.js';

// Issue 12, finding 2: the primary trusted worker IPC. Each of these NODE_STICKY messages,
// sent by an app (or a dependency of it), crashed the primary and every worker with it
// ("TypeError: Cannot convert object to primitive value") while a dashboard was subscribed;
// a 5 MB error text stayed in the event log and made every status reply too long to read.

describe('malformed messages from a worker', () => {
  let instance: Instance;
  let dashboard: ControlClient;
  const addr = loopbackAddresses(1, 40)[0]!;

  beforeAll(async () => {
    // broadcast: 'cluster' puts the channel on advanced serialization, where a BigInt can travel.
    instance = await startInstance({ script: APP, broadcast: 'cluster' }, 2);
    dashboard = await ControlClient.connect(path.join(instance.runtimeDir, 'sticky', `${instance.name}.sock`));
    const reply = await dashboard.request('subscribe');
    expect(reply.ok).toBe(true);
  }, 60_000);
  afterAll(async () => {
    dashboard?.close();
    await instance?.cleanUp();
  });

  const logged = (): SupervisorEvent[] => dashboard.events.filter((e) => e.event === 'log').map((e) => e.data as SupervisorEvent);

  async function send(kind: string, exit = false): Promise<number> {
    const served = await get(instance.port, addr, { path: `/send?kind=${kind}${exit ? '&exit=1' : ''}` });
    return served.pid;
  }

  it.each([
    ['error-object', /'error' message with a bad message: an object/],
    ['stats-object', /'stats' message with a bad active: an object/],
    ['unknown', /unknown message type "nonsense"/],
    ['bigint', /'stats' message with a bad active: a bigint/],
  ])('drops %s, logs why, and keeps serving', async (kind, why) => {
    const pid = await send(kind);
    const event = await waitFor(() => logged().find((e) => e.kind === 'worker-message' && why.test(e.message)), 10_000, `the ${kind} warning`);
    expect(event.pid).toBe(pid);
    expect(isAlive(instance.primary.pid)).toBe(true);
    const status = await instance.status();
    expect(status.workers.filter((w) => w.state === 'online')).toHaveLength(2);
    expect(Number.isSafeInteger(status.connections.total)).toBe(true);
    await get(instance.port, addr);
  });

  it('drops an object total sent just before the worker exits; the slot restarts and the totals stay numbers', async () => {
    const pid = await send('total-object', true);
    await waitFor(() => logged().find((e) => e.kind === 'worker-message' && e.pid === pid && /bad total/.test(e.message)), 10_000, 'the total warning');
    await waitFor(async () => (await instance.status()).workers.filter((w) => w.state === 'online' && w.pid !== pid).length === 2, 20_000, 'the slot to restart');
    const status = await instance.status();
    expect(Number.isSafeInteger(status.connections.total)).toBe(true);
    expect(isAlive(instance.primary.pid)).toBe(true);
  }, 40_000);

  it('keeps 4 KiB of a 5 MB error text: status --json and stop still work', async () => {
    const pid = await send('big-error');
    const event = await waitFor(() => logged().find((e) => e.kind === 'worker-error' && e.pid === pid), 10_000, 'the worker error');
    expect(event.message.length).toBeLessThan(5000);
    expect(event.message).toMatch(/more characters cut/);
    const status = await runCli(['status', '--json', '--config', instance.configFile!], { env: instance.env, cwd: instance.dir, timeoutMs: 20_000 });
    expect(status.code).toBe(0);
    expect(status.stdout.length).toBeLessThan(200_000);
    await instance.stop();
  }, 60_000);
});
