import { afterEach, describe, expect, it } from 'vitest';
import { IPV4_SOURCES, chooseSources, selfTest } from '../../../src/balancer/kernel/self-test.js';
import { KERNEL_FAULT_ENV } from '../../../src/balancer/kernel/socket-calls.js';
import { slotOfAddress } from '../../../src/balancer/kernel/steer-program.js';
import { socketCalls } from '../../helpers/reuseport.js';

const calls = socketCalls();

afterEach(() => {
  delete process.env[KERNEL_FAULT_ENV];
});

describe('kernel accept self-test', () => {
  it('passes on this kernel for IPv4 and IPv6, with and without prefixes', async () => {
    expect(await selfTest(calls, { slots: 4, seed: 0, ipv6: true })).toEqual({ ok: true });
    expect(await selfTest(calls, { slots: 16, seed: 77, ipv4Prefix: 8, ipv6Prefix: 64, ipv6: true })).toEqual({ ok: true });
    expect(await selfTest(calls, { slots: 1, seed: 0, ipv6: false })).toEqual({ ok: true });
  });

  it('fails, naming the misrouted source, when the program cannot load the address (everything goes to slot 0)', async () => {
    process.env[KERNEL_FAULT_ENV] = 'bad-program';
    const result = await selfTest(calls, { slots: 4, seed: 0, ipv6: false });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(/^a connection from 127\.\d+\.\d+\.\d+ reached slot 0, the hash says [1-3]: the kernel does not run the steering program as predicted$/);
  });

  it('chooses sources predicted to distinct slots, one of them not slot 0', () => {
    const opts = { slots: 8, seed: 0 };
    const { seed, sources } = chooseSources(IPV4_SOURCES, opts)!;
    expect(seed).toBe(0);
    const slots = sources.map((s) => slotOfAddress(s, opts));
    expect(new Set(slots).size).toBe(4);
    expect(slots.some((s) => s !== 0)).toBe(true);
  });

  it('moves to another seed when every loopback source falls in one group', () => {
    // /8 puts every 127.x source in one group; when that group hashes to slot 0 the seed must change.
    const stuck = [...Array(1000).keys()].find((seed) => slotOfAddress('127.0.0.1', { slots: 2, seed, ipv4Prefix: 8 }) === 0)!;
    const chosen = chooseSources(IPV4_SOURCES, { slots: 2, seed: stuck, ipv4Prefix: 8 })!;
    expect(chosen.seed).not.toBe(stuck);
    expect(chosen.sources).toHaveLength(1);
    expect(slotOfAddress(chosen.sources[0]!, { slots: 2, seed: chosen.seed, ipv4Prefix: 8 })).toBe(1);
  });
});
