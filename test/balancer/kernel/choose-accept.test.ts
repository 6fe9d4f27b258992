import { afterEach, describe, expect, it } from 'vitest';
import { Server, connect } from 'node:net';
import { AUTO_PRIMARY_REASON, chooseAccept, confirmAccept, openAccept, type AcceptChoice } from '../../../src/balancer/kernel/choose-accept.js';
import { KERNEL_FAULT_ENV } from '../../../src/balancer/kernel/socket-calls.js';
import { MAX_STEER_SLOTS, slotOfAddress } from '../../../src/balancer/kernel/steer-program.js';
import { StickySetupError } from '../../../src/errors.js';
import { answerSlot, closeServer } from '../../helpers/reuseport.js';

const steer = { slots: 2, seed: 0 };
const choices: AcceptChoice[] = [];
const missing = () => ({ ok: false as const, reason: 'the optional dependency koffi did not load (gone)' });

afterEach(() => {
  delete process.env[KERNEL_FAULT_ENV];
  for (const c of choices.splice(0)) c.group?.close();
});

async function choose(...args: Parameters<typeof chooseAccept>): Promise<AcceptChoice> {
  const c = await chooseAccept(...args);
  choices.push(c);
  return c;
}

describe('choosing the accept path', () => {
  it('auto told not to try the kernel (the tests\' seam) takes the primary, without loading anything', async () => {
    expect(await choose('auto', { port: 0 }, steer, { autoTriesKernel: false, loadCalls: () => { throw new Error('must not load'); } }))
      .toEqual({ accept: 'primary', reason: AUTO_PRIMARY_REASON });
  });

  it('auto takes the kernel here, on the port asked for or the one the kernel chose', async () => {
    const c = await choose('auto', { host: '127.0.0.1', port: 0 }, steer);
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
    expect(await choose('auto', { port: 0 }, steer, { loadCalls: missing }))
      .toEqual({ accept: 'primary', reason: 'the optional dependency koffi did not load (gone)', fallback: true });
    await expect(chooseAccept('kernel', { port: 0 }, steer, { loadCalls: missing })).rejects.toThrow(StickySetupError);
    await expect(chooseAccept('kernel', { port: 0 }, steer, { loadCalls: missing }))
      .rejects.toThrow('routing.accept is "kernel" but the optional dependency koffi did not load (gone)');
  });

  it('auto falls back when the self-test fails (a program that cannot load the address)', async () => {
    process.env[KERNEL_FAULT_ENV] = 'bad-program';
    const c = await choose('auto', { host: '127.0.0.1', port: 0 }, { slots: 4, seed: 0 });
    expect(c).toMatchObject({ accept: 'primary', fallback: true });
    // The port stays bound by the group, for the primary to accept from all of its sockets.
    expect(c.accept === 'primary' && c.group?.size).toBe(4);
    expect(c.reason).toMatch(/^the self-test failed: a connection from 127\.\S+ reached slot 0, the hash says [1-3]/);
    await expect(chooseAccept('kernel', { host: '127.0.0.1', port: 0 }, { slots: 4, seed: 0 })).rejects.toThrow(/self-test failed/);
  });

  it('falls back past the most workers one program steers', async () => {
    expect(await choose('auto', { port: 0 }, { slots: MAX_STEER_SLOTS + 1, seed: 0 }))
      .toEqual({ accept: 'primary', reason: `kernel accept steers at most ${MAX_STEER_SLOTS} workers`, fallback: true });
  });

  it('fails with EADDRINUSE on a port in use, as the primary path would', async () => {
    const s = new Server();
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    const port = (s.address() as { port: number }).port;
    try {
      await expect(chooseAccept('auto', { host: '127.0.0.1', port }, steer)).rejects.toMatchObject({ code: 'EADDRINUSE', port });
    } finally {
      await closeServer(s);
    }
  });

  it('binds the port before it returns, as net.Server#listen does: a client connecting during the self-test waits in the queue', async () => {
    const opening = openAccept('auto', { host: '127.0.0.1', port: 0 }, steer);
    expect(opening.accept).toBe('kernel');
    if (opening.accept !== 'kernel') return;
    const { port } = opening.group.address;
    const early = connect({ host: '127.0.0.1', port, localAddress: '127.0.0.9' });
    const connected = new Promise<void>((resolve, reject) => early.once('connect', resolve).once('error', reject));
    const c = await confirmAccept('auto', opening, steer);
    choices.push(c);
    expect(c.accept).toBe('kernel');
    await connected;
    // The kernel completed the handshake into the slot's queue; accepting from it hands the client over.
    const slot = slotOfAddress('127.0.0.9', steer);
    const server = await answerSlot(opening.group, slot);
    try {
      const got = await new Promise<string>((resolve) => {
        let data = '';
        early.setEncoding('utf8').on('data', (d: string) => { data += d; }).on('end', () => resolve(data));
      });
      expect(got).toBe(String(slot));
    } finally {
      early.destroy();
      await closeServer(server);
    }
  });

  it('a failed self-test under "kernel" closes the group it bound and throws', async () => {
    process.env[KERNEL_FAULT_ENV] = 'bad-program';
    const opening = openAccept('kernel', { host: '127.0.0.1', port: 0 }, { slots: 4, seed: 0 });
    if (opening.accept !== 'kernel') throw new Error('expected the kernel opening');
    const { port } = opening.group.address;
    await expect(confirmAccept('kernel', opening, { slots: 4, seed: 0 })).rejects.toThrow(/routing\.accept is "kernel" but the self-test failed/);
    // Closed: the port is free again.
    const s = new Server();
    await new Promise<void>((resolve, reject) => s.once('error', reject).listen(port, '127.0.0.1', resolve));
    await closeServer(s);
  });
});
