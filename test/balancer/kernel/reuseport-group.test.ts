import { afterEach, describe, expect, it } from 'vitest';
import { fork, spawnSync } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import { Server, Socket, connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { ReuseportGroup, claimPort, type GroupOptions } from '../../../src/balancer/kernel/reuseport-group.js';
import { MAX_STEER_SLOTS, slotOfAddress } from '../../../src/balancer/kernel/steer-program.js';
import { loopbackAddresses } from '../../helpers/clients.js';
import { answer, answerSlot, closeServer, slotReached, socketCalls } from '../../helpers/reuseport.js';

const calls = socketCalls();
let group: ReuseportGroup | undefined;
let servers: Server[] = [];

afterEach(async () => {
  await Promise.all(servers.map(closeServer));
  servers = [];
  group?.close();
  group = undefined;
});

async function openAnswering(options: Omit<GroupOptions, 'port'> & { port?: number }): Promise<ReuseportGroup> {
  const { port } = claimPort(calls, options.host, options.port ?? 0);
  group = ReuseportGroup.open(calls, { ...options, port });
  for (let slot = 0; slot < options.slots; slot++) servers.push(await answerSlot(group, slot));
  return group;
}

/** A seed under which `address` hashes to `slot`. */
function seedFor(address: string, slot: number, options: { slots: number }): number {
  for (let seed = 0; seed < 10_000; seed++) if (slotOfAddress(address, { ...options, seed }) === slot) return seed;
  throw new Error(`no seed sends ${address} to slot ${slot}`);
}

describe('reuseport group steered by the kernel', () => {
  it('sends each 127.0.0.x source to its predicted socket, every time, over every slot', async () => {
    const opts = { host: '127.0.0.1', slots: 4, seed: 0 };
    const g = await openAnswering(opts);
    expect(g.address).toMatchObject({ address: '127.0.0.1', family: 'IPv4' });
    const reached = new Set<number>();
    for (const source of loopbackAddresses(40)) {
      for (let i = 0; i < 2; i++) {
        const slot = await slotReached('127.0.0.1', g.address.port, source);
        expect([source, slot]).toEqual([source, slotOfAddress(source, opts)]);
        reached.add(slot);
      }
    }
    expect(reached.size).toBe(4);
  });

  it('with port 0, every slot joins the port the kernel gave the first socket', async () => {
    const opts = { host: '127.0.0.1', slots: 3, seed: 0 };
    group = ReuseportGroup.open(calls, { ...opts, port: 0 });
    for (let slot = 0; slot < 3; slot++) {
      const port: { port?: number } = {};
      group.handle(slot).getsockname(port);
      expect(port.port).toBe(group.address.port);
      servers.push(await answerSlot(group, slot));
    }
    for (const source of loopbackAddresses(12)) {
      expect([source, await slotReached('127.0.0.1', group.address.port, source)]).toEqual([source, slotOfAddress(source, opts)]);
    }
  });

  it('groups IPv4 sources by ipv4Prefix', async () => {
    const opts = { host: '127.0.0.1', slots: 8, seed: 3, ipv4Prefix: 30 };
    const g = await openAnswering(opts);
    for (const block of [4, 8, 12, 16]) {
      const slots = new Set<number>();
      for (let x = block; x < block + 4; x++) slots.add(await slotReached('127.0.0.1', g.address.port, `127.0.0.${x}`));
      expect([...slots]).toEqual([slotOfAddress(`127.0.0.${block}`, opts)]);
    }
  });

  it('sends ::1 to its predicted socket on an IPv6 group, whichever slot that is', async () => {
    for (const slot of [0, 1, 2]) {
      const opts = { host: '::1', slots: 3, seed: seedFor('::1', slot, { slots: 3 }) };
      const g = await openAnswering(opts);
      expect(g.address).toMatchObject({ address: '::1', family: 'IPv6' });
      expect(await slotReached('::1', g.address.port, '::1')).toBe(slot);
      await Promise.all(servers.map(closeServer));
      servers = [];
      g.close();
    }
  });

  it("on a dual-stack '::' group steers IPv4 clients by their IPv4 address and IPv6 clients by theirs", async () => {
    const opts = { host: '::', slots: 4, seed: seedFor('::1', 3, { slots: 4 }) };
    const g = await openAnswering(opts);
    expect(g.address).toMatchObject({ address: '::', family: 'IPv6' });
    expect(await slotReached('::1', g.address.port, '::1')).toBe(3);
    for (const source of loopbackAddresses(24)) {
      const slot = await slotReached('127.0.0.1', g.address.port, source);
      expect([source, slot]).toEqual([source, slotOfAddress(source, opts)]);
      expect(slotOfAddress(`::ffff:${source}`, opts)).toBe(slot);
    }
  });

  it('keeps a slot socket queuing while nobody accepts from it, and after a duplicate of it closes', async () => {
    const opts = { host: '127.0.0.1', slots: 2, seed: 0 };
    const { port } = claimPort(calls, opts.host, 0);
    group = ReuseportGroup.open(calls, { ...opts, port });
    const source = loopbackAddresses(40).find((a) => slotOfAddress(a, opts) === 1)!;
    servers.push(await answerSlot(group, 0));
    // Slot 1 is held by the group only: the kernel still completes the handshake and queues it.
    const waiting = slotReached('127.0.0.1', port, source);
    const first = await answerSlot(group, 1);
    expect(await waiting).toBe(1);
    await closeServer(first);
    const queued = slotReached('127.0.0.1', port, source);
    servers.push(await answerSlot(group, 1));
    expect(await queued).toBe(1);
  });

  it('opens every descriptor close-on-exec: a spawned child inherits none of them', async () => {
    const opts = { host: '127.0.0.1', slots: 3, seed: 0 };
    const { port } = claimPort(calls, opts.host, 0);
    group = ReuseportGroup.open(calls, { ...opts, port });
    const dup = group.duplicate(1);
    const fds = [0, 1, 2].map((s) => group!.handle(s).fd).concat(dup);
    const O_CLOEXEC = 0o2000000;
    for (const fd of fds) {
      const flags = parseInt(/^flags:\s+([0-7]+)/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))![1]!, 8);
      expect([fd, flags & O_CLOEXEC]).toEqual([fd, O_CLOEXEC]);
    }
    const sockets = new Set(fds.map((fd) => readlinkSync(`/proc/self/fd/${fd}`)));
    const child = spawnSync(process.execPath, ['-e',
      "const fs=require('fs');console.log(JSON.stringify(fs.readdirSync('/proc/self/fd').map(f=>{try{return fs.readlinkSync('/proc/self/fd/'+f)}catch{return ''}})))"],
    { encoding: 'utf8', timeout: 10_000 });
    const inherited = (JSON.parse(child.stdout) as string[]).filter((l) => sockets.has(l));
    expect(inherited).toEqual([]);
    servers.push(await answerSlot(group, 0));
    servers.push(await new Promise<Server>((resolve) => { const s = new Server((c) => c.end('1')); s.listen({ fd: dup }, () => resolve(s)); }));
  });

  it("gives a child process a slot's socket to accept from; when the child dies the primary's copy keeps the slot", async () => {
    const opts = { host: '127.0.0.1', slots: 2, seed: 0 };
    const { port } = claimPort(calls, opts.host, 0);
    group = ReuseportGroup.open(calls, { ...opts, port });
    servers.push(await answerSlot(group, 0));
    const source = loopbackAddresses(40).find((a) => slotOfAddress(a, opts) === 1)!;
    const child = fork(fileURLToPath(new URL('../../fixtures/slot-socket-child.js', import.meta.url)), [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    try {
      const listening = new Promise((resolve, reject) => {
        child.once('message', resolve);
        child.once('exit', (code) => reject(new Error(`the child exited (${code}) before listening`)));
      });
      child.send('slot 1', group.handle(1) as never);
      await listening;
      expect(await answer('127.0.0.1', port, source)).toBe('child');
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
    const waiting = slotReached('127.0.0.1', port, source);
    servers.push(await answerSlot(group, 1));
    expect(await waiting).toBe(1);
  });
});

// Resizing a live group (`sticky scale` under kernel accept): sockets a grow opens take the
// next indices, one setsockopt swaps the program for the whole group, and taking the last
// socket out moves no other one, even while another process still holds a copy of it.
const HOST = '127.0.0.1';
const seed = 0;
const SOURCES = loopbackAddresses(60);

/** Every source reaches the socket the primary's hash names for `slots` slots. */
async function expectSteeredOver(g: ReuseportGroup, slots: number): Promise<void> {
  const seen = new Set<number>();
  for (const source of SOURCES) {
    const slot = await slotReached(HOST, g.address.port, source);
    expect([source, slot]).toEqual([source, slotOfAddress(source, { slots, seed })]);
    seen.add(slot);
  }
  expect(seen.size).toBe(slots);
}

/** A connection from `source` that the kernel has queued (handshake done), not yet accepted. */
function queuedFrom(source: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const c = connect({ host: HOST, port, localAddress: source });
    c.once('connect', () => resolve(c));
    c.once('error', reject);
  });
}

