// `status --json` says who accepts in ip mode, and the supervisor logs once which path and why.
import { afterAll, describe, expect, it } from 'vitest';
import { KERNEL_FAULT_ENV } from '../../src/balancer/kernel/socket-calls.js';
import { get, loopbackAddresses } from '../helpers/clients.js';
import { killAll } from '../helpers/processes.js';
import { startSupervisor } from '../helpers/supervisor.js';

describe('the supervisor reports the accept path', () => {
  afterAll(killAll);

  it('auto takes the kernel: accept "kernel" in status and one info event saying why', async () => {
    const sup = await startSupervisor({ workers: 2 });
    const status = await sup.status();
    expect(status.accept).toBe('kernel');
    const events = status.events!.filter((e) => e.kind === 'accept');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ level: 'info' });
    expect(events[0]!.message).toBe(`accepting in the kernel (each worker from its slot socket): self-test passed; 2 sockets on 127.0.0.1:${sup.port}`);
    const slots = new Set<string>();
    for (const addr of loopbackAddresses(12)) slots.add((await get(sup.port, addr)).slot!);
    expect(slots.size).toBe(2);
  });

  it('auto whose self-test fails falls back to the primary with one warning; "primary" is not a fallback', async () => {
    const fallback = await startSupervisor({ workers: 2 }, { env: { [KERNEL_FAULT_ENV]: 'bad-program' } });
    const s = await fallback.status();
    expect(s.accept).toBe('primary');
    const events = s.events!.filter((e) => e.kind === 'accept');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ level: 'warn' });
    expect(events[0]!.message).toMatch(/^accepting in the primary: the self-test failed: a connection from 127\.\S+ reached slot 0/);

    const primary = await startSupervisor({ workers: 2, routing: { by: 'ip', seed: 0, ipv4Prefix: 32, ipv6Prefix: 128, maxPending: 10_000, accept: 'primary' } });
    const p = await primary.status();
    expect(p.accept).toBe('primary');
    expect(p.events!.filter((e) => e.kind === 'accept')).toEqual([expect.objectContaining({ level: 'info', message: 'accepting in the primary: routing.accept is "primary"' })]);
  });
});
