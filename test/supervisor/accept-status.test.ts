// `status --json` says who accepts in ip mode, and the supervisor logs once which path and why.
import { afterAll, describe, expect, it } from 'vitest';
import { AUTO_PRIMARY_REASON } from '../../src/balancer/kernel/choose-accept.js';
import { get, loopbackAddresses } from '../helpers/clients.js';
import { killAll } from '../helpers/processes.js';
import { startSupervisor } from '../helpers/supervisor.js';

describe('the supervisor reports the accept path', () => {
  afterAll(killAll);

  const kernelRouting = { by: 'ip' as const, seed: 0, ipv4Prefix: 32, ipv6Prefix: 128, maxPending: 10_000, accept: 'kernel' as const };

  it('"kernel": accept "kernel" in status and one info event saying why', async () => {
    const sup = await startSupervisor({ workers: 2, routing: kernelRouting });
    const status = await sup.status();
    expect(status.accept).toBe('kernel');
    const events = status.events!.filter((e) => e.kind === 'accept');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ level: 'info' });
    expect(events[0]!.message).toBe(`accepting in the kernel (each worker from its slot socket): self-test passed; 2 sockets on 127.0.0.1:${sup.port}`);
    const slots = new Set<string>();
    for (const addr of loopbackAddresses(12)) slots.add((await get(sup.port, addr)).slot!);
    expect(slots.size).toBe(2);

    expect((await sup.status()).workers.filter((w) => w.state === 'online')).toHaveLength(2);
  });

  it('auto (the default) and "primary" accept in the primary, each said once', async () => {
    const auto = await startSupervisor({ workers: 2 });
    const a = await auto.status();
    expect(a.accept).toBe('primary');
    expect(a.events!.filter((e) => e.kind === 'accept')).toEqual([expect.objectContaining({ level: 'info', message: `accepting in the primary: ${AUTO_PRIMARY_REASON}` })]);

    const primary = await startSupervisor({ workers: 2, routing: { ...kernelRouting, accept: 'primary' } });
    const p = await primary.status();
    expect(p.accept).toBe('primary');
    expect(p.events!.filter((e) => e.kind === 'accept')).toEqual([expect.objectContaining({ level: 'info', message: 'accepting in the primary: routing.accept is "primary"' })]);
  });
});
