// `sticky scale` under kernel accept (routing.accept 'kernel'), with HTTP requests and
// socket.io polling clients running from distinct addresses: 2 -> 3 appends a socket to the
// reuseport group and swaps the steering program, 3 -> 2 swaps it back and takes the socket
// out. Between scale events every address is on one worker, the one the primary's hash
// names for the slot count; only the addresses the new slot wins move (about a third) and
// come back; no request fails. A kill -9 of the new worker right after the scale up still
// falls its addresses over to their previous slot and back.
import { afterAll, describe, expect, it } from 'vitest';
import type { Socket as ClientSocket } from 'socket.io-client';
import { MAX_STEER_SLOTS, slotOfAddress } from '../../src/balancer/kernel/steer-program.js';
import type { StatusSnapshot } from '../../src/control/protocol.js';
import { get, loopbackAddresses, pollingClient, whoami, type Served } from '../helpers/clients.js';
import { runCli } from '../helpers/cli.js';
import { isAlive, killAll, listeningPorts, tryKill } from '../helpers/processes.js';
import { startSupervisor } from '../helpers/supervisor.js';
import { waitFor } from '../helpers/wait-for.js';

const SENDERS = loopbackAddresses(18, 10);
const CLIENTS = loopbackAddresses(18, 40);
const slotUnder = (addr: string, slots: number): number => slotOfAddress(addr, { slots, seed: 0 });
/** Listening sockets on `port`: one per socket in the reuseport group. */
const listenersOn = (port: number): number => [...listeningPorts().values()].filter((p) => p === port).length;

interface Answer extends Served {
  startedAt: number;
}

interface Tracked {
  addr: string;
  socket: ClientSocket;
  disconnects: number;
}

