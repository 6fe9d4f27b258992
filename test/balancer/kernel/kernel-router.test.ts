import { afterEach, describe, expect, it } from 'vitest';
import { Server } from 'node:net';
import { Dispatcher } from '../../../src/balancer/dispatcher.js';
import type { Target } from '../../../src/balancer/connection-router.js';
import type { Connection, NativeHandle } from '../../../src/ipc/handoff.js';
import { KernelRouter } from '../../../src/balancer/kernel/kernel-router.js';
import { ReuseportGroup, claimPort } from '../../../src/balancer/kernel/reuseport-group.js';
import { MAX_STEER_SLOTS, slotOfAddress } from '../../../src/balancer/kernel/steer-program.js';
import type { TcpHandle } from '../../../src/balancer/kernel/tcp-handle.js';
import type { ConnMessage } from '../../../src/ipc/messages.js';
import { Rendezvous, hashKey } from '../../../src/routing/hash.js';
import { loopbackAddresses } from '../../helpers/clients.js';
import { answer, closeServer, socketCalls } from '../../helpers/reuseport.js';
import { waitFor } from '../../helpers/wait-for.js';

const calls = socketCalls();
const SLOTS = 3;
const opts = { slots: SLOTS, seed: 0 };

/** A worker stand-in: accepts from the socket it is given (its own duplicate, as a forked worker's copy) and takes hand-offs. */
class FakeWorker implements Target {
  acceptor: Server | undefined;
  readonly handedOff: string[] = [];
  router!: KernelRouter;

  constructor(readonly slot: number) {}

  listen(socket: TcpHandle): Promise<void> {
    this.acceptor = new Server((c) => c.end(`kernel ${this.slot}`));
    return new Promise((resolve) => this.acceptor!.listen({ fd: calls.dupCloexec(socket.fd) }, resolve));
  }

  send(msg: ConnMessage, conn: Connection): boolean {
    const peer: { address?: string } = {};
    (conn as NativeHandle).getpeername(peer);
    this.handedOff.push(peer.address!);
    queueMicrotask(() => this.router.acknowledge(this, msg.id, true));
    return true;
  }
}

let router: KernelRouter | undefined;
let workers: FakeWorker[] = [];
const listening: Promise<void>[] = [];

afterEach(async () => {
  await Promise.all(workers.flatMap((w) => (w.acceptor ? [closeServer(w.acceptor)] : [])));
  workers = [];
  router?.close();
  router = undefined;
});

function setUp(retireGraceMs?: number): { port: number; workers: FakeWorker[]; router: KernelRouter } {
  const { port } = claimPort(calls, '127.0.0.1', 0);
  const group = ReuseportGroup.open(calls, { ...opts, host: '127.0.0.1', port });
  const dispatcher = new Dispatcher({ slotCount: SLOTS, seed: 0, maxPending: 100 });
  router = new KernelRouter(dispatcher, {
    slotCount: SLOTS, seed: 0, prefix: {}, backlog: 511, retireGraceMs,
    giveSocket: (target, socket) => { listening.push((target as FakeWorker).listen(socket)); return true; },
  });
  workers = [0, 1, 2].map((slot) => Object.assign(new FakeWorker(slot), { router }));
  router.activate(group);
  return { port, workers, router };
}

/** Sources whose key maps to `slot`. */
const sourcesOf = (slot: number, n: number): string[] => loopbackAddresses(120).filter((a) => slotOfAddress(a, opts) === slot).slice(0, n);

