import { afterEach, describe, expect, it } from 'vitest';
import { Server } from 'node:net';
import { AUTO_PRIMARY_REASON, chooseAccept, type AcceptChoice } from '../../../src/balancer/kernel/choose-accept.js';
import { KERNEL_FAULT_ENV } from '../../../src/balancer/kernel/socket-calls.js';
import { MAX_STEER_SLOTS } from '../../../src/balancer/kernel/steer-program.js';
import { StickySetupError } from '../../../src/errors.js';
import { closeServer } from '../../helpers/reuseport.js';

const steer = { slots: 2, seed: 0 };
const choices: AcceptChoice[] = [];
const missing = () => ({ ok: false as const, reason: 'the optional dependency koffi did not load (gone)' });
/** auto as it will be once it tries the kernel (AUTO_TRIES_KERNEL). */
const tries = { autoTriesKernel: true };

afterEach(() => {
  delete process.env[KERNEL_FAULT_ENV];
  for (const c of choices.splice(0)) if (c.accept === 'kernel') c.group.close();
});

async function choose(...args: Parameters<typeof chooseAccept>): Promise<AcceptChoice> {
  const c = await chooseAccept(...args);
  choices.push(c);
  return c;
}

describe('choosing the accept path', () => {
  it('auto takes the primary in this release, without loading anything', async () => {
    expect(await choose('auto', { port: 0 }, steer, { loadCalls: () => { throw new Error('must not load'); } }))
      .toEqual({ accept: 'primary', reason: AUTO_PRIMARY_REASON });
  });

  it('auto trying the kernel takes it here, on the port asked for or the one the kernel chose', async () => {
    const c = await choose('auto', { host: '127.0.0.1', port: 0 }, steer, tries);
    expect(c.accept).toBe('kernel');
    if (c.accept !== 'kernel') return;
    expect(c.group.size).toBe(2);
    expect(c.group.address.port).toBeGreaterThan(0);
    expect(c.reason).toBe(`self-test passed; 2 sockets on 127.0.0.1:${c.group.address.port}`);
  });

  it("listens on '::' (dual-stack) when no host is given, and resolves a host name", async () => {
    const any = await choose('kernel', { port: 0 }, steer);
    expect(any.accept === 'kernel' && any.group.address.address).toBe('::');
    const named = await choose('kernel', { host: 'localhost', port: 0 }, steer);
    expect(named.accept === 'kernel' && ['127.0.0.1', '::1'].includes(named.group.address.address)).toBe(true);
  });

  it('primary is primary, without loading anything', async () => {
    expect(await choose('primary', { port: 0 }, steer, { loadCalls: () => { throw new Error('must not load'); } }))
      .toEqual({ accept: 'primary', reason: 'routing.accept is "primary"' });
  });

  it('auto falls back to the primary, saying why, where koffi does not load; kernel refuses to start', async () => {
    expect(await choose('auto', { port: 0 }, steer, { ...tries, loadCalls: missing }))
      .toEqual({ accept: 'primary', reason: 'the optional dependency koffi did not load (gone)', fallback: true });
    await expect(chooseAccept('kernel', { port: 0 }, steer, { loadCalls: missing })).rejects.toThrow(StickySetupError);
    await expect(chooseAccept('kernel', { port: 0 }, steer, { loadCalls: missing }))
      .rejects.toThrow('routing.accept is "kernel" but the optional dependency koffi did not load (gone)');
  });

  it('auto falls back when the self-test fails (a program that cannot load the address)', async () => {
    process.env[KERNEL_FAULT_ENV] = 'bad-program';
    const c = await choose('auto', { host: '127.0.0.1', port: 0 }, { slots: 4, seed: 0 }, tries);
    expect(c).toMatchObject({ accept: 'primary', fallback: true });
    expect(c.reason).toMatch(/^the self-test failed: a connection from 127\.\S+ reached slot 0, the hash says [1-3]/);
    await expect(chooseAccept('kernel', { host: '127.0.0.1', port: 0 }, { slots: 4, seed: 0 })).rejects.toThrow(/self-test failed/);
  });

  it('falls back past the most workers one program steers', async () => {
    expect(await choose('auto', { port: 0 }, { slots: MAX_STEER_SLOTS + 1, seed: 0 }, tries))
      .toEqual({ accept: 'primary', reason: `kernel accept steers at most ${MAX_STEER_SLOTS} workers`, fallback: true });
  });

  it('fails with EADDRINUSE on a port in use, as the primary path would', async () => {
    const s = new Server();
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    const port = (s.address() as { port: number }).port;
    try {
      await expect(chooseAccept('auto', { host: '127.0.0.1', port }, steer, tries)).rejects.toMatchObject({ code: 'EADDRINUSE', port });
    } finally {
      await closeServer(s);
    }
  });
});