describe('resizing a reuseport group', () => {
  it('grows 2 -> 3: the new socket takes index 2 and the new program steers over 3', async () => {
    const g = await openAnswering({ host: HOST, slots: 2, seed });
    await expectSteeredOver(g, 2);
    g.resize(3);
    expect([g.size, g.steered]).toEqual([3, 3]);
    servers.push(await answerSlot(g, 2));
    await expectSteeredOver(g, 3);
    // Rendezvous: a source whose slot under 3 is an old one kept it; the rest moved to slot 2 (about a third).
    const moved = SOURCES.filter((s) => slotOfAddress(s, { slots: 3, seed }) !== slotOfAddress(s, { slots: 2, seed }));
    for (const s of moved) expect(slotOfAddress(s, { slots: 3, seed })).toBe(2);
    expect(moved.length).toBeGreaterThan(SOURCES.length / 6);
    expect(moved.length).toBeLessThan(SOURCES.length / 2);
  });

  it('before the swap the old program never picks a new socket', async () => {
    const g = await openAnswering({ host: HOST, slots: 2, seed });
    // Grow the group by hand as resize does, but keep the 2-slot program: open and attach the same.
    g.resize(3);
    g.resize(2);
    expect([g.size, g.steered]).toEqual([3, 2]);
    servers.push(await answerSlot(g, 2));
    await expectSteeredOver(g, 2);
  });

  it('shrinks 3 -> 2: the program swap sends slot 2\'s sources to their slot under 2; its queue is swept out with it', async () => {
    const g = await openAnswering({ host: HOST, slots: 2, seed });
    g.resize(3);
    const [source] = SOURCES.filter((s) => slotOfAddress(s, { slots: 3, seed }) === 2);
    // Nobody accepts from slot 2: the connection waits in its queue.
    const waiting = await queuedFrom(source!, g.address.port);
    g.resize(2);
    expect([g.size, g.steered]).toEqual([3, 2]);
    expect(() => g.resize(MAX_STEER_SLOTS + 1)).toThrow(RangeError);
    expect([g.size, g.steered]).toEqual([3, 2]);
    await expectSteeredOver(g, 2);
    const swept = g.removeLast();
    expect(g.size).toBe(2);
    expect(swept).toHaveLength(1);
    // The swept descriptor is the waiting client's connection, whole.
    const reply = new Promise<string>((resolve) => waiting.setEncoding('utf8').once('data', resolve));
    const taken = new Socket({ handle: swept[0], readable: true, writable: true } as ConstructorParameters<typeof Socket>[0]);
    expect(taken.remoteAddress).toBe(source);
    taken.end('swept');
    expect(await reply).toBe('swept');
    waiting.destroy();
    await expectSteeredOver(g, 2);
  });

  it('refuses to take out a socket the program still steers to', async () => {
    const g = await openAnswering({ host: HOST, slots: 2, seed });
    expect(() => g.removeLast()).toThrow(/still steered to/);
    expect(g.size).toBe(2);
  });

  it('takes the last socket out even while a copy of it stays open elsewhere, so the next grow refills its index', async () => {
    const g = await openAnswering({ host: HOST, slots: 3, seed });
    g.resize(2);
    // servers[2] accepts from a duplicate of slot 2's socket, like a worker that has not closed its copy yet.
    const stale = servers[2]!;
    stale.on('error', () => undefined);
    let staleAccepted = 0;
    stale.on('connection', () => staleAccepted++);
    expect(g.removeLast()).toEqual([]);
    g.resize(3);
    expect([g.size, g.steered]).toEqual([3, 3]);
    servers.push(await answerSlot(g, 2));
    await expectSteeredOver(g, 3);
    expect(staleAccepted).toBe(0);
  });

  it('grows back over a socket still leaving the group instead of opening another', async () => {
    const g = await openAnswering({ host: HOST, slots: 3, seed });
    g.resize(2);
    g.resize(3);
    expect([g.size, g.steered]).toEqual([3, 3]);
    await expectSteeredOver(g, 3);
  });

  it("grows and shrinks a dual-stack '::' group: IPv4 and IPv6 sources follow the count", async () => {
    const g = await openAnswering({ host: '::', slots: 2, seed });
    g.resize(3);
    servers.push(await answerSlot(g, 2));
    for (const slots of [3, 2]) {
      if (slots === 2) g.resize(2);
      expect(await slotReached('::1', g.address.port, '::1')).toBe(slotOfAddress('::1', { slots, seed }));
      for (const source of SOURCES.slice(0, 20)) {
        expect([source, await slotReached('127.0.0.1', g.address.port, source)]).toEqual([source, slotOfAddress(source, { slots, seed })]);
      }
    }
    expect(g.removeLast()).toEqual([]);
    expect(g.size).toBe(2);
  });

  it('grows from one socket (a program that always answers 0) and shrinks back to it', async () => {
    const g = await openAnswering({ host: HOST, slots: 1, seed });
    g.resize(2);
    servers.push(await answerSlot(g, 1));
    await expectSteeredOver(g, 2);
    g.resize(1);
    await expectSteeredOver(g, 1);
    expect(g.removeLast()).toEqual([]);
    expect([g.size, g.steered]).toEqual([1, 1]);
  });
});