describe('sticky scale under kernel accept', () => {
  afterAll(killAll);

  it('2 -> 3 -> 2 with clients running: no request fails, addresses stay put between scale events, about a third move and come back', async () => {
    const sup = await startSupervisor({
      workers: 2,
      routing: { by: 'ip', seed: 0, ipv4Prefix: 32, ipv6Prefix: 128, maxPending: 10_000, accept: 'kernel' },
      reload: { drainTimeoutMs: 1500 },
    });
    const cli = (args: string[]) => runCli([...args, '--name', sup.config.name], { env: { XDG_RUNTIME_DIR: sup.runtimeDir }, timeoutMs: 60_000 });
    const served = new Map<string, Answer[]>(SENDERS.map((a) => [a, []]));
    const errors: { addr: string; startedAt: number; error: string }[] = [];
    let running = true;
    const senders = SENDERS.map(async (addr) => {
      while (running) {
        const startedAt = Date.now();
        try {
          served.get(addr)!.push({ ...(await get(sup.port, addr)), startedAt });
        } catch (err) {
          errors.push({ addr, startedAt, error: String(err) });
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    });
    const url = `http://127.0.0.1:${sup.port}`;
    const clients: Tracked[] = CLIENTS.map((addr) => {
      const t: Tracked = { addr, socket: pollingClient(url, addr, { reconnection: true, reconnectionDelay: 100 }), disconnects: 0 };
      t.socket.on('disconnect', () => t.disconnects++);
      return t;
    });
    const clientSlots = async (): Promise<Map<string, number>> => {
      await waitFor(() => clients.every((c) => c.socket.connected), 20_000, 'every socket.io client connected');
      const out = new Map<string, number>();
      for (const c of clients) out.set(c.addr, Number((await whoami(c.socket)).slot));
      return out;
    };
    /** Answers to requests started in [from, to), per address. */
    const between = (from: number, to: number): Map<string, Answer[]> =>
      new Map(SENDERS.map((a) => [a, served.get(a)!.filter((s) => s.startedAt >= from && s.startedAt < to)]));
    /** Waits until every address has `n` answers to requests started after `from`. */
    const enough = (from: number, n: number, what: string) =>
      waitFor(() => SENDERS.every((a) => served.get(a)!.filter((s) => s.startedAt >= from).length >= n), 30_000, what);
    /** Each address was served by one worker, in the slot the hash names over `slots`. */
    const expectSettled = (answers: Map<string, Answer[]>, slots: number, pids: number[]): void => {
      for (const [addr, list] of answers) {
        expect(list.length, addr).toBeGreaterThan(0);
        const got = [...new Set(list.map((s) => `${s.slot}/${s.pid}`))];
        const slot = slotUnder(addr, slots);
        expect([addr, got]).toEqual([addr, [`${slot}/${pids[slot]}`]]);
      }
    };
    const online = (s: StatusSnapshot): number[] => s.workers.filter((w) => w.state === 'online').sort((a, b) => a.slot - b.slot).map((w) => w.pid);

    const movers = [...SENDERS, ...CLIENTS].filter((a) => slotUnder(a, 3) !== slotUnder(a, 2));
    // Rendezvous: an address that moves goes to the new slot, and about a third move.
    for (const a of movers) expect(slotUnder(a, 3)).toBe(2);
    const share = movers.length / (SENDERS.length + CLIENTS.length);
    expect(share).toBeGreaterThan(1 / 9);
    expect(share).toBeLessThan(2 / 3);
    console.log(`kernel scale 2 -> 3: ${movers.length} of ${SENDERS.length + CLIENTS.length} addresses move (${(share * 100).toFixed(0)}%, about a third expected)`);

    try {
      const t0 = Date.now();
      const two = online(await sup.status());
      expect(two).toHaveLength(2);
      await enough(t0, 3, 'traffic from every address on 2 workers');
      const clientsOnTwo = await clientSlots();
      for (const [addr, slot] of clientsOnTwo) expect([addr, slot]).toEqual([addr, slotUnder(addr, 2)]);

      // Scale up with the CLI; right after, kill -9 the new worker.
      const upAt = Date.now();
      const up = await cli(['scale', '3']);
      expect(up.code, up.stderr).toBe(0);
      expect(up.stdout).toMatch(/slot 2: worker \d+ online/);
      const upDone = Date.now();
      const status3 = JSON.parse((await cli(['status', '--json'])).stdout) as StatusSnapshot;
      expect(status3.accept).toBe('kernel');
      expect(status3.workers.map((w) => [w.slot, w.state])).toEqual([[0, 'online'], [1, 'online'], [2, 'online']]);
      const three = online(status3);
      // One socket per slot in the group: the one a grow appended, none left over.
      expect(listenersOn(sup.port)).toBe(3);
      expect(three.slice(0, 2)).toEqual(two);
      expectSettled(between(t0, upAt), 2, two);
      // While the scale ran, an address was served by its old slot or, once it moved, the new one.
      for (const [addr, list] of between(upAt, upDone)) {
        for (const s of list) expect([addr, slotUnder(addr, 2), slotUnder(addr, 3)]).toContain(Number(s.slot));
      }

      const victim = three[2]!;
      expect(tryKill(victim, 'SIGKILL')).toBe(true);
      await waitFor(() => !isAlive(victim), 5_000, 'the new worker to die');
      const deadAt = Date.now();
      const back = await waitFor(async () => {
        const s = await sup.status();
        const row = s.workers.find((w) => w.slot === 2 && w.state === 'online');
        return row && row.pid !== victim ? row.pid : undefined;
      }, 30_000, 'slot 2 back with a new worker');
      const backAt = Date.now();
      // While slot 2 had no worker, its addresses were served by their previous slot.
      let fellOver = 0;
      for (const [addr, list] of between(deadAt, backAt)) {
        for (const s of list) expect([addr, slotUnder(addr, 2), slotUnder(addr, 3)]).toContain(Number(s.slot));
        if (slotUnder(addr, 3) === 2) fellOver += list.filter((s) => Number(s.slot) === slotUnder(addr, 2)).length;
      }
      expect(fellOver).toBeGreaterThan(0);
      const pids3 = [three[0]!, three[1]!, back];
      await enough(backAt, 3, 'traffic from every address on 3 workers');
      const clientsOnThree = await waitFor(async () => {
        const slots = await clientSlots();
        return [...slots].every(([addr, slot]) => slot === slotUnder(addr, 3)) ? slots : undefined;
      }, 30_000, 'every socket.io client on its slot under 3');
      expect(clientsOnThree.size).toBe(CLIENTS.length);
      for (const c of clients.filter((x) => !movers.includes(x.addr))) expect([c.addr, c.disconnects]).toEqual([c.addr, 0]);

      // Scale down with the control socket; the removed slot's addresses return where they were.
      const downAt = Date.now();
      expectSettled(between(backAt + 1, downAt), 3, pids3);
      const c = await sup.control();
      let reply;
      try {
        reply = await c.request('scale', undefined, { workers: 2 });
      } finally {
        c.close();
      }
      expect(reply).toMatchObject({ ok: true, result: { from: 3, to: 2, removed: [{ slot: 2, pid: back }] } });
      const downDone = Date.now();
      await enough(downDone, 3, 'traffic from every address on 2 workers again');
      // After the grace period the removed slot's socket leaves the group.
      await waitFor(() => listenersOn(sup.port) === 2, 15_000, 'two listening sockets on the port');
      const status2 = JSON.parse((await cli(['status', '--json'])).stdout) as StatusSnapshot;
      expect(status2.accept).toBe('kernel');
      expect(status2.workers.map((w) => [w.slot, w.pid, w.state])).toEqual([[0, two[0], 'online'], [1, two[1], 'online']]);
      expectSettled(between(downDone, Date.now()), 2, two);
      for (const [addr, list] of between(downAt, downDone)) {
        for (const s of list) expect([addr, slotUnder(addr, 2), slotUnder(addr, 3)]).toContain(Number(s.slot));
      }
      const clientsBack = await waitFor(async () => {
        const slots = await clientSlots();
        return [...slots].every(([addr, slot]) => slot === slotUnder(addr, 2)) ? slots : undefined;
      }, 30_000, 'every socket.io client back on its slot under 2');
      expect(clientsBack).toEqual(clientsOnTwo);
      for (const t of clients.filter((x) => !movers.includes(x.addr))) expect([t.addr, t.disconnects]).toEqual([t.addr, 0]);

      running = false;
      await Promise.all(senders);
      // Only a request the killed worker had already taken may fail (its connection died with it).
      const victimAddrs = SENDERS.filter((a) => slotUnder(a, 3) === 2);
      expect(errors.filter((e) => e.startedAt < upAt || e.startedAt >= deadAt)).toEqual([]);
      for (const e of errors) expect(victimAddrs).toContain(e.addr);
      expect(errors.length).toBeLessThanOrEqual(victimAddrs.length);
      console.log(`kernel scale: ${[...served.values()].reduce((n, l) => n + l.length, 0)} requests served, ${errors.length} failed (in flight on the killed worker)`);
    } finally {
      running = false;
      await Promise.all(senders);
      for (const t of clients) t.socket.close();
    }
  }, 240_000);

  it('a scale up whose new worker crashes at boot goes back to 2 without moving or failing a request; past one program\'s reach scale is refused', async () => {
    const sup = await startSupervisor({
      workers: 2,
      routing: { by: 'ip', seed: 0, ipv4Prefix: 32, ipv6Prefix: 128, maxPending: 10_000, accept: 'kernel' },
      env: { CRASH_SLOT: '2' },
      reload: { drainTimeoutMs: 1500 },
    });
    const pids = (await sup.status()).workers.map((w) => w.pid);
    const served = new Map<string, Served[]>(SENDERS.map((a) => [a, []]));
    const errors: string[] = [];
    let running = true;
    const senders = SENDERS.map(async (addr) => {
      while (running) {
        try {
          served.get(addr)!.push(await get(sup.port, addr));
        } catch (err) {
          errors.push(`${addr}: ${String(err)}`);
        }
      }
    });
    try {
      await waitFor(() => SENDERS.every((a) => served.get(a)!.length > 0), 10_000, 'traffic from every address');
      const c = await sup.control();
      let reply;
      try {
        reply = await c.request('scale', undefined, { workers: 3 });
      } finally {
        c.close();
      }
      expect(reply).toMatchObject({ ok: false, error: { code: 'STICKY_SCALE', message: expect.stringContaining('crashing on purpose in slot 2') } });
      const status = await sup.status();
      expect(status.accept).toBe('kernel');
      expect(status.workers.map((w) => [w.slot, w.pid, w.state])).toEqual([[0, pids[0], 'online'], [1, pids[1], 'online']]);
      await waitFor(() => listenersOn(sup.port) === 2, 15_000, 'the added socket out of the group');
      // Past what one program can steer, scale is refused and changes nothing.
      const c2 = await sup.control();
      try {
        const big = await c2.request('scale', undefined, { workers: MAX_STEER_SLOTS + 1 });
        expect(big).toMatchObject({ ok: false, error: {
          code: 'STICKY_SCALE',
          message: `cannot scale to ${MAX_STEER_SLOTS + 1} workers under kernel accept: a reuseport program steers 1 to ${MAX_STEER_SLOTS} slots, not ${MAX_STEER_SLOTS + 1}`,
        } });
      } finally {
        c2.close();
      }
      expect((await sup.status()).workers.map((w) => [w.slot, w.pid, w.state])).toEqual([[0, pids[0], 'online'], [1, pids[1], 'online']]);
      expect(listenersOn(sup.port)).toBe(2);
      const after = SENDERS.map((a) => served.get(a)!.length);
      await waitFor(() => SENDERS.every((a, i) => served.get(a)!.length > after[i]! + 2), 20_000, 'traffic after the failed scale');
    } finally {
      running = false;
      await Promise.all(senders);
    }
    expect(errors).toEqual([]);
    // While slot 2 was in the program without a worker, the primary handed its addresses to their slot under 2.
    for (const [addr, list] of served) {
      const slot = slotUnder(addr, 2);
      expect([addr, [...new Set(list.map((s) => `${s.slot}/${s.pid}`))]]).toEqual([addr, [`${slot}/${pids[slot]}`]]);
    }
  }, 120_000);
});