describe('kernel router', () => {
  it('gives each worker its slot socket; the kernel steers, the primary accepts nothing', async () => {
    const { port, router } = setUp();
    for (const w of workers) router.setTarget(w);
    await Promise.all(listening.splice(0));
    expect(router.primaryAccepting).toEqual([]);
    for (const slot of [0, 1, 2]) {
      for (const source of sourcesOf(slot, 4)) expect([source, await answer('127.0.0.1', port, source)]).toEqual([source, `kernel ${slot}`]);
    }
    expect(workers.flatMap((w) => w.handedOff)).toEqual([]);
  });

  it("accepts for a slot without a worker and hands those connections to the key's next slot, until a worker is back", async () => {
    const { port, router } = setUp();
    for (const w of workers) router.setTarget(w);
    await Promise.all(listening.splice(0));
    router.removeTarget(workers[1]!);
    await closeServer(workers[1]!.acceptor!);
    expect(router.primaryAccepting).toEqual([1]);
    const ring = new Rendezvous(SLOTS, 0);
    for (const source of sourcesOf(1, 4)) {
      expect(await answer('127.0.0.1', port, source)).toBe('');
      const next = ring.rank(hashKey(source, 0))[1]!;
      await waitFor(() => workers[next]!.handedOff.includes(source), 5_000, `${source} handed to slot ${next}`);
    }
    const back = Object.assign(new FakeWorker(1), { router });
    router.setTarget(back);
    await Promise.all(listening.splice(0));
    expect(router.primaryAccepting).toEqual([]);
    for (const source of sourcesOf(1, 2)) expect(await answer('127.0.0.1', port, source)).toBe('kernel 1');
    workers.push(back);
  });

  it("leaves a booting slot's connections queued in the kernel for its first worker", async () => {
    const { port, router } = setUp();
    router.setTarget(workers[0]!);
    router.setTarget(workers[2]!);
    router.markBooting(1);
    await Promise.all(listening.splice(0));
    expect(router.primaryAccepting).toEqual([]);
    const [source] = sourcesOf(1, 1);
    const waiting = answer('127.0.0.1', port, source!);
    router.setTarget(workers[1]!);
    expect(await waiting).toBe('kernel 1');
  });

  it('accepts for a slot whose first worker came online, then died (the pool emits no bootEnded then)', async () => {
    const { port, router } = setUp();
    for (const slot of [0, 1, 2]) router.markBooting(slot);
    for (const w of workers) router.setTarget(w);
    await Promise.all(listening.splice(0));
    expect(router.primaryAccepting).toEqual([]);
    router.removeTarget(workers[2]!);
    await closeServer(workers[2]!.acceptor!);
    expect(router.primaryAccepting).toEqual([2]);
    const [source] = sourcesOf(2, 1);
    expect(await answer('127.0.0.1', port, source!)).toBe('');
    await waitFor(() => workers.some((w) => w.handedOff.includes(source!)), 5_000, 'the hand-off');
  });

  it('accepts for a slot whose boot ended without a worker', async () => {
    const { port, router } = setUp();
    router.markBooting(2);
    router.setTarget(workers[0]!);
    router.setTarget(workers[1]!);
    await Promise.all(listening.splice(0));
    router.stopBooting(2);
    expect(router.primaryAccepting).toEqual([2]);
    const [source] = sourcesOf(2, 1);
    expect(await answer('127.0.0.1', port, source!)).toBe('');
    await waitFor(() => workers.some((w) => w.handedOff.includes(source!)), 5_000, 'the hand-off');
  });

  it('scales 3 -> 4: the primary accepts for the new slot and hands its keys to their old slot until its worker is set', async () => {
    const { port, router } = setUp();
    for (const w of workers) router.setTarget(w);
    await Promise.all(listening.splice(0));
    router.resize(4);
    expect(router.primaryAccepting).toEqual([3]);
    const four = { slots: 4, seed: 0 };
    const movers = loopbackAddresses(120).filter((a) => slotOfAddress(a, four) === 3).slice(0, 3);
    expect(movers.length).toBe(3);
    for (const source of movers) {
      expect(await answer('127.0.0.1', port, source)).toBe('');
      // Rendezvous: without slot 3 the key's best slot is the one it had under 3 slots.
      const before = slotOfAddress(source, opts);
      await waitFor(() => workers[before]!.handedOff.includes(source), 5_000, `${source} handed to slot ${before}`);
    }
    const fourth = Object.assign(new FakeWorker(3), { router });
    workers.push(fourth);
    router.setTarget(fourth);
    await Promise.all(listening.splice(0));
    expect(router.primaryAccepting).toEqual([]);
    for (const source of movers) expect(await answer('127.0.0.1', port, source)).toBe('kernel 3');
    // Every other source stays where it was.
    for (const source of loopbackAddresses(24).filter((a) => !movers.includes(a))) {
      expect([source, await answer('127.0.0.1', port, source)]).toEqual([source, `kernel ${slotOfAddress(source, four)}`]);
    }
  });

  it('scales 3 -> 2: the kernel steers over 2 at once; the primary accepts from slot 2 for the grace period, then lets it go', async () => {
    const { port, router } = setUp(300);
    for (const w of workers) router.setTarget(w);
    await Promise.all(listening.splice(0));
    // The pool takes the removed slot's worker off first, then resizes.
    router.removeTarget(workers[2]!);
    await closeServer(workers[2]!.acceptor!);
    router.resize(2);
    expect(router.primaryAccepting).toEqual([2]);
    const two = { slots: 2, seed: 0 };
    const movers = sourcesOf(2, 3);
    for (const source of movers) expect(await answer('127.0.0.1', port, source)).toBe(`kernel ${slotOfAddress(source, two)}`);
    expect(workers.flatMap((w) => w.handedOff)).toEqual([]);
    await waitFor(() => router.primaryAccepting.length === 0, 5_000, 'slot 2 out of the group');
    for (const source of loopbackAddresses(24)) {
      expect([source, await answer('127.0.0.1', port, source)]).toEqual([source, `kernel ${slotOfAddress(source, two)}`]);
    }
    // Growing again opens slot 2 anew, at index 2.
    router.resize(3);
    const again = Object.assign(new FakeWorker(2), { router });
    workers.push(again);
    router.setTarget(again);
    await Promise.all(listening.splice(0));
    for (const source of movers) expect(await answer('127.0.0.1', port, source)).toBe('kernel 2');
  });

  it('refuses a grow it cannot steer (too many slots) having changed nothing', async () => {
    const { port, router } = setUp();
    for (const w of workers) router.setTarget(w);
    await Promise.all(listening.splice(0));
    expect(() => router.resize(MAX_STEER_SLOTS + 1)).toThrow(RangeError);
    expect(router.primaryAccepting).toEqual([]);
    for (const slot of [0, 1, 2]) {
      for (const source of sourcesOf(slot, 2)) expect(await answer('127.0.0.1', port, source)).toBe(`kernel ${slot}`);
    }
  });

  it('scales 3 -> 2 -> 3 within the grace period: slot 2 takes its leaving socket back, nothing is reset', async () => {
    const { port, router } = setUp(60_000);
    for (const w of workers) router.setTarget(w);
    await Promise.all(listening.splice(0));
    router.removeTarget(workers[2]!);
    await closeServer(workers[2]!.acceptor!);
    router.resize(2);
    router.resize(3);
    // No worker in slot 2 yet: the primary accepts from its socket for the key's slot under 2.
    expect(router.primaryAccepting).toEqual([2]);
    const [source] = sourcesOf(2, 1);
    expect(await answer('127.0.0.1', port, source!)).toBe('');
    const fallback = slotOfAddress(source!, { slots: 2, seed: 0 });
    await waitFor(() => workers[fallback]!.handedOff.includes(source!), 5_000, `${source} handed to slot ${fallback}`);
    const again = Object.assign(new FakeWorker(2), { router });
    workers.push(again);
    router.setTarget(again);
    await Promise.all(listening.splice(0));
    expect(router.primaryAccepting).toEqual([]);
    for (const slot of [0, 1, 2]) {
      for (const s of sourcesOf(slot, 2)) expect(await answer('127.0.0.1', port, s)).toBe(`kernel ${slot}`);
    }
  });
});
